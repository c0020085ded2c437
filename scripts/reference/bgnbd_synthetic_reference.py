#!/usr/bin/env python
"""Synthetic BG/NBD customers drawn by the shared generator ../shared/bench/gen_bgnbd_synthetic.py (numpy, not Retain),
for the parameter-recovery test in BGNBDModelTests: fitting them must give every parameter within two standard
errors of the truth the generator used (lifetimes' CDNOW fit, the generator's defaults).

Writes Tests/RetainAnalyticsTests/Fixtures/bgnbd_synthetic.json: the true parameters, the seed, and per customer
frequency x, recency t_x and age T in weeks (10 significant digits, which changes no estimate at the printed digits).

Usage: /tmp/retain-peers/bin/python scripts/reference/bgnbd_synthetic_reference.py   (from anywhere)
Create the venv first if needed: bash ../shared/bench/setup-peers.sh /tmp/retain-peers
"""
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(os.path.dirname(ROOT), "shared", "bench"))
import gen_bgnbd_synthetic as generator  # noqa: E402

OUT = os.path.join(ROOT, "Tests", "RetainAnalyticsTests", "Fixtures", "bgnbd_synthetic.json")
CUSTOMERS, SEED = 10_000, 12345


def short(values):
    return [float(f"{v:.10g}") for v in values]


data = generator.generate(CUSTOMERS, seed=SEED)
document = {
    "source": "../shared/bench/gen_bgnbd_synthetic.py generate(%d, seed=%d)" % (CUSTOMERS, SEED),
    "truth": {"r": generator.R, "alpha": generator.ALPHA, "a": generator.A, "b": generator.B},
    "frequency": [int(x) for x in data["frequency"]],
    "recency": short(data["recency"]),
    "T": short(data["T"]),
}
with open(OUT, "w") as out:
    json.dump(document, out, separators=(",", ":"))
    out.write("\n")
print(f"{CUSTOMERS} customers -> {OUT}; mean x = {data['frequency'].mean():.4f}")

#!/usr/bin/env python
"""Independent reference numbers for Retain's retention analytics, computed with the pandas implementation in
../shared/bench/retention_impl.py (not with Retain). Writes Tests/RetainAnalyticsTests/Fixtures/retention_reference.json,
which RetentionReferenceTests compare with cell by cell.

Definitions shared with Retain (docs/analytics.md), per data set:
  * CDNOW master log: a transaction = one row (same-day rows not merged, duplicates kept), money = dollar_value.
  * Online Retail: a transaction = one invoice of one customer; rows without CustomerID left out; cancellations
    (InvoiceNo starting with C) left out; exact duplicate rows inside an invoice dropped; invoice money = sum of
    Quantity x UnitPrice (exact, then rounded to cents as retention_impl does); invoice date = its first line's day.
  * Cohorts by calendar month; recency in days to the last day of the log; RFM under both tie rules.

Usage: /tmp/retain-peers/bin/python scripts/reference/retention_reference.py   (from the project root)
"""
import json
import os
import sys
from decimal import Decimal

import numpy as np
import pandas as pd

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.path.join(os.path.dirname(ROOT), "shared")
sys.path.insert(0, os.path.join(SHARED, "bench"))
import retention_impl as RI  # noqa: E402


def fnv64(lines):
    """FNV-1a 64 over the UTF-8 of all lines, each followed by a newline (the Swift test does the same)."""
    h = 0xcbf29ce484222325
    for line in lines:
        for byte in (line + "\n").encode():
            h ^= byte
            h = (h * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


def describe(df, ids):
    counts, share, sizes = RI.pd_cohort_matrix(df)
    rfm = RI.pd_rfm(df)
    summary = RI.pd_summary(df, rfm)
    cohort_counts = [[int(v) if v >= 0 else None for v in row] for row in counts.to_numpy()]
    out = {"summary": {k: (v if isinstance(v, str) else float(v)) for k, v in summary.items()},
           "cohort_labels": list(counts.index), "cohort_counts": cohort_counts}
    for rule in ("ntile", "cume"):
        cols = [rfm[c].to_numpy() for c in ("recency_days", "frequency", "monetary_cents",
                                                 f"R_{rule}", f"F_{rule}", f"M_{rule}")]
        lines = [",".join([str(ids[c])] + [str(int(col[i])) for col in cols]) for i, c in enumerate(rfm.index)]
        out[f"rfm_{rule}_digest"] = fnv64(lines)
        out[f"rfm_{rule}_first"] = lines[:3]
        for score in "RFM":
            out[f"{score}_{rule}_counts"] = [int((rfm[f"{score}_{rule}"] == s).sum()) for s in range(1, 6)]
    return out


def cdnow():
    raw = pd.read_csv(os.path.join(SHARED, "data/cdnow_master_1997-1998.csv.gz"), dtype={"customer_id": str})
    dint = raw["date"].str.replace("-", "").astype(np.int32)
    # Customer ids are zero-padded text ("00001"); Retain orders text ids as text, so number them in text order.
    order = sorted(raw["customer_id"].unique())
    number = {cid: i for i, cid in enumerate(order)}
    df = RI.pd_prepare(pd.DataFrame({"customer_id": raw["customer_id"].map(number).astype(np.int64), "dint": dint,
                                     "cds": raw["number_of_cds"], "dollar_value": raw["dollar_value"]}))
    return describe(df, order)


def online_retail():
    raw = pd.read_csv(os.path.join(SHARED, "data/online_retail_uci352_2010-12_2011-12.csv.gz"),
                      dtype={"InvoiceNo": str, "StockCode": str, "CustomerID": str, "UnitPrice": str, "Quantity": str},
                      keep_default_na=False)
    raw["line"] = np.arange(len(raw))
    raw = raw[(raw["CustomerID"] != "") & ~raw["InvoiceNo"].str.startswith("C")]
    raw = raw[~raw.drop(columns=["line"]).duplicated(keep="first")]
    money = {}
    first = {}
    for inv, cid, qty, price, when, line in zip(raw["InvoiceNo"], raw["CustomerID"], raw["Quantity"], raw["UnitPrice"],
                                                raw["InvoiceDate"], raw["line"]):
        if Decimal(qty) < 0 or Decimal(price) < 0:
            continue  # a negative line is a return whatever its invoice
        key = (cid, inv)
        money[key] = money.get(key, Decimal(0)) + Decimal(qty) * Decimal(price)
        day = int(when[:10].replace("-", ""))
        first[key] = min(first.get(key, day), day)
    keys = sorted(money)
    ids = sorted({cid for cid, _ in keys}, key=lambda c: int(c))
    number = {cid: i for i, cid in enumerate(ids)}
    df = RI.pd_prepare(pd.DataFrame({
        "customer_id": np.array([number[c] for c, _ in keys], dtype=np.int64),
        "dint": np.array([first[k] for k in keys], dtype=np.int32), "cds": np.ones(len(keys), dtype=np.int32),
        "dollar_value": np.array([float(money[k].quantize(Decimal("0.01"))) for k in keys])}))
    return describe(df, ids)


result = {"generator": "scripts/reference/retention_reference.py (pandas, ../shared/bench/retention_impl.py)",
          "cdnow_master": cdnow(), "online_retail": online_retail()}
path = os.path.join(ROOT, "Tests/RetainAnalyticsTests/Fixtures/retention_reference.json")
with open(path, "w") as f:
    json.dump(result, f, indent=1, sort_keys=True)
    f.write("\n")
print("wrote", path)

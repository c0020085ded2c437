#!/usr/bin/env bash
# Issue 4 benchmarks, side by side in one run on the 10M-row, 1M-customer synthetic log of
# ../shared/bench/gen_synthetic_txlog.py:
#   (a) cohorts + RFM + summary from the CSV: `retain analyze --no-models` against bench_retention.py duckdb --threads 2
#   (b) the BG/NBD fit on 1M customers: Retain's fit phase against lifetimes' BetaGeoFitter on the same
#       (frequency, recency, T) — written by Retain's --customers-out — and the two log-likelihoods
#   (c) the whole `retain analyze` (models and per-customer predictions included) against peer_pipeline.py
# Each pair runs RUNS times, alternating, with wall time and peak memory from /usr/bin/time.
# Usage: Benchmarks/analytics_vs_peers.sh [RUNS] [WORKDIR]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
work=${2:-/tmp/retain-analytics-bench}
mkdir -p "$work"
venv=${RETAIN_PEERS_VENV:-/tmp/retain-peers}
bench=$(cd ../shared/bench && pwd)
[[ -x $venv/bin/python ]] || bash "$bench/setup-peers.sh" "$venv" >/dev/null
log=$work/txlog.csv
[[ -f $log ]] || "$venv/bin/python" "$bench/gen_synthetic_txlog.py" "$log"
swift build -c release --product retain --scratch-path .build-release >/dev/null
retain=.build-release/release/retain
# Runs a command, then prints its wall time and peak memory on fd 3 (the terminal), whatever its own redirections.
exec 3>&1
timed() {
  if /usr/bin/time -f "%e %M" -o "$work/time" "$@"; then
    read -r wall kb < <(tail -n 1 "$work/time")
    echo "$wall s, $((kb / 1024)) MB" >&3
  else
    echo "FAILED (exit $?; see above)" >&3
  fi
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); log: $(wc -l <"$log") lines"
for run in $(seq "$runs"); do
  echo "run $run"
  echo -n "  (a) retain analyze --no-models: "
  timed $retain analyze "$log" --preset cdnow --no-models --json --quiet >/dev/null
  echo -n "  (a) duckdb, 2 threads:          "
  timed "$venv/bin/python" "$bench/bench_retention.py" duckdb "$log" --threads 2 >"$work/duckdb.json"
  echo -n "  (c) retain analyze (all):       "
  timed $retain analyze "$log" --preset cdnow --json --quiet --timings >"$work/retain.json" 2>"$work/timings.txt"
  echo "      retain phases:              $(tr '\n' ';' <"$work/timings.txt")"
  echo -n "  (c) peer_pipeline.py:           "
  timed "$venv/bin/python" "$bench/peer_pipeline.py" "$log" "$bench" >"$work/peer.json" 2>"$work/peer.err"
  echo "      peer phases:                $(tail -n 1 "$work/peer.json")"
  # (b) on the same (frequency, recency, T): Retain's per-customer table (written outside the timed runs).
  $retain analyze "$log" --preset cdnow --quiet --customers-out "$work/customers.csv" >/dev/null
  echo -n "  (b) lifetimes fit on Retain's per-customer summary: "
  timed "$venv/bin/python" "$bench/bench_bgnbd_fit.py" "$work/customers.csv" >"$work/lifetimes.json"
  python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
retain = json.load(open(f"{work}/retain.json"))["models"]["bgnbd"]
life = json.loads(open(f"{work}/lifetimes.json").read())
rel = abs(retain["log_likelihood"] - life["LL_weeks_total"]) / abs(life["LL_weeks_total"])
print(f"      lifetimes fit {life['fit_s']:.2f} s; LL retain {retain['log_likelihood']:.6f} vs lifetimes {life['LL_weeks_total']:.6f} (relative difference {rel:.1e})")
print(f"      params retain r={retain['r']:.6f} alpha={retain['alpha']:.6f} a={retain['a']:.6f} b={retain['b']:.6f}; lifetimes {life['params']}")
PY
done

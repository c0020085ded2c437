#!/usr/bin/env bash
# Issue 3 benchmark: the scheduled job (expiry + tier reviews + reward codes + calendar rewards) over a synthetic
# history. Generates the transaction log with ../shared/bench/gen_synthetic_txlog.py (peers venv), imports the
# first ROWS rows into a program with a 3-tier rolling-12-month ladder and 365-day points, then times
# `retain expire --as-of 2026-01-01` (everything due: every lot expired, every tier reviewed) and a second run
# (nothing left), with peak memory.
# Usage: Benchmarks/expiry_tiers_job.sh [ROWS] [WORKDIR]   (ROWS default 1000000; the full log is 10,000,000)
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
work=${2:-/tmp/retain-expiry-bench}
mkdir -p "$work"
venv=${RETAIN_PEERS_VENV:-/tmp/retain-peers}
[[ -x $venv/bin/python ]] || bash ../shared/bench/setup-peers.sh "$venv" >/dev/null
[[ -f $work/txlog.csv ]] || "$venv/bin/python" ../shared/bench/gen_synthetic_txlog.py "$work/txlog.csv"
swift build -c release --product retain --scratch-path .build-release >/dev/null
retain=.build-release/release/retain
db=$work/job-$rows.sqlite
if [[ ! -f $db.imported ]]; then
  rm -f "$db" "$db"-*
  head -n $((rows + 1)) "$work/txlog.csv" >"$work/txlog-$rows.csv"
  cat >"$work/program.json" <<'JSON'
{"rules": [{"id": "base", "name": "1 point per 1.00", "kind": "points_per_amount", "points": 1, "per_amount": 100}],
 "tiers": {"qualification": {"metric": "spend", "window": "rolling_months", "months": 12},
           "tiers": [{"id": "member", "name": "Member", "threshold": 0},
                     {"id": "silver", "name": "Silver", "threshold": 10000, "benefits": {"earn_multiplier": 1.25}},
                     {"id": "gold", "name": "Gold", "threshold": 50000, "benefits": {"earn_multiplier": 1.5}}]}}
JSON
  $retain programs create synth --currency USD --points-expire-after-days 365 --database "$db" >/dev/null
  $retain program load "$work/program.json" --program synth --database "$db" >/dev/null
  /usr/bin/time -f "import: %e s, peak %M KB" $retain import orders "$work/txlog-$rows.csv" --preset cdnow \
    --program synth --database "$db" --synchronous normal --quiet >/dev/null
  touch "$db.imported"
fi
cp "$db" "$work/run.sqlite"; rm -f "$work"/run.sqlite-*
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "data: $(sqlite3 "$work/run.sqlite" "select count(*) from customers"), customers, $(sqlite3 "$work/run.sqlite" "select count(*) from orders") orders, $(sqlite3 "$work/run.sqlite" "select count(*) from point_lots where remaining > 0") open lots"
for run in first second; do
  /usr/bin/time -f "$run run: %e s, peak %M KB" $retain expire --program synth --as-of 2026-01-01T00:00:00Z \
    --database "$work/run.sqlite" --synchronous normal --json
done

#!/usr/bin/env bash
# Benchmark (a) of issue 2: importing the UCI Online Retail file with its earning rules and ledger, against the bare
# `zcat | sqlite3` import of the same CSV into one plain table (WAL, synchronous=NORMAL), in the same run.
# Usage: Benchmarks/import_vs_sqlite3.sh [RUNS]   (builds release first; needs sqlite3 and GNU time)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
data=../shared/data/online_retail_uci352_2010-12_2011-12.csv.gz
[[ -f $data ]] || { echo "skipped: $data is absent"; exit 0; }
swift build -c release --product retain --scratch-path .build-release >/dev/null
retain=.build-release/release/retain
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rules=$work/rules.json
cat >"$rules" <<'JSON'
{"rules": [
  {"id": "base", "name": "1 point per 1.00", "kind": "points_per_amount", "points": 1, "per_amount": 100},
  {"id": "postage", "name": "No points on postage and fees", "kind": "exclusion",
   "conditions": {"skus": ["POST", "DOT", "M", "C2", "D", "S", "BANK CHARGES", "AMAZONFEE", "CRUK", "PADS", "B"]}},
  {"id": "big", "name": "100 bonus points on orders over 500.00", "kind": "order_bonus", "points": 100,
   "conditions": {"min_order_amount": 50000}}
]}
JSON

measure() { # label, command…  → "label seconds peak_kb"
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>"$work/err" || { cat "$work/err"; exit 1; }
  read -r seconds peak <"$work/time"
  echo "$label $seconds $peak"
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), sqlite3 $(sqlite3 --version | cut -d' ' -f1)"
for run in $(seq "$runs"); do
  rm -f "$work"/plain.sqlite*
  measure "sqlite3-bare-import" bash -c "sqlite3 '$work/plain.sqlite' 'PRAGMA journal_mode=WAL;' 'PRAGMA synchronous=NORMAL;' && zcat '$data' | sqlite3 '$work/plain.sqlite' -cmd 'PRAGMA synchronous=NORMAL;' '.import --csv /dev/stdin sales'"
  rm -f "$work"/retain.sqlite*
  $retain programs create retail --currency GBP --time-zone Europe/London --database "$work/retain.sqlite" >/dev/null
  $retain rules load "$rules" --program retail --database "$work/retain.sqlite" >/dev/null
  measure "retain-import" $retain import orders "$data" --preset online-retail --program retail \
    --database "$work/retain.sqlite" --synchronous normal --quiet
done

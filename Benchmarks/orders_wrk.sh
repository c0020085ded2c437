#!/usr/bin/env bash
# Benchmark (b) of issue 2: POST /v1/orders throughput and latency with wrk on loopback (every order a new id,
# committed to the WAL), against GET /health on the same server in the same run.
# Usage: Benchmarks/orders_wrk.sh [SECONDS] [CONNECTIONS] [SYNCHRONOUS]   (needs wrk: apt-get install wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-20}
connections=${2:-16}
synchronous=${3:-full}
swift build -c release --product retain --scratch-path .build-release >/dev/null
retain=$PWD/.build-release/release/retain
work=$(mktemp -d)
port=18080
"$retain" serve --database "$work/bench.sqlite" --port $port --log-level error --synchronous "$synchronous" >"$work/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do grep -q "listening on" "$work/serve.log" && break; sleep 0.1; done
export KEY=$(grep -o 'rtn_[0-9A-Z]*' "$work/serve.log" | head -1)
curl -sf -X PUT "http://127.0.0.1:$port/v1/earning-rules" -H "Authorization: Bearer $KEY" -d '{"rules":[
  {"id":"base","name":"1 point per 1.00","kind":"points_per_amount","points":1,"per_amount":100},
  {"id":"mugs","name":"Double on mugs","kind":"multiplier","factor":2,"conditions":{"categories":["mugs"]}}]}' >/dev/null
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); synchronous=$synchronous"
echo "== GET /health (ceiling of the HTTP stack)"
wrk -t2 -c"$connections" -d"${duration}s" --latency "http://127.0.0.1:$port/health" | grep -E "Requests/sec|Latency|99%|50%"
echo "== POST /v1/orders"
wrk -t2 -c"$connections" -d"${duration}s" --latency -s Benchmarks/orders_wrk.lua "http://127.0.0.1:$port" \
  | grep -E "Requests/sec|Latency|99%|50%|Non-2xx"
echo "orders stored: $(sqlite3 "$work/bench.sqlite" 'SELECT COUNT(*) FROM orders') (ledger entries: $(sqlite3 "$work/bench.sqlite" 'SELECT COUNT(*) FROM ledger_entries'))"

#!/usr/bin/env bash
# Benchmark of issue 5: POST /v1/orders on PostgreSQL with 1, 2 and 4 `retain serve` processes, against pgbench's
# simple-update rate on the same server in the same run (the ceiling: one small durable write transaction).
#
# Usage: Benchmarks/orders_wrk_postgres.sh [SECONDS] [CONNECTIONS] [PROCESSES...]   (default: 20 64 1 2 4)
# Needs the PostgreSQL server, pgbench and wrk from Debian (apt-get install postgresql postgresql-contrib wrk).
#
# The server is a throwaway cluster (scripts/postgres_cluster.sh) with PostgreSQL's default durability: fsync on,
# synchronous_commit on — an answered order has reached the disk. Each process count gets a fresh database. wrk
# runs one instance per retain process, each with CONNECTIONS/N connections, all at once (there is no load
# balancer in between); the throughputs are summed and the worst p99 of them is quoted.
#
# pgbench runs with 16 clients and with CONNECTIONS clients, and the higher rate is the ceiling, so a client count
# that suits Retain's group commits cannot lower the bar: the ceiling is the server's best either way.
# POOL=N sets each process's PostgreSQL pool (default 16 / processes, at least 2).
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-20}
connections=${2:-64}
shift $(( $# > 2 ? 2 : $# ))
counts=("$@")
[[ ${#counts[@]} -eq 0 ]] && counts=(1 2 4)

swift build -c release --product retain --scratch-path .build-release >/dev/null
retain=$PWD/.build-release/release/retain
work=$(mktemp -d /tmp/retain-bench.XXXXXX)
chmod 755 "$work"
port=55440
servers=()
cleanup() {
    for pid in "${servers[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    scripts/postgres_cluster.sh stop "$work/pg" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
base=$(scripts/postgres_cluster.sh start "$work/pg" $port)
root=${base%/postgres}
psql() { command psql -X -q -v ON_ERROR_STOP=1 "$@"; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $(command psql -X -At "$base" -c 'SHOW server_version') (fsync on, synchronous_commit on)"
echo "commit: $(git rev-parse --short HEAD); wrk ${duration}s, $connections connections in all"

psql "$base" -c "CREATE DATABASE pgbench"
pgbench -q -i -s 16 "$root/pgbench" >/dev/null 2>&1
ceiling=0
for clients in $(printf '%s\n' 16 "$connections" | sort -un); do
    tps=$(pgbench -n -b simple-update -c "$clients" -j 2 -T "$duration" "$root/pgbench" 2>/dev/null |
        awk '/^tps/ {printf "%.0f", $3; exit}')
    echo "== pgbench simple-update, $clients clients: $tps transactions/s"
    if (( tps > ceiling )); then ceiling=$tps; fi
done
echo "== ceiling: $ceiling transactions/s"

printf '%-10s %14s %12s %16s %14s\n' processes "orders/s" "p99 (worst)" "of pgbench tps" "orders stored"
for count in "${counts[@]}"; do
    database="retain_$count"
    psql "$base" -c "CREATE DATABASE $database"
    url="$root/$database?pool_size=${POOL:-$(( 16 / count > 2 ? 16 / count : 2 ))}"
    "$retain" migrate --database "$url" >/dev/null
    export KEY=$("$retain" keys create --database "$url" --name bench --scope admin --json | grep -o 'rtn_[0-9A-Z]*')
    servers=()
    for index in $(seq 1 "$count"); do
        "$retain" serve --database "$url" --port $((18100 + index)) --log-level error >"$work/serve-$count-$index.log" 2>&1 &
        servers+=($!)
    done
    for index in $(seq 1 "$count"); do
        for _ in $(seq 200); do grep -q "listening on" "$work/serve-$count-$index.log" && break; sleep 0.1; done
    done
    curl -sf -X PUT "http://127.0.0.1:18101/v1/earning-rules" -H "Authorization: Bearer $KEY" -d '{"rules":[
      {"id":"base","name":"1 point per 1.00","kind":"points_per_amount","points":1,"per_amount":100},
      {"id":"mugs","name":"Double on mugs","kind":"multiplier","factor":2,"conditions":{"categories":["mugs"]}}]}' >/dev/null
    per=$(( connections / count > 1 ? connections / count : 1 ))
    for index in $(seq 1 "$count"); do
        RUN="p$count-$index-" wrk -t1 -c"$per" -d"${duration}s" --latency -s Benchmarks/orders_wrk.lua \
            "http://127.0.0.1:$((18100 + index))" >"$work/wrk-$count-$index.txt" &
    done
    wait $(jobs -p | grep -v -F -x -f <(printf '%s\n' "${servers[@]}")) 2>/dev/null || true
    rate=$(cat "$work"/wrk-"$count"-*.txt | awk '/^Requests\/sec/ {sum += $2} END {printf "%.0f", sum}')
    p99=$(cat "$work"/wrk-"$count"-*.txt | awk '/ 99%/ {v=$2; ms = v ~ /ms$/ ? v+0 : (v ~ /us$/ ? v/1000 : v*1000); if (ms > max) max = ms} END {printf "%.1f ms", max}')
    errors=$(cat "$work"/wrk-"$count"-*.txt | awk '/Non-2xx/ {sum += $5} END {print sum + 0}')
    stored=$(command psql -X -At "$root/$database" -c "SELECT COUNT(*) FROM orders")
    share=$(awk -v r="$rate" -v c="$ceiling" 'BEGIN {printf "%.0f%%", 100 * r / c}')
    printf '%-10s %14s %12s %16s %14s\n' "$count" "$rate" "$p99" "$share" "$stored"
    [[ $errors -gt 0 ]] && echo "   ($errors answers were not 2xx)"
    for pid in "${servers[@]}"; do kill "$pid"; done
    wait "${servers[@]}" 2>/dev/null || true
    servers=()
done

#!/usr/bin/env bash
# Issue 3 benchmark: the scheduled job (expiry + tier reviews + reward codes + calendar rewards) over a synthetic
# history of 1M customers and 10M orders (../shared/bench/gen_synthetic_txlog.py, peers venv).
#
# The database is built as a running install leaves it: the first ROWS rows of the log are imported month by
# month into a program with 365-day points and a 3-tier ladder (spend in a rolling 12 months), and after each
# month the job runs for the first day of the next, as the scheduler in `retain serve` would have (a monthly run
# writes the same entries as daily ones: each lot's entry is dated at its own expiry, and missed tier reviews are
# run period by period). The build is kept in WORKDIR and reused; the full log takes about an hour to import.
#
# Then, each on a fresh copy, with time and peak memory:
#   next day      `retain expire --as-of <the day after the last run>` — what the scheduler runs every day
#   second day    the day after that, on the same copy
#   month down    `--as-of <a month after the last run>` — catching up after a month of downtime
#   everything    (EVERYTHING=1 only; minutes) `--as-of 2030-01-01`, every open lot and every review due at once
#
# Usage: Benchmarks/expiry_tiers_job.sh [ROWS] [WORKDIR]   (ROWS default 10000000, the whole log)
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-10000000}
work=${2:-/tmp/retain-expiry-bench}
mkdir -p "$work"
venv=${RETAIN_PEERS_VENV:-/tmp/retain-peers}
[[ -x $venv/bin/python ]] || bash ../shared/bench/setup-peers.sh "$venv" >/dev/null
[[ -f $work/txlog.csv ]] || "$venv/bin/python" ../shared/bench/gen_synthetic_txlog.py "$work/txlog.csv"
swift build -c release --product retain --scratch-path .build-release >/dev/null
retain=$PWD/.build-release/release/retain
db=$work/job-$rows.sqlite
day() { date -u -d "$1" +%Y-%m-%dT00:00:00Z; }

if [[ ! -f $db.built ]]; then
  rm -f "$db" "$db"-* "$work"/month-*.csv
  # One file per month (the log is in time order; the date column is YYYYMMDD), each with the header.
  head -n $((rows + 1)) "$work/txlog.csv" | awk -F, -v dir="$work" '
    NR == 1 { header = $0; next }
    { month = substr($2, 1, 6)
      if (month != current) { if (file) close(file); file = dir "/month-" month ".csv"; print header > file
                              current = month }
      print >> file }'
  cat >"$work/program.json" <<'JSON'
{"rules": [{"id": "base", "name": "1 point per 1.00", "kind": "points_per_amount", "points": 1, "per_amount": 100}],
 "tiers": {"qualification": {"metric": "spend", "window": "rolling_months", "months": 12},
           "downgrade": {"grace_days": 0, "steps": "to_qualifying"},
           "tiers": [{"id": "member", "name": "Member", "threshold": 0},
                     {"id": "silver", "name": "Silver", "threshold": 10000, "benefits": {"earn_multiplier": 1.25}},
                     {"id": "gold", "name": "Gold", "threshold": 50000, "benefits": {"earn_multiplier": 1.5}}]}}
JSON
  $retain programs create synth --currency USD --points-expire-after-days 365 --database "$db" >/dev/null
  $retain program load "$work/program.json" --program synth --database "$db" >/dev/null
  for file in "$work"/month-*.csv; do
    month=$(basename "$file" .csv); month=${month#month-}
    next=$(day "${month:0:4}-${month:4:2}-01 +1 month")
    /usr/bin/time -f "build $month: import %e s, peak %M KB" $retain import orders "$file" --preset cdnow \
      --program synth --database "$db" --synchronous normal --batch-size 20000 --quiet >/dev/null
    /usr/bin/time -f "build $month: job as of $next %e s, peak %M KB" $retain expire --program synth \
      --as-of "$next" --database "$db" --synchronous normal --json >/dev/null
  done
  echo "$next" >"$db.built"
fi
last=$(cat "$db.built")
$retain migrate --database "$db" >/dev/null   # a database built by an older Retain gets this one's schema first

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), commit $(git rev-parse --short HEAD)"
count() { sqlite3 "$db" "$1"; }
echo "data: $(count "select count(*) from customers") customers, $(count "select count(*) from orders") orders," \
  "$(count "select count(*) from point_lots where remaining > 0") open lots, $(du -h "$db" | cut -f1)B; job last run as of $last"

run() { # label, as-of, database
  /usr/bin/time -f "$1 (as of $2): %e s, peak %M KB" $retain expire --program synth --as-of "$2" --database "$3" \
    --synchronous normal --json | tr -d ' \n'
  echo
}
cp "$db" "$work/run.sqlite"; rm -f "$work"/run.sqlite-*
run "next day" "$(day "$last +1 day")" "$work/run.sqlite"
run "second day" "$(day "$last +2 day")" "$work/run.sqlite"
cp "$db" "$work/run.sqlite"; rm -f "$work"/run.sqlite-*
run "month down" "$(day "$last +1 month")" "$work/run.sqlite"
if [[ ${EVERYTHING:-0} == 1 ]]; then
  cp "$db" "$work/run.sqlite"; rm -f "$work"/run.sqlite-*
  run "everything" "2030-01-01T00:00:00Z" "$work/run.sqlite"
fi
rm -f "$work"/run.sqlite*

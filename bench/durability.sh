#!/usr/bin/env bash
# kill -9 during a stream of predictions: is every acknowledged prediction's audit line, ledger line and outcome-log
# row in the database afterwards? Loopback only, bounded by time and count.
# Usage: bench/durability.sh [--clients 4] [--seconds 15] [--rounds 3] [--provider sqlite|postgres]
# Each round starts the Release service on a data folder kept across rounds, runs the clients (each a curl loop
# sending the README's sample request with its own user id, keeping the prediction_id of every 200), kills the
# service with SIGKILL after the given seconds, then counts, with sqlite3 on the database the killed process left,
# the rows of each acknowledged prediction. The next round starts on the same folder (SQLite recovers its WAL).
# --provider postgres runs the service with Storage:Provider=Postgres on a temporary PostgreSQL server of its own
# (bench/lib.sh's start_postgres: initdb and pg_ctl from the PATH or /usr/lib/postgresql/*/bin, as user postgres when
# run as root, on a free loopback port from 18093, with the server's default durability: fsync and synchronous commit
# on), counts with psql, and deletes it after.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
clients=4; seconds=15; rounds=3; provider=sqlite
while [ $# -gt 0 ]; do
  case "$1" in
    --provider) provider="$2"; shift 2 ;;
    --clients) clients="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
port=18092
data="$(mktemp -d)"
work="$(mktemp -d)"
pid=""
trap '[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; stop_postgres; rm -rf "$data" "$work"' EXIT
case "$provider" in
  sqlite)
    command -v sqlite3 >/dev/null || { echo "needs sqlite3 (apt-get install -y sqlite3)" >&2; exit 2; }
    storage=()
    count() { sqlite3 "$data/opensesame.db" ".mode list" "CREATE TEMP TABLE ack(id TEXT PRIMARY KEY);" ".import $work/acknowledged ack" \
      "SELECT count(DISTINCT t.prediction_id) FROM $1 t JOIN ack ON ack.id = t.prediction_id;"; } ;;
  postgres)
    # bench/lib.sh's server, in a folder of the work folder (deleted with it), which user postgres must reach.
    chmod 755 "$work"
    start_postgres "$work/postgres" "$(free_port 18093)" || exit 2
    pg_psql -qc "CREATE DATABASE opensesame"
    echo "PostgreSQL $(pg_psql -tAc 'SHOW server_version') on 127.0.0.1:$pg_port," \
      "fsync=$(pg_psql -tAc 'SHOW fsync'), synchronous_commit=$(pg_psql -tAc 'SHOW synchronous_commit')"
    echo
    mapfile -t storage < <(pg_settings opensesame)
    count() { pg_psql -d opensesame -qtA -c "CREATE TEMP TABLE ack(id text PRIMARY KEY)" \
      -c "\\copy ack FROM '$work/acknowledged'" \
      -c "SELECT count(DISTINCT t.prediction_id) FROM $1 t JOIN ack ON ack.id = t.prediction_id"; } ;;
  *) echo "--provider is sqlite or postgres" >&2; exit 2 ;;
esac
dotnet build -c Release src/OpenSesame.Api -v q -nologo >/dev/null

echo "| round | acknowledged | audit rows | ledger rows | outcome-log rows | lost |"
echo "|---:|---:|---:|---:|---:|---:|"
for round in $(seq 1 "$rounds"); do
  start_service "$(service_dll Release)" "$port" "$data" "$work/service.log" "${storage[@]}" Security__RateLimit__Enabled=false
  pid=$service_pid
  wait_ready "http://127.0.0.1:$port" 60 "$pid" || { echo "the service did not become ready:" >&2; tail -n 20 "$work/service.log" >&2; exit 1; }
  # The first prediction loads the embedding model (seconds on a loaded machine); it is not one of the counted.
  curl -s --max-time 120 -o /dev/null -H 'content-type: application/json' -d @samples/requests/finish-billing.json \
    "http://127.0.0.1:$port/predict" || true
  senders=()
  for c in $(seq 1 "$clients"); do
    body="$(jq -c --arg u "durability-$round-$c" '.user_id = $u | .session_id = $u' samples/requests/finish-billing.json)"
    (
      for _ in $(seq 1 100000); do
        answer="$(curl -s --max-time 10 -w '\n%{http_code}' -H 'content-type: application/json' -d "$body" \
          "http://127.0.0.1:$port/predict")" || { kill -0 "$pid" 2>/dev/null && continue; break; }
        [ "$(tail -n 1 <<<"$answer")" = 200 ] || continue
        head -n 1 <<<"$answer" | jq -r .prediction_id >>"$work/acknowledged-$round-$c"
      done
    ) &
    senders+=($!)
  done
  sleep "$seconds"
  kill -9 "$pid"
  wait "$pid" 2>/dev/null || true
  pid=""
  wait "${senders[@]}" 2>/dev/null || true
  cat "$work"/acknowledged-"$round"-* 2>/dev/null | sort -u >"$work/acknowledged" || true
  acknowledged=$(wc -l <"$work/acknowledged")
  audit=$(count audit_log); ledger=$(count cost_ledger); served=$(count served_predictions)
  lowest=$(printf '%s\n' "$audit" "$ledger" "$served" | sort -n | head -n 1)
  echo "| $round | $acknowledged | $audit | $ledger | $served | $((acknowledged - lowest)) |"
done

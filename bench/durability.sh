#!/usr/bin/env bash
# kill -9 during a stream of predictions: is every acknowledged prediction's audit line, ledger line and outcome-log
# row in the database afterwards? Loopback only, bounded by time and count.
# Usage: bench/durability.sh [--clients 4] [--seconds 15] [--rounds 3]
# Each round starts the Release service on a data folder kept across rounds, runs the clients (each a curl loop
# sending the README's sample request with its own user id, keeping the prediction_id of every 200), kills the
# service with SIGKILL after the given seconds, then counts, with sqlite3 on the database the killed process left,
# the rows of each acknowledged prediction. The next round starts on the same folder (SQLite recovers its WAL).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
clients=4; seconds=15; rounds=3
while [ $# -gt 0 ]; do
  case "$1" in
    --clients) clients="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
command -v sqlite3 >/dev/null || { echo "needs sqlite3 (apt-get install -y sqlite3)" >&2; exit 2; }
port=18092
data="$(mktemp -d)"
work="$(mktemp -d)"
dotnet build -c Release src/OpenSesame.Api -v q -nologo >/dev/null
pid=""
trap '[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$data" "$work"' EXIT

echo "| round | acknowledged | audit rows | ledger rows | outcome-log rows | lost |"
echo "|---:|---:|---:|---:|---:|---:|"
for round in $(seq 1 "$rounds"); do
  start_service "$(service_dll Release)" "$port" "$data" "$work/service.log" Security__RateLimit__Enabled=false
  pid=$service_pid
  wait_ready "http://127.0.0.1:$port" 60 "$pid" || { echo "the service did not become ready:" >&2; tail -n 20 "$work/service.log" >&2; exit 1; }
  senders=()
  for c in $(seq 1 "$clients"); do
    body="$(jq -c --arg u "durability-$round-$c" '.user_id = $u | .session_id = $u' samples/requests/finish-billing.json)"
    (
      for _ in $(seq 1 100000); do
        answer="$(curl -s --max-time 10 -w '\n%{http_code}' -H 'content-type: application/json' -d "$body" \
          "http://127.0.0.1:$port/predict")" || break
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
  cat "$work"/acknowledged-"$round"-* | sort -u >"$work/acknowledged"
  db="$data/opensesame.db"
  count() { sqlite3 "$db" ".mode list" "CREATE TEMP TABLE ack(id TEXT PRIMARY KEY);" ".import $work/acknowledged ack" \
    "SELECT count(DISTINCT t.prediction_id) FROM $1 t JOIN ack ON ack.id = t.prediction_id;"; }
  acknowledged=$(wc -l <"$work/acknowledged")
  audit=$(count audit_log); ledger=$(count cost_ledger); served=$(count served_predictions)
  lowest=$(printf '%s\n' "$audit" "$ledger" "$served" | sort -n | head -n 1)
  echo "| $round | $acknowledged | $audit | $ledger | $served | $((acknowledged - lowest)) |"
done

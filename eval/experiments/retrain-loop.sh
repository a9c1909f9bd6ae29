#!/usr/bin/env bash
# The retraining loop end to end, on a scratch data directory and with tiny training settings (20 trees of 7 leaves on
# 300 generated sessions, synthetic only: never the full-size training):
#   1. the service answers 30 sessions of one invoicing workflow on samples/specs/billing.yaml; each request resends the
#      history so far, so it records the outcome of the session's previous prediction;
#   2. POST /admin/retrain records a request (202); `opensesame retrain --watch` claims it, trains, judges, and the
#      service swaps a promoted model in at its next reload (every 2 s here);
#   3. after 10 more sessions, `opensesame retrain` runs once (exit 0 promoted, 3 refused);
#   4. `opensesame models` lists the versions, `opensesame models rollback` goes back, and the service follows.
# Usage: eval/experiments/retrain-loop.sh [port]   (default 18631). Stops at the first failing step; removes the scratch
# folder and stops the service it started when it ends.
set -euo pipefail
cd "$(dirname "$0")/../.."
port="${1:-18631}"
source eval/experiments/service.sh
tiny=(--traffic none --iterations 20 --leaves 7 --min-examples-per-leaf 5 --min-holdout 20)

"${cli[@]}" generate --count 300 --real-specs false >/dev/null 2>&1
start_service
flow=("GET /v1/customers" "POST /v1/invoices" "POST /v1/invoices/in_{0}/lines" "POST /v1/invoices/in_{0}/finalize"
      "POST /v1/invoices/in_{0}/send" "GET /v1/payments")

echo "== 1. 30 sessions through the service"
sessions 0 30 "${flow[@]}"

echo "== 2. POST /admin/retrain, then the worker"
id=$(curl -sf -X POST "$base/admin/retrain" | python3 -c 'import json,sys; print(json.load(sys.stdin)["request_id"])')
echo "request $id"
Learning__PollInterval=00:00:02 Learning__RetrainAfterGroups=0 "${cli[@]}" retrain --watch "${tiny[@]}" \
  >"$work/watch.out" 2>"$work/watch.err" &
watch_pid=$!
until curl -sf "$base/admin/retrain/$id" | python3 -c 'import json,sys; sys.exit(json.load(sys.stdin)["state"] in ("pending","running"))'; do sleep 2; done
kill -TERM "$watch_pid"; wait "$watch_pid" || true
cat "$work/watch.out"
curl -sf "$base/admin/retrain/$id"; echo
sleep 3
sessions 30 2 "${flow[@]}"

echo "== 3. 10 more sessions, then opensesame retrain once"
sessions 32 10 "${flow[@]}"
code=0; "${cli[@]}" retrain "${tiny[@]}" 2>/dev/null || code=$?
echo "exit $code"

echo "== 4. models, rollback"
"${cli[@]}" models 2>/dev/null
"${cli[@]}" models rollback 2>/dev/null
sleep 3
sessions 42 1 "${flow[@]}"

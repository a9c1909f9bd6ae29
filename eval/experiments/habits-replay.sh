#!/usr/bin/env bash
# Issue 15's retraining scenario: users whose habit differs from what the synthetic prior expects, served by a running
# service that learns only by retraining (learned usage off, so the gain is the model's), on a scratch data directory:
#   0. a small serving model (60 trees of 15 leaves on 1,000 generated sessions, synthetic only) stands for the prior;
#   1. 80 sessions of the habit (payments, then an invoice, its lines, its customer, then pay), each request resending
#      the history so far, so every prediction's outcome is recorded; top-3 of each answer against the call that came next;
#   2. POST /admin/retrain; the worker `opensesame retrain --watch` trains a candidate with the same settings on the
#      same synthetic sessions plus the logged outcomes, the gate judges it, the service swaps it in at its next reload;
#   3. 40 more sessions of the habit, top-3 again. Every answer's status is counted (the swap happens under traffic).
# Usage: eval/experiments/habits-replay.sh [port] [margin]   (defaults 18632 and Learning:PromotionMargin's 0.01).
# Removes the scratch folder and stops what it started.
set -euo pipefail
cd "$(dirname "$0")/../.."
port="${1:-18632}"
margin="${2:-0.01}"
source eval/experiments/service.sh
small=(--traffic none --iterations 60 --leaves 15 --min-examples-per-leaf 5)

"${cli[@]}" generate --count 1000 --real-specs false >/dev/null 2>&1
"${cli[@]}" train "${small[@]}" 2>/dev/null | grep -E "^model " || true
Usage__Enabled=false start_service
habit=("GET /v1/payments" "GET /v1/invoices/in_{0}" "GET /v1/invoices/in_{0}/lines" "GET /v1/customers/cus_{0}"
       "POST /v1/invoices/in_{0}/pay")

echo "== 1. 80 sessions of the habit, served by the prior"
sessions 0 80 "${habit[@]}"

echo "== 2. POST /admin/retrain, the worker"
id=$(curl -sf -X POST "$base/admin/retrain" | python3 -c 'import json,sys; print(json.load(sys.stdin)["request_id"])')
Learning__PollInterval=00:00:02 Learning__RetrainAfterGroups=0 "${cli[@]}" retrain --watch "${small[@]}" --margin "$margin" \
  >"$work/watch.out" 2>"$work/watch.err" &
watch_pid=$!
# Traffic goes on while the worker trains and the service swaps.
sessions 80 10 "${habit[@]}"
until curl -sf "$base/admin/retrain/$id" | python3 -c 'import json,sys; sys.exit(json.load(sys.stdin)["state"] in ("pending","running"))'; do sleep 2; done
kill -TERM "$watch_pid"; wait "$watch_pid" || true
cat "$work/watch.out"
curl -sf "$base/admin/retrain/$id"; echo
sleep 3

echo "== 3. 40 more sessions of the habit"
sessions 90 40 "${habit[@]}"

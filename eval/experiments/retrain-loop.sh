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
work=$(mktemp -d)
export Storage__DataDirectory="$work/data"
base="http://127.0.0.1:$port"

dotnet build src/OpenSesame.Cli -v q -nologo >/dev/null
dotnet build src/OpenSesame.Api -v q -nologo >/dev/null
cli=(dotnet src/OpenSesame.Cli/bin/Debug/net10.0/opensesame.dll)
tiny=(--traffic none --iterations 20 --leaves 7 --min-examples-per-leaf 5 --min-holdout 20)

"${cli[@]}" generate --count 300 --real-specs false >/dev/null 2>&1
Specs__Folders__0="$PWD/samples" Ranking__ReloadInterval=00:00:02 Security__RateLimit__Enabled=false \
  dotnet src/OpenSesame.Api/bin/Debug/net10.0/OpenSesame.Api.dll --urls "$base" >"$work/api.log" 2>&1 &
api_pid=$!
trap 'kill "$api_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
until curl -sf "$base/health/live" >/dev/null; do sleep 1; done

# Sessions first..first+count-1 of the workflow; prints the answers' status codes and the model versions that answered.
sessions() {
  python3 - "$base" "$PWD/samples/specs/billing.yaml" "$1" "$2" <<'EOF'
import json, sys, urllib.request, urllib.error
base, spec, first, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
flow = ["GET /v1/customers", "POST /v1/invoices", "POST /v1/invoices/in_{0}/lines", "POST /v1/invoices/in_{0}/finalize",
        "POST /v1/invoices/in_{0}/send", "GET /v1/payments"]
codes, versions = {}, {}
for s in range(first, first + count):
    for n in range(1, len(flow) + 1):
        body = {"user_id": f"u-{s % 3}", "session_id": f"s-{s}", "spec_url": spec, "k": 3,
                "events": [{"endpoint": e.format(s)} for e in flow[:n]]}
        request = urllib.request.Request(base + "/predict", json.dumps(body).encode(), {"content-type": "application/json"})
        try:
            with urllib.request.urlopen(request) as response:
                codes[response.status] = codes.get(response.status, 0) + 1
                version = json.load(response)["model_version"]
                versions[version] = versions.get(version, 0) + 1
        except urllib.error.HTTPError as error:
            codes[error.code] = codes.get(error.code, 0) + 1
print(f"sessions {first}-{first + count - 1}: status {codes}, answered by {versions}")
EOF
}

echo "== 1. 30 sessions through the service"
sessions 0 30

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
sessions 30 2

echo "== 3. 10 more sessions, then opensesame retrain once"
sessions 32 10
code=0; "${cli[@]}" retrain "${tiny[@]}" 2>/dev/null || code=$?
echo "exit $code"

echo "== 4. models, rollback"
"${cli[@]}" models 2>/dev/null
"${cli[@]}" models rollback 2>/dev/null
sleep 3
sessions 42 1

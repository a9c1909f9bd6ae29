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
work=$(mktemp -d)
export Storage__DataDirectory="$work/data"
base="http://127.0.0.1:$port"

dotnet build src/OpenSesame.Cli -v q -nologo >/dev/null
dotnet build src/OpenSesame.Api -v q -nologo >/dev/null
cli=(dotnet src/OpenSesame.Cli/bin/Debug/net10.0/opensesame.dll)
small=(--traffic none --iterations 60 --leaves 15 --min-examples-per-leaf 5)

"${cli[@]}" generate --count 1000 --real-specs false >/dev/null 2>&1
"${cli[@]}" train "${small[@]}" 2>/dev/null | grep -E "^model " || true
Specs__Folders__0="$PWD/samples" Ranking__ReloadInterval=00:00:02 Security__RateLimit__Enabled=false Usage__Enabled=false \
  dotnet src/OpenSesame.Api/bin/Debug/net10.0/OpenSesame.Api.dll --urls "$base" >"$work/api.log" 2>&1 &
api_pid=$!
trap 'kill "$api_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
until curl -sf "$base/health/live" >/dev/null; do sleep 1; done

# Sessions first..first+count-1 of the habit: statuses, the versions that answered, and top-3 of the answers.
sessions() {
  python3 - "$base" "$PWD/samples/specs/billing.yaml" "$1" "$2" <<'EOF'
import json, re, sys, urllib.request, urllib.error
base, spec, first, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
habit = ["GET /v1/payments", "GET /v1/invoices/in_{0}", "GET /v1/invoices/in_{0}/lines", "GET /v1/customers/cus_{0}",
         "POST /v1/invoices/in_{0}/pay"]
def template(call):
    method, path = call.split(" ", 1)
    return method + " " + re.sub(r"/(in|cus)_\d+", lambda m: "/{invoice}" if m.group(1) == "in" else "/{customer}", path)
codes, versions, hits, asked = {}, {}, 0, 0
for s in range(first, first + count):
    for n in range(1, len(habit) + 1):
        body = {"user_id": f"u-{s % 3}", "session_id": f"s-{s}", "spec_url": spec, "k": 3,
                "events": [{"endpoint": e.format(s)} for e in habit[:n]]}
        request = urllib.request.Request(base + "/predict", json.dumps(body).encode(), {"content-type": "application/json"})
        try:
            with urllib.request.urlopen(request) as response:
                codes[response.status] = codes.get(response.status, 0) + 1
                answer = json.load(response)
        except urllib.error.HTTPError as error:
            codes[error.code] = codes.get(error.code, 0) + 1
            continue
        versions[answer["model_version"]] = versions.get(answer["model_version"], 0) + 1
        if n < len(habit):
            asked += 1
            hits += template(habit[n].format(s)) in [p["endpoint"] for p in answer["predictions"][:3]]
print(f"sessions {first}-{first + count - 1}: status {codes}, answered by {versions}, top-3 {hits}/{asked} = {hits / asked:.3f}")
EOF
}

echo "== 1. 80 sessions of the habit, served by the prior"
sessions 0 80

echo "== 2. POST /admin/retrain, the worker"
id=$(curl -sf -X POST "$base/admin/retrain" | python3 -c 'import json,sys; print(json.load(sys.stdin)["request_id"])')
Learning__PollInterval=00:00:02 Learning__RetrainAfterGroups=0 "${cli[@]}" retrain --watch "${small[@]}" --margin "$margin" \
  >"$work/watch.out" 2>"$work/watch.err" &
watch_pid=$!
# Traffic goes on while the worker trains and the service swaps.
sessions 80 10
until curl -sf "$base/admin/retrain/$id" | python3 -c 'import json,sys; sys.exit(json.load(sys.stdin)["state"] in ("pending","running"))'; do sleep 2; done
kill -TERM "$watch_pid"; wait "$watch_pid" || true
cat "$work/watch.out"
curl -sf "$base/admin/retrain/$id"; echo
sleep 3

echo "== 3. 40 more sessions of the habit"
sessions 90 40

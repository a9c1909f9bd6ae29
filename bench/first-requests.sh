#!/usr/bin/env bash
# Where a fresh service's first requests spend their time: a new service process, then N requests in a row, each with
# the Stripe spec (468 operations) sent inline and its text made new (so every one parses and catalogs it as a new
# spec), a prompt and no history. Prints, per request, the time the client waited, the service's own
# processing_time_ms and its metadata.stages_ms: the first request pays for compiling what the later ones reuse.
# Usage: bench/first-requests.sh [N] [NAME=VALUE]...   (default 3; settings for the service, e.g. Prediction__WarmUp=false).
# Needs ../shared/evaldata and python3. Binds 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
count="${1:-3}"
shift || true
port="$(free_port 18112)"
data="$(mktemp -d)"
spec="../shared/evaldata/specs/stripe-openapi/openapi/spec3.yaml"

dotnet build -c Release src/OpenSesame.Api -v q -nologo >/dev/null
start_service "$(service_dll Release)" "$port" "$data" "$data.log" Security__RateLimit__Enabled=false "$@"
pid=$service_pid
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$data" "$data.log"' EXIT
wait_ready "http://127.0.0.1:$port" 60 "$pid" || { echo "the service did not become ready; its log: $data.log" >&2; exit 1; }

python3 - "$port" "$spec" "$count" <<'PY'
import json, sys, time, urllib.request
port, spec_path, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
text = open(spec_path, encoding="utf-8").read()
for n in range(1, count + 1):
    body = json.dumps({"events": [], "prompt": "list the open items", "k": 3,
                       "spec": text + f"\n# first-requests {time.time_ns()} {n}\n"}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/predict", data=body,
                                     headers={"content-type": "application/json"})
    started = time.perf_counter()
    with urllib.request.urlopen(request) as response:
        answer = json.load(response)
    waited = (time.perf_counter() - started) * 1000
    stages = " ".join(f"{k} {v:.0f}" for k, v in answer["metadata"]["stages_ms"].items())
    print(f"request {n}: client {waited:.0f} ms, service {answer['processing_time_ms']:.0f} ms; stages ms: {stages}")
PY

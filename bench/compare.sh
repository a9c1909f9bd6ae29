#!/usr/bin/env bash
# Two builds of the service side by side under the same load: the working tree's and a base commit's, each on its own
# port and fresh data folder, with runs alternating between them so that both see the same machine (a shared machine's
# load moves too much between separate runs to compare them).
# Usage: bench/compare.sh BASE-COMMIT [--scenarios "sample-warm github-warm new-prompt"] [--clients 8] [--duration 15]
#        [--rounds 2]
# The base is checked out into a temporary worktree and built in Release there; every run is bounded by time and sends
# only to 127.0.0.1. One table row per run, the build's name first.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
base_commit="${1:?usage: bench/compare.sh BASE-COMMIT [options]}"; shift
scenarios="sample-warm github-warm new-prompt"; clients=8; duration=15; rounds=2
while [ $# -gt 0 ]; do
  case "$1" in
    --scenarios) scenarios="$2"; shift 2 ;;
    --clients) clients="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
evaldata="$(cd ../shared/evaldata && pwd)"
work="$(mktemp -d)"
base_tree="$work/base"
declare -A pid port
cleanup() {
  for name in "${!pid[@]}"; do kill "${pid[$name]}" 2>/dev/null && wait "${pid[$name]}" 2>/dev/null; done
  git worktree remove --force "$base_tree" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
git worktree add -q --detach "$base_tree" "$base_commit"
for tree in . "$base_tree"; do dotnet build -c Release "$tree/src/OpenSesame.Api" -v q -nologo >/dev/null; done
dotnet build -c Release bench/load -v q -nologo >/dev/null

port[base]=$(free_port 18750); port[new]=$(free_port $((port[base] + 1)))
for name in base new; do
  # From the tree's own folder, so that each build reads its own shipped model and samples.
  pushd "$([ "$name" = base ] && echo "$base_tree" || echo .)" >/dev/null
  mkdir -p "$work/data-$name"
  start_service "$(service_dll Release)" "${port[$name]}" "$work/data-$name" "$work/$name.log" \
    Security__RateLimit__Enabled=false Specs__Folders__0=samples Specs__Folders__1="$evaldata"
  pid[$name]=$service_pid
  popd >/dev/null
done
for name in base new; do
  wait_ready "http://127.0.0.1:${port[$name]}" 90 "${pid[$name]}" \
    || { echo "the $name build did not become ready; its log: $work/$name.log" >&2; exit 1; }
done
echo "base $(git rev-parse --short "$base_commit"), new $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src || echo ' + uncommitted changes')"
load() { dotnet bench/load/bin/Release/net10.0/opensesame-load.dll run --url "http://127.0.0.1:${port[$1]}" --pid "${pid[$1]}" \
  --evaldata "$evaldata" --label "$(uptime)" "${@:2}"; }
for scenario in $scenarios; do
  # Warmed past tiered compilation first, both, without a row.
  for name in base new; do load "$name" --scenario "$scenario" --clients "$clients" --duration 10 --warm-up 3000 >/dev/null; done
  for round in $(seq 1 "$rounds"); do
    for name in base new; do
      echo "round $round, $(uptime | sed 's/.*load average/load average/')"
      load "$name" --scenario "$scenario" --clients "$clients" --duration "$duration" --warm-up 100 | tail -1 | sed "s/^/$name /"
    done
  done
done

#!/usr/bin/env bash
# Model selection on real data: trains one model per configuration (training data mix and tree size) and prints, for
# each, the two numbers the choice is made on, never an evaluation set:
#   - leave-domains-out synthetic top-3 (the trainer's calibration domains, no LLM, no usage), and
#   - recorded traffic of clients the model never trained on (TrafficSplit's validation part: octokit/octokit.rb on
#     GitHub, spree/spree_stripe on Stripe): the trainer's own measure, as recorded (history only) and with prompts
#     written from the spec's summaries (a fixed seed), and top-3 of the whole pipeline via
#     `eval --format traffic --split validation`.
# Usage: eval/experiments/model-selection.sh [work-folder]   (default: artifacts/model-selection; about 8 min per row on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/../.."
work="${1:-artifacts/model-selection}"
mkdir -p "$work"
dotnet build -c Release src/OpenSesame.Cli -v q -nologo >/dev/null
cli=(dotnet src/OpenSesame.Cli/bin/Release/net10.0/opensesame.dll)

# name | generate options | train options
configs=(
  "synthetic-only|--real-specs false --client-behaviours false|--traffic none --iterations 300 --leaves 15"
  "synthetic+traffic-x1|--real-specs false --client-behaviours false|--traffic-repeats 1 --iterations 300 --leaves 15 --write-prompts-for-traffic false"
  "synthetic+traffic-x4|--real-specs false --client-behaviours false|--traffic-repeats 4 --iterations 300 --leaves 15 --write-prompts-for-traffic false"
  "synthetic+traffic-x4, 600 trees of 31 leaves|--real-specs false --client-behaviours false|--traffic-repeats 4 --iterations 600 --leaves 31 --write-prompts-for-traffic false"
  "behaviours+traffic-x4|--real-specs false|--traffic-repeats 4 --iterations 300 --leaves 15 --write-prompts-for-traffic false"
  "behaviours+traffic-x4, 600x31, replays as recorded, behaviours in every session|--real-specs false --repeating-client-share 1|--traffic-repeats 4 --iterations 600 --leaves 31 --write-prompts-for-traffic false"
  "behaviours+traffic-x4, 600x31, written prompts on replays 2-4, behaviours in every session|--real-specs false --repeating-client-share 1|--traffic-repeats 4 --iterations 600 --leaves 31"
  "behaviours+traffic-x4, 600x31, written prompts on replays 2-4, repeating clients 0.4 (the defaults)|--real-specs false|--traffic-repeats 4 --iterations 600 --leaves 31"
  "behaviours+real-spec walks+traffic-x4|--real-specs true|--traffic-repeats 4 --iterations 300 --leaves 15 --write-prompts-for-traffic false"
  "behaviours+real-spec walks+traffic-x4, 600x31|--real-specs true|--traffic-repeats 4 --iterations 600 --leaves 31 --write-prompts-for-traffic false"
)

echo "| configuration | leave-domains-out top-3 | traffic validation top-3 (trainer, pool before critique) | the same with written prompts | GitHub validation top-3 (eval) | Stripe validation top-3 (eval) |"
echo "|---|---:|---:|---:|---:|---:|"
for config in "${configs[@]}"; do
  IFS='|' read -r name generate train <<<"$config"
  dir="$work/$(echo "$name" | tr -c 'a-zA-Z0-9\n' '-')"
  rm -rf "$dir" && mkdir -p "$dir"
  # shellcheck disable=SC2086
  Storage__DataDirectory="$dir" "${cli[@]}" generate $generate >/dev/null 2>&1
  # shellcheck disable=SC2086
  Storage__DataDirectory="$dir" "${cli[@]}" train $train >"$dir/train.log" 2>&1
  ldo=$(grep -oP 'leave-domains-out \([^)]*\), no LLM, no usage: .*?top3 \K[0-9.]+' "$dir/train.log")
  val=$(grep -oP 'validation clients \(history only.*?top3 \K[0-9.]+' "$dir/train.log" || echo "–")
  written=$(grep -oP 'validation clients with written prompts: .*?top3 \K[0-9.]+' "$dir/train.log" || echo "–")
  for api in github stripe; do
    Storage__DataDirectory="$dir" "${cli[@]}" eval --format traffic --dataset "../shared/traffic/sessions/$api.jsonl" \
      --split validation --json >"$dir/$api-validation.json" 2>/dev/null
  done
  gh=$(python3 -c "import json,sys; print(f\"{json.load(open(sys.argv[1]))['systems']['ranker']['top3']:.3f}\")" "$dir/github-validation.json")
  st=$(python3 -c "import json,sys; print(f\"{json.load(open(sys.argv[1]))['systems']['ranker']['top3']:.3f}\")" "$dir/stripe-validation.json")
  echo "| $name | $ldo | $val | $written | $gh | $st |"
done

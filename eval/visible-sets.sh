#!/usr/bin/env bash
# Runs one `opensesame` command over every visible task set, writing <name>.json and <name>.cases.jsonl per set.
# Usage: eval/visible-sets.sh eval|replay RESULTS-FOLDER   (from run-all.sh and replay-all.sh). Needs ../shared/evaldata
# and ../shared/traffic next to the repo; the synthetic-heldout set is the held-out file of `opensesame generate` in the
# data directory (Storage__DataDirectory, default ./data), which also decides the ranker.
set -euo pipefail
cd "$(dirname "$0")/.."
command=$1 out=$2
mkdir -p "$out"
evaldata="../shared/evaldata"
data_dir="${Storage__DataDirectory:-data}"

dotnet build -c Release src/OpenSesame.Cli -v q -nologo >/dev/null
cli=(dotnet src/OpenSesame.Cli/bin/Release/net10.0/opensesame.dll)

run() {
  local name=$1 format=$2 dataset=$3 split=${4:-all}
  echo "== $name ($format: $dataset, split $split)" >&2
  "${cli[@]}" "$command" --format "$format" --dataset "$dataset" --split "$split" --json --cases-out "$out/$name.cases.jsonl" > "$out/$name.json"
}

run restbench-tmdb restbench "$evaldata/restbench/datasets/tmdb.json"
run agentdiff agentdiff "$evaldata/agent-diff/datasets/agent-diff-bench/train.jsonl"
run nestful nestful "$evaldata/nestful/data/executable/executable-data.json"
run toolalpaca toolalpaca "$evaldata/toolalpaca/data/eval_simulated.json"
run octokit octokit "$evaldata/octokit-fixtures/scenarios/api.github.com"
# Recorded traffic of real clients (../shared/traffic): every session, and the held-out clients' validation part.
traffic="../shared/traffic/sessions"
run traffic-github traffic "$traffic/github.jsonl"
run traffic-github-validation traffic "$traffic/github.jsonl" validation
run traffic-stripe traffic "$traffic/stripe.jsonl"
run traffic-stripe-validation traffic "$traffic/stripe.jsonl" validation
if [ -f "$data_dir/training/heldout.jsonl" ]; then
  run synthetic-heldout synthetic "$data_dir/training/heldout.jsonl"
else
  echo "== synthetic-heldout skipped: $data_dir/training/heldout.jsonl missing (run opensesame generate)" >&2
fi

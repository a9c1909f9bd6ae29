#!/usr/bin/env bash
# Replays every visible task set through the service (`opensesame replay`, in process, each on a fresh data directory)
# and prints each run's final line. The numbers issue 15 asks for are these: prequential, everything the service
# learns online acting on the later cases.
# Usage: eval/replay-all.sh [results-folder]   (default: artifacts/replay). Needs ../shared/evaldata and
# ../shared/traffic next to the repo; the synthetic row needs the held-out file of `opensesame generate` in the data
# directory (Storage__DataDirectory, default ./data), which also decides the ranker as for eval/run-all.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-artifacts/replay}"
mkdir -p "$out"
evaldata="../shared/evaldata"
traffic="../shared/traffic/sessions"
data_dir="${Storage__DataDirectory:-data}"

dotnet build -c Release src/OpenSesame.Cli -v q -nologo >/dev/null
cli=(dotnet src/OpenSesame.Cli/bin/Release/net10.0/opensesame.dll)

run() {
  local name=$1 format=$2 dataset=$3 split=${4:-all}
  echo "== $name ($format: $dataset, split $split)" >&2
  "${cli[@]}" replay --format "$format" --dataset "$dataset" --split "$split" --json --cases-out "$out/$name.cases.jsonl" > "$out/$name.json"
}

run restbench-tmdb restbench "$evaldata/restbench/datasets/tmdb.json"
run agentdiff agentdiff "$evaldata/agent-diff/datasets/agent-diff-bench/train.jsonl"
run nestful nestful "$evaldata/nestful/data/executable/executable-data.json"
run toolalpaca toolalpaca "$evaldata/toolalpaca/data/eval_simulated.json"
run octokit octokit "$evaldata/octokit-fixtures/scenarios/api.github.com"
run traffic-github traffic "$traffic/github.jsonl"
run traffic-github-validation traffic "$traffic/github.jsonl" validation
run traffic-stripe traffic "$traffic/stripe.jsonl"
run traffic-stripe-validation traffic "$traffic/stripe.jsonl" validation
if [[ -f "$data_dir/training/heldout.jsonl" ]]; then
  run synthetic-heldout synthetic "$data_dir/training/heldout.jsonl"
fi

python3 - "$out" <<'PY'
import json, pathlib, sys
print("| dataset | cases | requests | non-2xx | top1 | top3 | mrr@k | model |")
print("|---|---:|---:|---:|---:|---:|---:|---|")
for path in sorted(pathlib.Path(sys.argv[1]).glob("*.json")):
    r = json.loads(path.read_text())
    f = r["final"]
    print(f"| {path.stem} | {r['cases']} | {r['requests']} | {r['non_2xx']} | {f['top1']:.3f} | {f['top3']:.3f} | {f['mrr']:.3f} | {', '.join(r['model_versions'])} |")
PY

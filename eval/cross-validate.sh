#!/usr/bin/env bash
# Compares training choices on training data only: trains the ranker once per seed, each time leaving 4 different
# training domains out of tree fitting, and prints their leave-domains-out metrics and the mean. Evaluation data is
# never read, so a choice made on these numbers is not tuned to any task set.
# Usage: eval/cross-validate.sh [extra 'opensesame train' options, e.g. --leaves 31]
# Needs data/training/train.jsonl (opensesame generate). Models go to a temporary folder; data/models is untouched.
set -euo pipefail
cd "$(dirname "$0")/.."
data_dir="${Storage__DataDirectory:-data}"
seeds="${SEEDS:-7 11 13}"
[ -f "$data_dir/training/train.jsonl" ] || { echo "$data_dir/training/train.jsonl missing: run opensesame generate" >&2; exit 1; }

dotnet build -c Release src/OpenSesame.Cli -v q -nologo >/dev/null
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/training"
cp "$data_dir/training/train.jsonl" "$scratch/training/"
# The embedding cache makes the runs faster; a missing one only makes them slower.
cp "$data_dir/opensesame.db" "$scratch/" 2>/dev/null || true

for seed in $seeds; do
  echo "== seed $seed $*" >&2
  Storage__DataDirectory="$scratch" dotnet src/OpenSesame.Cli/bin/Release/net10.0/opensesame.dll train \
    --seed "$seed" --calibration-domains 4 "$@" 2>&1 | grep "leave-domains-out (" || { echo "training failed" >&2; exit 1; }
done | tee "$scratch/lines"

python3 - "$scratch/lines" <<'PY'
import re, sys
rows = [dict(re.findall(r"(top1|top3|mrr) ([0-9.]+)", line)) for line in open(sys.argv[1])]
if rows:
    mean = {k: sum(float(r[k]) for r in rows) / len(rows) for k in ("top1", "top3", "mrr")}
    print(f"mean of {len(rows)} seeds: top1 {mean['top1']:.3f}, top3 {mean['top3']:.3f}, mrr {mean['mrr']:.3f}")
PY

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
eval/visible-sets.sh replay "$out"

python3 - "$out" <<'PY'
import json, pathlib, sys
print("| dataset | cases | requests | non-2xx | top1 | top3 | mrr@k | model |")
print("|---|---:|---:|---:|---:|---:|---:|---|")
for path in sorted(pathlib.Path(sys.argv[1]).glob("*.json")):
    r = json.loads(path.read_text())
    f = r["final"]
    print(f"| {path.stem} | {r['cases']} | {r['requests']} | {r['non_2xx']} | {f['top1']:.3f} | {f['top3']:.3f} | {f['mrr']:.3f} | {', '.join(r['model_versions'])} |")
PY

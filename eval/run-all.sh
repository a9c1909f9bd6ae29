#!/usr/bin/env bash
# Runs every visible task set through `opensesame eval` with all systems side by side and prints one table.
# Usage: eval/run-all.sh [results-folder]   (default: artifacts/eval). Needs ../shared/evaldata and ../shared/traffic
# next to the repo. The `ranker` columns use the model the service would serve: the current one in ./data/models (opensesame generate &&
# opensesame train), else the one shipped in models/. The `ranker-no-intent` column (the ranker without sentence
# embeddings and data flow) needs `opensesame train --without-intent`; the synthetic-heldout row needs
# ./data/training/heldout.jsonl (opensesame generate).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-artifacts/eval}"
eval/visible-sets.sh eval "$out"

python3 - "$out" <<'PY'
import json, sys, pathlib
out = pathlib.Path(sys.argv[1])
systems = ["random", "popularity", "lexical", "heuristic", "ranker-no-intent", "ranker", "ranker+usage"]
print("| dataset | cases | " + " | ".join(f"{s} top3 / mrr" for s in systems) + " | ranker top1 | ranker coverage | destructive targets not asked for |")
print("|---|---:|" + "---:|" * len(systems) + "---:|---:|---:|")
for f in sorted(out.glob("*.json")):
    r = json.loads(f.read_text())
    cells = []
    for s in systems:
        m = r["systems"].get(s)
        cells.append(f"{m['top3']:.3f} / {m['mrr']:.3f}" if m else "–")
    rk = r["systems"].get("ranker")
    extra = f"{rk['top1']:.3f} | {rk['coverage']:.3f}" if rk else "– | –"
    unasked = r.get("unprompted_destructive_targets", 0)
    print(f"| {f.stem} | {r['cases']} | " + " | ".join(cells) + f" | {extra} | {unasked} ({unasked / max(1, r['cases']):.1%}) |")
PY

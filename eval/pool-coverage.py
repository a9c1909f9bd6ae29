#!/usr/bin/env python3
"""How large a pool must be to hold the answer: from `eval --cases-out` files, the share of cases whose true call is
within the first n of the `shortlist` system (the local generator's ordering of the whole spec, before critique), for
several n, next to the coverage of the service's own reviewed pool (`ranker`, k + the CandidateBudget buffer).

Usage: eval/pool-coverage.py [results-folder]   (default: artifacts/eval, as eval/run-all.sh writes it)"""
import json
import pathlib
import sys

SIZES = [20, 40, 60, 100]
folder = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "artifacts/eval")
print("| dataset | cases | " + " | ".join(f"shortlist @{n}" for n in SIZES) + " | reviewed pool (ranker coverage) |")
print("|---|---:|" + "---:|" * (len(SIZES) + 1))
for path in sorted(folder.glob("*.cases.jsonl")):
    ranks, pooled = [], []
    for line in path.open():
        case = json.loads(line)
        systems = case["systems"]
        if "shortlist" not in systems:
            sys.exit(f"{path}: no 'shortlist' system in the cases; rerun eval with this version")
        ranks.append(systems["shortlist"]["rank"])
        pooled.append(systems.get("ranker", systems.get("heuristic"))["rank"])
    n = max(1, len(ranks))
    cells = [f"{sum(1 for r in ranks if r is not None and r <= size) / n:.3f}" for size in SIZES]
    pool = sum(1 for r in pooled if r is not None) / n
    print(f"| {path.name.removesuffix('.cases.jsonl')} | {len(ranks)} | " + " | ".join(cells) + f" | {pool:.3f} |")

#!/usr/bin/env python3
"""Top-3 on the synthetic held-out cases by the session's prompt kind and by first call / later calls.

Usage: eval/by-prompt-kind.py [system] [results-folder] [heldout.jsonl]
       (default: ranker artifacts/eval data/training/heldout.jsonl)
Needs the cases file eval/run-all.sh writes (synthetic-heldout.cases.jsonl). A case's task id is "<domain>-<n>#<step>",
n being the session's line in heldout.jsonl, whose "promptKind" says how the session was prompted.
"""
import collections
import json
import pathlib
import sys

system = sys.argv[1] if len(sys.argv) > 1 else "ranker"
folder = pathlib.Path(sys.argv[2] if len(sys.argv) > 2 else "artifacts/eval")
heldout = pathlib.Path(sys.argv[3] if len(sys.argv) > 3 else "data/training/heldout.jsonl")

sessions = [json.loads(line) for line in heldout.open() if line.strip()]
counts = collections.defaultdict(lambda: [0, 0])
for line in (folder / "synthetic-heldout.cases.jsonl").open():
    case = json.loads(line)
    session = sessions[int(case["task"].split("#")[0].rsplit("-", 1)[1])]
    rank = case["systems"][system]["rank"]
    key = (session["promptKind"], "first call" if not case["history"] else "later calls")
    counts[key][0] += 1
    counts[key][1] += rank is not None and rank <= 3

print(f"| prompt kind | first call: cases | top3 | later calls: cases | top3 |   ({system}, {folder})")
print("|---|---:|---:|---:|---:|")
for kind in sorted({k for k, _ in counts}):
    first, later = counts[(kind, "first call")], counts[(kind, "later calls")]
    cell = lambda c: f"{c[0]} | {c[1] / c[0]:.3f}" if c[0] else "0 | –"
    print(f"| {kind} | {cell(first)} | {cell(later)} |")

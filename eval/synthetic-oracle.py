#!/usr/bin/env python3
"""An optimistic ceiling for the synthetic held-out set: predict each next call from the held-out domain's own
second-order transition counts, counted on the very sessions being predicted (in-sample), ignoring prompts.
No spec-agnostic model can know these counts for a domain it never saw; the number says how much of the gap to a
perfect top-3 is the sessions' own randomness. A second line predicts from first-order counts learned as the service
learns usage: each session's steps are counted after it is predicted, in file order (test, then learn).

Usage: eval/synthetic-oracle.py [data/training/heldout.jsonl]"""
import collections
import json
import sys

path = sys.argv[1] if len(sys.argv) > 1 else "data/training/heldout.jsonl"
sessions = [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]


def keys(session):
    return [c["method"] + " " + c["pathTemplate"] for c in session["calls"]]


counts = collections.defaultdict(collections.Counter)
for s in sessions:
    ks = keys(s)
    for i, k in enumerate(ks):
        counts[(s["domain"], ks[i - 2] if i > 1 else "^", ks[i - 1] if i > 0 else "^")][k] += 1

cases = top1 = top3 = 0
for s in sessions:
    ks = keys(s)
    for i, k in enumerate(ks):
        ranked = [key for key, _ in counts[(s["domain"], ks[i - 2] if i > 1 else "^", ks[i - 1] if i > 0 else "^")].most_common(3)]
        cases += 1
        top1 += ranked[:1] == [k]
        top3 += k in ranked
print(f"{path}: {cases} cases, in-sample second-order oracle top1 {top1 / cases:.3f} top3 {top3 / cases:.3f}")

learned = collections.defaultdict(collections.Counter)
cases = top1 = top3 = 0
for s in sessions:
    ks = keys(s)
    for i, k in enumerate(ks):
        ranked = [key for key, _ in learned[(s["domain"], ks[i - 1] if i > 0 else "^")].most_common(3)]
        cases += 1
        top1 += ranked[:1] == [k]
        top3 += k in ranked
    for i, k in enumerate(ks):
        learned[(s["domain"], ks[i - 1] if i > 0 else "^")][k] += 1
print(f"{path}: {cases} cases, first-order counts learned from earlier sessions only, no prompt: top1 {top1 / cases:.3f} top3 {top3 / cases:.3f}")

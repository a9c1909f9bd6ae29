#!/usr/bin/env python3
"""Paired comparison of two systems on the same cases: how many cases each has in its top 3 and the other does not,
and z = (gained - lost) / sqrt(gained + lost) (the sign test's normal approximation; |z| < 2 is within noise).

Usage: eval/compare-systems.py [system] [baseline] [results-folder]   (default: ranker ranker-no-intent artifacts/eval)"""
import json
import pathlib
import sys

system = sys.argv[1] if len(sys.argv) > 1 else "ranker"
baseline = sys.argv[2] if len(sys.argv) > 2 else "ranker-no-intent"
folder = pathlib.Path(sys.argv[3] if len(sys.argv) > 3 else "artifacts/eval")


def hit(case, name):
    rank = case["systems"][name]["rank"]
    return rank is not None and 0 < rank <= 3


print(f"| dataset | cases | {system} only | {baseline} only | z |")
print("|---|---:|---:|---:|---:|")
for path in sorted(folder.glob("*.cases.jsonl")):
    cases = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
    cases = [c for c in cases if system in c["systems"] and baseline in c["systems"]]
    gained = sum(hit(c, system) and not hit(c, baseline) for c in cases)
    lost = sum(hit(c, baseline) and not hit(c, system) for c in cases)
    z = (gained - lost) / (gained + lost) ** 0.5 if gained + lost else 0.0
    print(f"| {path.name.removesuffix('.cases.jsonl')} | {len(cases)} | {gained} | {lost} | {z:+.2f} |")

#!/usr/bin/env python3
# Case by case, what `opensesame replay` (the service) answered against what `opensesame eval` ranked for one system
# (default ranker+usage) on the same task set: how many top-k lists are identical, and the paired top-1 / top-3 counts.
# Usage: eval/compare-replay.py EVAL.cases.jsonl REPLAY.cases.jsonl [system]
# (eval ... --cases-out EVAL.cases.jsonl; replay ... --cases-out REPLAY.cases.jsonl; the same dataset and split.)
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
rp = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
system = sys.argv[3] if len(sys.argv) > 3 else "ranker+usage"
assert len(ev) == len(rp), f"{len(ev)} eval cases, {len(rp)} replayed"
same = 0
counts = {1: [0, 0], 3: [0, 0]}
for e, r in zip(ev, rp):
    assert e["expected"] == r["expected"] and e["history"] == r["history"], (e["task"], r["task"])
    k = len(r["answer"]) or 3
    same += e["systems"][system]["top5"][:k] == r["answer"]
    er, rr = e["systems"][system]["rank"], r["rank"]
    for n in counts:
        he, hr = er is not None and er <= n, rr is not None and rr <= n
        counts[n][0] += hr and not he
        counts[n][1] += he and not hr
print(f"{len(ev)} cases, {same} answers identical to eval's {system} list")
for n, (g, l) in counts.items():
    z = (g - l) / (g + l) ** 0.5 if g + l else 0.0
    print(f"top{n}: replay only {g}, eval only {l}, z {z:+.2f}")

#!/usr/bin/env python3
# Paired top-3 comparison of one system between two eval/run-all.sh result folders (same cases, e.g. before and after
# a change; cases pair by task, history and target). Usage: eval/compare-runs.py NEW_DIR BASE_DIR [system,system,...]   (default system: ranker)
import json, pathlib, sys
new_dir, base_dir = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
systems = sys.argv[3].split(",") if len(sys.argv) > 3 else ["ranker"]
def load(p):
    return {(c.get("id") or json.dumps(c.get("case", i))): c for i, c in enumerate(json.loads(l) for l in p.open() if l.strip())}
def hit(c, s):
    r = c["systems"][s]["rank"]; return r is not None and 0 < r <= 3
for s in systems:
    print(f"\n{s}: new ({new_dir}) vs base ({base_dir})")
    print("| dataset | cases | new only | base only | z | top3 base -> new | mrr base -> new |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for p in sorted(new_dir.glob("*.cases.jsonl")):
        new = [json.loads(l) for l in p.open() if l.strip()]
        base = [json.loads(l) for l in (base_dir / p.name).open() if l.strip()]
        # Cases pair by task, history and target, so a change that adds or drops cases still compares the rest.
        key = lambda c: (c.get("task"), json.dumps(c.get("history")), c.get("expected"), c.get("prompt"))
        base_by_key = {key(c): c for c in base}
        paired = [(a, base_by_key[key(a)]) for a in new if key(a) in base_by_key]
        g = l = 0
        for a, b in paired:
            ha, hb = hit(a, s), hit(b, s)
            g += ha and not hb; l += hb and not ha
        z = (g - l) / (g + l) ** 0.5 if g + l else 0
        jn = json.loads((new_dir / (p.name.replace(".cases.jsonl", ".json"))).read_text())["systems"][s]
        jb = json.loads((base_dir / (p.name.replace(".cases.jsonl", ".json"))).read_text())["systems"][s]
        cases = f"{len(new)}" if len(paired) == len(new) == len(base) else f"{len(base)} -> {len(new)} ({len(paired)} paired)"
        print(f"| {p.name.removesuffix('.cases.jsonl')} | {cases} | {g} | {l} | {z:+.2f} | {jb['top3']:.3f} -> {jn['top3']:.3f} | {jb['mrr']:.3f} -> {jn['mrr']:.3f} |")

# Two looks at the cases `eval --cases-out` writes, for a system (default ranker):
#   python3 eval/experiments/case-diagnosis.py repeats CASES.jsonl [system]
#     cases with a history: how often the system's first pick is the last call's operation again, and how often the
#     target is;
#   python3 eval/experiments/case-diagnosis.py lost OLD.jsonl NEW.jsonl [system]
#     cases in the top 3 of OLD and not of NEW (and the reverse), split into first calls (empty history) and later ones.
import json, re, sys

def load(path):
    return {(c["task"], len(c["history"])): c for c in map(json.loads, open(path))}

def endpoint(event):
    return event if isinstance(event, str) else event.get("endpoint")

def same_operation(template, call):
    # "GET /movie/{movie_id}" against a concrete "GET /movie/603": same method, every placeholder one segment.
    if not template or not call:
        return False
    (tm, tp), (cm, cp) = template.split(" ", 1), call.split(" ", 1)
    pattern = "^" + re.sub(r"\\\{[^}]*\\\}", "[^/]+", re.escape(tp.split("#")[0])) + "$"
    return tm == cm and re.match(pattern, cp.split("?")[0]) is not None

def hit(case, system):
    rank = case["systems"][system]["rank"]
    return rank is not None and rank <= 3

if sys.argv[1] == "repeats":
    system = sys.argv[3] if len(sys.argv) > 3 else "ranker"
    cases = [c for c in load(sys.argv[2]).values() if c["history"]]
    first = sum(same_operation((c["systems"][system]["top5"] or [None])[0], endpoint(c["history"][-1])) for c in cases)
    target = sum(same_operation(c["expected"], endpoint(c["history"][-1])) for c in cases)
    print(f"{len(cases)} cases with a history: {system} puts the last call's operation first in {first}; the target repeats it in {target}")
else:
    system = sys.argv[4] if len(sys.argv) > 4 else "ranker"
    old, new = load(sys.argv[2]), load(sys.argv[3])
    both = [k for k in new if k in old]
    for name, keys in (("first calls", [k for k in both if k[1] == 0]), ("later calls", [k for k in both if k[1] > 0])):
        lost = sum(hit(old[k], system) and not hit(new[k], system) for k in keys)
        won = sum(hit(new[k], system) and not hit(old[k], system) for k in keys)
        print(f"{name}: {len(keys)} cases, {lost} lost, {won} won")

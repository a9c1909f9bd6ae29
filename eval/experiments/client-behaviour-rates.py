# Breaks the recorded client traffic's consecutive call pairs down by kind: exact repeat, next page, same operation on
# another id, read right after a write. Run from ../shared/traffic: python3 <repo>/eval/experiments/client-behaviour-rates.py
# The rates of ClientBehaviourOptions are justified by its total line. With a generated sessions file as argument
# (data/training/train.jsonl) the last line is also printed for those sessions, to compare.
import json,glob,collections,re,sys
PAGE=re.compile(r'^(page|per_page|cursor|starting_after|ending_before|offset|limit|pageToken|page_token|after|before|since|max_id|pagination_token|next_token|start_cursor)$',re.I)
tot=collections.Counter()
for f in sorted(glob.glob("sessions/*.jsonl")):
    api=f.split('/')[-1][:-6]; c=collections.Counter()
    for l in open(f):
        r=json.loads(l); cs=r["calls"]
        for a,b in zip(cs,cs[1:]):
            c['pairs']+=1
            ka=a["template"] or a["method"]+" "+a["path"]; kb=b["template"] or b["method"]+" "+b["path"]
            if ka!=kb:
                # polling: GET of a path after a non-GET on same path or prefix
                if b["method"]=="GET" and a["method"]!="GET" and (a["path"].startswith(b["path"]) or b["path"].startswith(a["path"])): c['read_after_write']+=1
                continue
            if a["path"]==b["path"] and a["query"]==b["query"]: c['exact']+=1
            elif a["path"]==b["path"]:
                ks=set(k for k in set(a["query"])|set(b["query"]) if a["query"].get(k)!=b["query"].get(k))
                c['paging' if any(PAGE.match(k) for k in ks) else 'other_query']+=1
            else: c['other_id']+=1
    tot.update(c)
    print(api, dict(c), {k: round(100*v/max(1,c['pairs']),1) for k,v in c.items() if k!='pairs'})
print('total', {k: round(100*v/max(1,tot['pairs']),1) for k,v in tot.items() if k!='pairs'})

# Do repeats cluster in some clients' sessions, or fall on any call? Sessions of four calls or more: the share that
# repeat an operation back to back at all, against the share expected if the same pair rate fell independently on
# every call. ClientBehaviourOptions.RepeatingClientShare is justified by this line.
def clustering(name, sessions):
    sessions = [s for s in sessions if len(s) >= 4]
    repeats = [sum(a == b for a, b in zip(s, s[1:])) for s in sessions]
    pairs = sum(len(s) - 1 for s in sessions)
    rate = sum(repeats) / pairs
    independent = sum(1 - (1 - rate) ** (len(s) - 1) for s in sessions) / len(sessions)
    print(f"{name}: sessions of 4+ calls: {len(sessions)}; pairs repeating the operation {100 * rate:.1f} %; "
          f"sessions with any repeat {100 * sum(r > 0 for r in repeats) / len(sessions):.1f} % "
          f"(independent per call: {100 * independent:.1f} %); never {100 * sum(r == 0 for r in repeats) / len(sessions):.1f} %; "
          f"on more than 30 % of steps {100 * sum(r / (len(s) - 1) > 0.3 for r, s in zip(repeats, sessions)) / len(sessions):.1f} %")

clustering("recorded", [[c["template"] for c in json.loads(l)["calls"] if c["template"]]
                        for f in sorted(glob.glob("sessions/*.jsonl")) for l in open(f)])
if len(sys.argv) > 1:
    clustering(sys.argv[1], [[c["method"] + " " + c["pathTemplate"] for c in json.loads(l)["calls"]]
                             for l in open(sys.argv[1]) if l.strip()])

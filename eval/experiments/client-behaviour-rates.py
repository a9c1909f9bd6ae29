# Breaks the recorded client traffic's consecutive call pairs down by kind: exact repeat, next page, same operation on
# another id, read right after a write. Run from ../shared/traffic: python3 <repo>/eval/experiments/client-behaviour-rates.py
# The rates of ClientBehaviourOptions are justified by its total line.
import json,glob,collections,re
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

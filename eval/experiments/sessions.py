#!/usr/bin/env python3
# Sends sessions of one workflow to a running service, each request resending the history so far (so the service
# records every prediction's outcome), and prints the answers' status codes, the model versions that answered, and
# top-3: how often the workflow's next call was among the first three suggestions.
# Usage: eval/experiments/sessions.py BASE-URL SPEC-PATH FIRST COUNT CALL...   ("{0}" in a call is the session number;
# ids in_<n> and cus_<n> are read back as {invoice} and {customer} to compare with the suggested templates.)
import json, re, sys, urllib.request, urllib.error

base, spec, first, count, flow = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5:]


def template(call):
    method, path = call.split(" ", 1)
    return method + " " + re.sub(r"/(in|cus)_\d+", lambda m: "/{invoice}" if m.group(1) == "in" else "/{customer}", path)


codes, versions, hits, asked = {}, {}, 0, 0
for s in range(first, first + count):
    for n in range(1, len(flow) + 1):
        body = {"user_id": f"u-{s % 3}", "session_id": f"s-{s}", "spec_url": spec, "k": 3,
                "events": [{"endpoint": e.format(s)} for e in flow[:n]]}
        request = urllib.request.Request(base + "/predict", json.dumps(body).encode(), {"content-type": "application/json"})
        try:
            with urllib.request.urlopen(request) as response:
                codes[response.status] = codes.get(response.status, 0) + 1
                answer = json.load(response)
        except urllib.error.HTTPError as error:
            codes[error.code] = codes.get(error.code, 0) + 1
            continue
        versions[answer["model_version"]] = versions.get(answer["model_version"], 0) + 1
        if n < len(flow):
            asked += 1
            hits += template(flow[n].format(s)) in [p["endpoint"] for p in answer["predictions"][:3]]
print(f"sessions {first}-{first + count - 1}: status {codes}, answered by {versions}, top-3 {hits}/{asked} = {hits / max(1, asked):.3f}")

"""How often a reader gives one span to different questions about the same passage.

usage: python3 distinct-spans.py type-probe.json --requests OUT.jsonl
         writes the diagnostic's questions (gold passage only) as `reader answer` requests
       python3 distinct-spans.py type-probe.json NAME=ANSWERS.jsonl ...
         prints, per reader, the distinct cited spans over all questions (37 when every question gets its own span)
         and the questions that share their passage's most common span (10, one per passage, at best)
"""
import collections
import json
import sys


def main(args):
    probe = json.load(open(args[0]))
    requests = [{"id": q["id"], "question": q["question"], "contexts": [{"id": a["title"], "text": p["context"]}]}
                for a in probe["data"] for p in a["paragraphs"] for q in p["qas"]]
    if args[1] == "--requests":
        with open(args[2], "w") as out:
            out.writelines(json.dumps(r) + "\n" for r in requests)
        return
    print("| reader | distinct spans | questions on their passage's most common span |")
    print("|---|---:|---:|")
    for spec in args[1:]:
        name, path = spec.split("=", 1)
        answers = {a["id"]: a for a in map(json.loads, open(path))}
        spans = collections.defaultdict(list)
        for r in requests:
            citation = answers[r["id"]]["citation"]
            spans[r["contexts"][0]["id"]].append((citation["start"], citation["end"]) if citation else None)
        distinct = sum(len(set(s)) for s in spans.values())
        shared = sum(collections.Counter(s).most_common(1)[0][1] for s in spans.values())
        print(f"| {name} | {distinct} / {len(requests)} | {shared} |")


if __name__ == "__main__":
    main(sys.argv[1:])

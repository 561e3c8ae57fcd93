"""Summarizes burst.sh logs: per log, how many answers retrieved another passage set than the one most answers to the
same question retrieved over all the logs given (a merge that answered with part of the index: the sample documents
are one chunk each, so a merge missing a subtask's result retrieves another set), how many answered otherwise than the
most common answer to their question over all the logs, the abstentions by reason, and the latency percentiles the
job reported. The references are pooled over the logs because in one log with many partial merges the most common
set of a question can itself be a partial one.   Usage: python3 analyze.py LOG..."""
import collections
import re
import sys


def answers(path):
    question = answer = None
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith("Q: "):
            question = line[3:]
        elif line.startswith("A: "):
            answer = line[3:]
        elif question is not None and re.match(r"^   \d+ ms, model ", line):
            latency = int(line.split()[0])
            retrieved = frozenset(line.split("retrieved ", 1)[1].split(", "))
            yield question, answer, retrieved, latency
            question = None


def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


logs = {path: list(answers(path)) for path in sys.argv[1:]}
pooled_sets = collections.defaultdict(collections.Counter)
pooled_answers = collections.defaultdict(collections.Counter)
for rows in logs.values():
    for question, answer, retrieved, _ in rows:
        pooled_sets[question][retrieved] += 1
        pooled_answers[question][answer] += 1
reference_set = {q: c.most_common(1)[0][0] for q, c in pooled_sets.items()}
reference_answer = {q: c.most_common(1)[0][0] for q, c in pooled_answers.items()}

print("| log | questions | other passage set | other answer | abstentions | latency p50 / p90 / max (ms) |")
print("|---|---:|---:|---:|---|---|")
for path, rows in logs.items():
    other_set = sum(r != reference_set[q] for q, _, r, _ in rows)
    other_answer = sum(a != reference_answer[q] for q, a, _, _ in rows)
    reasons = collections.Counter(
        re.match(r"\(abstained: ([a-z-]+)", a).group(1) for _, a, _, _ in rows if a.startswith("(abstained"))
    latencies = [latency for *_, latency in rows]
    print(f"| {path.split('/')[-1]} | {len(rows)} | {other_set} | {other_answer} | "
          f"{', '.join(f'{k} {v}' for k, v in sorted(reasons.items())) or 'none'} | "
          f"{percentile(latencies, .5)} / {percentile(latencies, .9)} / {max(latencies)} |")

"""Pools the shipped test report with the seed reports of this folder (run from the repository root)."""
import json

RUNS = {'42 (shipped)': 'docs/results/summarization-eval.json'}
RUNS.update({str(s): f'docs/results/summarization-seeds/seed-{s}/summarization-eval.json' for s in (43, 44, 45, 46)})
MEASURES = ('rouge1', 'rouge2', 'rougeL')

scores = {}
print('| seed | diff-v1 R1 / R2 / RL | vanilla R1 / R2 / RL | diff-v1 − vanilla RL [95%] '
      '| diff-v1 − lead-3 RL [95%] | vanilla − lead-3 RL [95%] |')
print('|---|---|---|---|---|---|')
for seed, path in RUNS.items():
    report = json.load(open(path))
    rows = {row['system']: row for row in report['rows']}
    rl = {(d['a'], d['b']): d for d in report['differences'] if d['measure'] == 'rougeL'}
    for system in ('diff-v1', 'vanilla', 'lead-3'):
        for m in MEASURES:
            scores.setdefault((system, m), []).append(rows[system][m])
    row = lambda s: ' / '.join(f'{rows[s][m]:.2f}' for m in MEASURES)
    diff = lambda a, b: f"{rl[(a, b)]['difference']:+.2f} [{rl[(a, b)]['low']:+.2f}, {rl[(a, b)]['high']:+.2f}]"
    print(f"| {seed} | {row('diff-v1')} | {row('vanilla')} | {diff('diff-v1', 'vanilla')} "
          f"| {diff('diff-v1', 'lead-3')} | {diff('vanilla', 'lead-3')} |")
mean = lambda s: ' / '.join(f'{sum(scores[(s, m)]) / len(scores[(s, m)]):.2f}' for m in MEASURES)
print(f"| mean of {len(RUNS)} | {mean('diff-v1')} | {mean('vanilla')} | | | |")
print(f"\nLEAD-3 (every seed): {mean('lead-3')}")

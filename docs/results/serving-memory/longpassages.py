# Distinct long passages (each about 7,900 characters, under the server's 8,000 limit), 5 per request, sequentially.
import gzip, json, random, sys, time, urllib.request, urllib.error
data, pid, requests_to_send, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
texts = [json.loads(l)['ctxs'][0]['text'] for l in gzip.open(data + '/qa/nq-open-oracle.jsonl.gz', 'rt')]
rng = random.Random(7)
def rss():
    try:
        with open(f'/proc/{pid}/status') as f:
            for l in f:
                if l.startswith('VmRSS'): return int(l.split()[1]) // 1024
    except FileNotFoundError:
        return -1
def passage(n):
    words = []
    while sum(len(w) + 1 for w in words) < 7800:
        words.extend(rng.choice(texts).split())
    return (f'Record {n}. ' + ' '.join(words))[:7900]
t0 = time.time()
with open(out, 'w') as f:
    for r in range(requests_to_send):
        body = {'question': 'Who wrote it?', 'contexts': [{'id': str(i), 'text': passage(5 * r + i)} for i in range(5)]}
        req = urllib.request.Request('http://127.0.0.1:8080/v1/answer', json.dumps(body).encode(), {'Content-Type': 'application/json'})
        try:
            with urllib.request.urlopen(req, timeout=300) as resp:
                status = resp.status
        except urllib.error.HTTPError as e:
            status = e.code
        except Exception as e:
            status = type(e).__name__
        if r % 10 == 0 or status != 200:
            print(f'{time.time()-t0:6.0f}s request {r} status {status} rss={rss()}MB', file=f, flush=True)
        if status != 200 and r > 0 and rss() < 0:
            break

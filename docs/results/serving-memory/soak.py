import gzip, json, random, sys, time, threading, urllib.request, subprocess, os
data, pid, minutes, out = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
recs = [json.loads(l) for l in gzip.open(data + '/qa/nq-open-oracle.jsonl.gz', 'rt')]
rng = random.Random(1)
def rss():
    with open(f'/proc/{pid}/status') as f:
        for l in f:
            if l.startswith('VmRSS'): return int(l.split()[1]) // 1024
def post(path, body):
    req = urllib.request.Request('http://127.0.0.1:8080' + path, json.dumps(body).encode(), {'Content-Type': 'application/json'})
    with urllib.request.urlopen(req, timeout=120) as r:
        return r.status
counts = {'answer': 0, 'summarize': 0, 'err': 0}
stop = time.time() + minutes * 60
def worker(seed):
    r = random.Random(seed)
    while time.time() < stop:
        try:
            if r.random() < 0.75:
                qs = r.sample(recs, 5)
                ctx = [{'id': str(i), 'text': q['ctxs'][0]['text']} for i, q in enumerate(qs)]
                r.shuffle(ctx)
                post('/v1/answer', {'question': qs[0]['question'], 'contexts': ctx}); counts['answer'] += 1
            else:
                docs = [{'id': str(i), 'text': ' '.join(q['ctxs'][0]['text'] for q in r.sample(recs, r.randint(1, 8)))} for i in range(r.randint(1, 4))]
                post('/v1/summarize', {'documents': docs}); counts['summarize'] += 1
        except Exception as e:
            counts['err'] += 1
threads = [threading.Thread(target=worker, args=(s,)) for s in range(3)]
t0 = time.time()
for t in threads: t.start()
with open(out, 'w') as f:
    while any(t.is_alive() for t in threads):
        line = f"{time.time()-t0:7.0f}s rss={rss()}MB answers={counts['answer']} summaries={counts['summarize']} errors={counts['err']}"
        print(line, file=f, flush=True)
        time.sleep(20)
    print(f"done rss={rss()}MB {counts}", file=f, flush=True)

"""`needle train` for a lent GPU: trains the retrieval models (diff-v1, diff-v2, vanilla) in lockstep.

Input: the blocks written by `needle export` (WordPiece ids from the project's own tokenizer), so this file only
assembles ids. Each update draws one batch from (seed, update) and applies it to every model, so all models see the
same data for the same number of updates. The data follow RetrievalBatches.java: a share of kv-retrieval updates
(finished prompts from the export: windows of the training records, each asking one of its keys), the rest multi-needle prompts laid out as NeedleTask + NeedlePrompt do
(haystack of whole essay sentences, 1..6 needles at depths dealt from 0/25/50/75/100%, all of them asked).

Two heads, as `needle train --head`: `lm` writes each answer through the tied LM head (loss on the answer tokens and
their closing [SEP], AnswerLm.java); `pointer` points at the answer in the context (loss on each question's answer
start and last position over the context positions, AnswerPointer.java + PointerBatches.java).

The number of updates is fixed before the learning rate leaves warm-up: after --calibration updates it is set to
what fits --minutes at the measured pace (or --steps when given), and training.json records how it was chosen.

Output per model: OUT/<model>/{config.json, model.safetensors (float16), training.json}, which `needle report`
(Java) reads like the checkpoints of `needle train`.

Usage: python3 train_needles.py BLOCKS.json.gz --out OUT [--minutes 7] [options, see --help]
"""
import argparse
import gzip
import json
import math
import pathlib
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple, Optional

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import save_file

from diff_transformer import AnswerPointer, DiffTransformer, ModelConfig

KINDS = {"diff-v1": "DIFF_V1", "diff-v2": "DIFF_V2", "vanilla": "VANILLA"}
DEPTHS = (0, 25, 50, 75, 100)
VOCAB_SIZE = 30522
IGNORE = -100


def main(argv):
    args = parse(argv)
    blocks = Blocks(args.blocks)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    torch.backends.cuda.matmul.allow_tf32 = True  # float32 weights and softmax, as Java evaluates; TF32 products
    log(f"device {device} ({torch.cuda.get_device_name() if device.type == 'cuda' else 'cpu'}), torch "
        f"{torch.__version__}")

    models, optimizers = {}, {}
    for name in args.models:
        torch.manual_seed(args.seed)
        config = ModelConfig.of(KINDS[name], args.d_model, args.layers, args.head_dim, VOCAB_SIZE, args.max_length)
        models[name] = (AnswerPointer if args.head == "pointer" else DiffTransformer)(config).to(device)
        optimizers[name] = adamw(models[name], args)
        log(f"{name}: {parameters(models[name]):,} parameters, {config}")

    total = args.steps or None
    losses = {name: [] for name in models}
    skipped = {name: [] for name in models}
    stopped_by = "steps"
    started = time.time()
    pace_from = None
    step = 0
    prefetch = ThreadPoolExecutor(max_workers=1)  # the next batch is assembled while the GPU works
    upcoming = prefetch.submit(batch, blocks, args, 0)
    try:
        while total is None or step < total:
            step += 1
            tensors = [t.to(device, non_blocking=True) for t in upcoming.result()]
            upcoming = prefetch.submit(batch, blocks, args, step)
            rate = learning_rate(args, step, total)
            for name, model in models.items():
                for group in optimizers[name].param_groups:
                    group["lr"] = rate
                loss = answer_loss(model, args.head, tensors)
                optimizers[name].zero_grad(set_to_none=True)
                loss.backward()
                norm = torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
                if torch.isfinite(norm):
                    optimizers[name].step()
                else:
                    skipped[name].append(step)  # not applied; recorded in training.json
                losses[name].append(loss.detach())
            if step == 3:
                sync(device)
                pace_from = time.time()  # the first updates include CUDA start-up
            if total is None and step == args.calibration:
                sync(device)
                pace = (time.time() - pace_from) / (step - 3)
                total = max(args.warmup + 1, int((args.minutes * 60 - (time.time() - started)) / pace) + step)
                log(f"pace {pace:.3f} s per update over updates 4..{step}: {total} updates fit {args.minutes} min")
            if step % args.log_every == 0:
                recent = {n: float(torch.stack(v[-args.log_every:]).mean()) for n, v in losses.items()}
                log(f"update {step}/{total} lr {rate:.2e} " + " ".join(f"{n} {v:.4f}" for n, v in recent.items())
                    + f" ({time.time() - started:.0f} s)")
            if step != total and time.time() - started > args.minutes * 60 * 1.15:
                stopped_by = "max-minutes"
                break
    except RuntimeError as error:  # out of memory, say: keep what was trained, and say why it stopped
        stopped_by = f"error at update {step}: {error}"
        log(stopped_by)
    prefetch.shutdown(cancel_futures=True)
    sync(device)
    seconds = time.time() - started
    for name, model in models.items():
        save(pathlib.Path(args.out) / name, name, model, args, blocks, total, len(losses[name]),
             [float(x) for x in torch.stack(losses[name]).cpu()], skipped[name], seconds, stopped_by, device)
    log(f"{step} updates in {seconds:.0f} s ({stopped_by}), saved to {args.out}")


def parse(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("blocks", help="needle-blocks.json.gz from `needle export`")
    p.add_argument("--out", required=True)
    p.add_argument("--models", type=lambda s: s.split(","), default=["diff-v1", "diff-v2", "vanilla"])
    p.add_argument("--head", choices=["lm", "pointer"], default="lm",
                   help="lm: write the answer through the LM head; pointer: point at it in the context")
    p.add_argument("--minutes", type=float, default=7.0, help="training time for all models together")
    p.add_argument("--steps", type=int, default=0, help="fixed number of updates (0: fit --minutes)")
    p.add_argument("--calibration", type=int, default=40, help="updates timed to fit --minutes")
    p.add_argument("--warmup", type=int, default=100)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--min-lr", type=float, default=3e-4)
    p.add_argument("--weight-decay", type=float, default=0.1)
    p.add_argument("--clip", type=float, default=1.0)
    p.add_argument("--d-model", type=int, default=128)
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--head-dim", type=int, default=32)
    p.add_argument("--max-length", type=int, default=4608)
    p.add_argument("--batch-tokens", type=int, default=32768)
    p.add_argument("--lengths", type=ints, default=[64, 128, 256, 512, 1024, 2048, 4096])
    p.add_argument("--length-weights", type=floats, default=[0.1, 0.1, 0.1, 0.15, 0.15, 0.2, 0.2])
    p.add_argument("--max-needles", type=int, default=6)
    p.add_argument("--kv-share", type=float, default=0.1)
    p.add_argument("--kv-pairs", type=ints, default=None, help="window sizes drawn (default: all exported)")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--log-every", type=int, default=50)
    args = p.parse_args(argv)
    args.command = "train_needles.py " + " ".join(argv)
    if len(args.lengths) != len(args.length_weights):
        p.error("--lengths and --length-weights differ in size")
    if args.calibration <= 3 or args.calibration >= args.warmup:
        p.error("--calibration must lie in 4..warmup-1, so the schedule is fixed before warm-up ends")
    return args


def ints(text):
    return [int(x) for x in text.split(",")]


def floats(text):
    return [float(x) for x in text.split(",")]


class Blocks:
    """The output of `needle export`: essays (sentences of ids), cities, numbers and finished kv prompts."""

    def __init__(self, path):
        with gzip.open(path, "rt", encoding="utf-8") as f:
            data = json.load(f)
        self.command = data["command"]
        self.sep = data["sep"]
        self.essays = data["essays"]
        self.cities = data["cities"]
        self.suffix = data["needleSuffix"]
        self.numbers = [n["ids"] for n in data["numbers"]]
        self.kv = {}
        for prompt in data["kv"]:
            rows = prompt["targets"]  # (position, token) for the value's tokens and [SEP]
            asked = Asked(rows[0][0], [token for _, token in rows], prompt.get("answerStart"), prompt.get("answerEnd"))
            self.kv.setdefault(prompt["pairs"], []).append(
                Prompt(prompt["ids"], prompt.get("contextLength"), [asked]))


class Asked(NamedTuple):
    """One asked question: its last position (which predicts the answer), the answer's ids and closing [SEP], and
    where the context states the answer, tokens [start, end) (None in exports made before the pointer head)."""
    query: int
    answer: list
    start: Optional[int]
    end: Optional[int]


class Prompt(NamedTuple):
    """context … [SEP] question₁ answer₁ [SEP] …: NeedlePrompt.java on ids."""
    ids: list
    context_length: Optional[int]
    asked: list


def batch(blocks, args, update):
    """Update `update`'s prompts (0-based), padded on the right, as the head trains on them (collate)."""
    rng = np.random.default_rng([args.seed, update])
    prompts, tokens = [], 0
    if rng.random() < args.kv_share:
        sizes = args.kv_pairs or sorted(blocks.kv)
        pool = blocks.kv[sizes[rng.integers(len(sizes))]]
        while tokens < args.batch_tokens:
            prompts.append(pool[rng.integers(len(pool))])
            tokens += len(prompts[-1].ids)
    else:
        weights = np.array(args.length_weights) / sum(args.length_weights)
        length = args.lengths[rng.choice(len(args.lengths), p=weights)]
        limit = max(1, min(args.max_needles, length // 24))  # at most one needle per 24 context tokens
        while tokens < args.batch_tokens:
            prompts.append(needle_prompt(blocks, rng, length, 1 + int(rng.integers(limit))))
            tokens += len(prompts[-1].ids)
    return collate(prompts, args.head)


def collate(prompts, head):
    """lm: ids (B, T), positions (B, A), targets (B, A) of every answer token (AnswerLm.java);
    pointer: ids (B, T), queries (B, Q), labels (B, 2Q) = answer starts then last positions, context (B, T) 1 where
    the pointer may point (PointerBatches.java). Padding slots are IGNORE."""
    width = max(len(p.ids) for p in prompts)
    ids = torch.zeros(len(prompts), width, dtype=torch.long)
    for b, prompt in enumerate(prompts):
        ids[b, :len(prompt.ids)] = torch.tensor(prompt.ids)
    if head == "pointer":
        if any(a.start is None for p in prompts for a in p.asked):
            raise ValueError("these blocks have no pointer labels for kv prompts: run `needle export` again")
        questions = max(len(p.asked) for p in prompts)
        queries = torch.zeros(len(prompts), questions, dtype=torch.long)
        labels = torch.full((len(prompts), 2 * questions), IGNORE, dtype=torch.long)
        context = torch.zeros(len(prompts), width, dtype=torch.long)
        for b, prompt in enumerate(prompts):
            context[b, :prompt.context_length] = 1
            for q, asked in enumerate(prompt.asked):
                queries[b, q] = asked.query
                labels[b, q] = asked.start
                labels[b, questions + q] = asked.end - 1
        return ids, queries, labels, context
    rows = [[(a.query + k, token) for a in p.asked for k, token in enumerate(a.answer)] for p in prompts]
    answers = max(len(r) for r in rows)
    positions = torch.zeros(len(prompts), answers, dtype=torch.long)
    targets = torch.full((len(prompts), answers), IGNORE, dtype=torch.long)
    for b, prompt_rows in enumerate(rows):
        positions[b, :len(prompt_rows)] = torch.tensor([r[0] for r in prompt_rows])
        targets[b, :len(prompt_rows)] = torch.tensor([r[1] for r in prompt_rows])
    return ids, positions, targets


def answer_loss(model, head, tensors):
    """Mean cross-entropy over the batch's labels: answer tokens over the vocabulary (lm), or each answer's start and
    last position over the context positions (pointer)."""
    if head == "pointer":
        ids, queries, labels, context = tensors
        logits = model.pointer_logits(ids, queries, context)  # (B, 2Q, T)
        return F.cross_entropy(logits.flatten(0, 1), labels.flatten(), ignore_index=IGNORE)
    ids, positions, targets = tensors
    logits = model.answer_logits(ids, positions)  # (B, A, vocab)
    return F.cross_entropy(logits.flatten(0, 1), targets.flatten(), ignore_index=IGNORE)


def needle_prompt(blocks, rng, length, needles):
    """NeedleTask.generate and NeedlePrompt.of on ids: context … [SEP] question₁ answer₁ [SEP] …, with every needle
    asked."""
    cities = rng.permutation(len(blocks.cities))[:needles]
    numbers = rng.choice(len(blocks.numbers), size=needles, replace=False)
    depths = deal_depths(rng, needles)
    sentences = [blocks.cities[c]["needlePrefix"] + blocks.numbers[n] + blocks.suffix
                 for c, n in zip(cities, numbers)]
    haystack = whole_sentences(blocks, rng, length - sum(len(s) for s in sentences))
    slots = [math.floor(depth / 100 * len(haystack) + 0.5) for depth in depths]  # needle i goes before sentence slot
    context, placed, number_at = [], [], {}
    for s in range(len(haystack) + 1):
        for i in range(needles):
            if slots[i] == s:
                placed.append(i)
                number_at[i] = len(context) + len(blocks.cities[cities[i]]["needlePrefix"])
                context.extend(sentences[i])
        if s < len(haystack):
            context.extend(haystack[s])
    ids, asked = context + [blocks.sep], []
    for j in rng.permutation(len(placed)):
        i = placed[j]
        ids.extend(blocks.cities[cities[i]]["question"])
        number = blocks.numbers[numbers[i]]
        answer = number + [blocks.sep]
        asked.append(Asked(len(ids) - 1, answer, number_at[i], number_at[i] + len(number)))
        ids.extend(answer)
    return Prompt(ids, len(context), asked)


def deal_depths(rng, needles):
    """Every depth once per round of five, each round shuffled."""
    dealt = []
    while len(dealt) < needles:
        dealt.extend(DEPTHS[k] for k in rng.permutation(len(DEPTHS))[:needles - len(dealt)])
    return dealt


def whole_sentences(blocks, rng, budget):
    """The longest run of whole sentences, essays in shuffled order, of at most `budget` tokens."""
    haystack, used = [], 0
    for essay in rng.permutation(len(blocks.essays)):
        for sentence in blocks.essays[essay]:
            if used + len(sentence) > budget:
                return haystack
            haystack.append(sentence)
            used += len(sentence)
    raise ValueError(f"the essays hold only {used} tokens, {budget} are needed")


def adamw(model, args):
    """AdamW (0.9, 0.95), weight decay on matrices only (AdamW.java)."""
    matrices = [p for p in model.parameters() if p.dim() >= 2]
    others = [p for p in model.parameters() if p.dim() < 2]
    return torch.optim.AdamW([{"params": matrices, "weight_decay": args.weight_decay},
                              {"params": others, "weight_decay": 0.0}], lr=args.lr, betas=(0.9, 0.95), eps=1e-8)


def learning_rate(args, step, total):
    """TrainingConfig.learningRate: linear warm-up to --lr, then cosine decay to --min-lr at `total` (1-based)."""
    if step <= args.warmup:
        return args.lr * step / args.warmup
    progress = min(1.0, (step - args.warmup) / (total - args.warmup))
    return args.min_lr + (args.lr - args.min_lr) * 0.5 * (1 + math.cos(math.pi * progress))


def save(target, name, model, args, blocks, total, done, losses, skipped, seconds, stopped_by, device):
    target.mkdir(parents=True, exist_ok=True)
    (target / "config.json").write_text(model.config.to_json())
    weights = {k: v.detach().to(torch.float16).contiguous().cpu() for k, v in model.state_dict().items()}
    save_file(weights, str(target / "model.safetensors"))
    curve = [[min(i + 10, len(losses)), sum(losses[i:i + 10]) / len(losses[i:i + 10])]
             for i in range(0, len(losses), 10)]
    (target / "training.json").write_text(json.dumps({
        "model": name, "head": args.head, "config": json.loads(model.config.to_json()),
        "parameters": parameters(model),
        "trainer": "model-server/python/train_needles.py", "device": str(device),
        "deviceName": torch.cuda.get_device_name() if device.type == "cuda" else "cpu",
        "torch": torch.__version__, "dtype": "float32 (TF32 matrix products on CUDA)",
        "training": {"learningRate": args.lr, "minLearningRate": args.min_lr, "warmupSteps": args.warmup,
                     "totalSteps": total, "weightDecay": args.weight_decay, "beta1": 0.9, "beta2": 0.95,
                     "eps": 1e-8, "gradClipNorm": args.clip, "seed": args.seed},
        "stepsChosenBy": f"fixed --steps {args.steps}" if args.steps else
        f"pace of updates 4..{args.calibration}, to fit --minutes {args.minutes}",
        "mix": {"lengths": args.lengths, "lengthWeights": args.length_weights, "maxNeedles": args.max_needles,
                "kvShare": args.kv_share, "kvPairs": args.kv_pairs or sorted(blocks.kv),
                "batchTokens": args.batch_tokens},
        "stepsDone": done, "skippedNonFiniteUpdates": skipped, "trainSecondsAllModels": seconds, "firstLoss": mean(losses[:20]),
        "lastLoss": mean(losses[-20:]), "stoppedBy": stopped_by, "lossCurve": curve,
        "command": args.command, "blocks": blocks.command}, indent=1))


def parameters(model):
    return sum(p.numel() for p in model.parameters())


def mean(values):
    return sum(values) / len(values) if values else float("nan")


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


def log(message):
    print(time.strftime("%H:%M:%S"), message, flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])

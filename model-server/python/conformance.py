"""Writes the fixtures of PythonTrainerConformanceTest: for each attention kind a small random model (config.json,
model.safetensors) and its outputs on fixed tokens (expected.json), and the same for a random AnswerPointer
(pointer-<kind>: its start and end scores). The Java test loads them with ModelCheckpoint.load and
AnswerPointer.load and must reproduce the outputs, so a checkpoint trained by train_needles.py means in Java what it
meant here.

Usage: python3 conformance.py OUT_DIR
"""
import json
import pathlib
import sys

import torch
from safetensors.torch import save_file

from diff_transformer import AnswerPointer, DiffTransformer, ModelConfig

NAMES = {"DIFF_V1": "diff-v1", "DIFF_V2": "diff-v2", "VANILLA": "vanilla"}


def main(out):
    for kind, name in NAMES.items():
        config = ModelConfig.of(kind, d_model=16, layers=2, head_dim=4, vocab_size=40, max_length=24)
        torch.manual_seed(7)
        model = enlarged(DiffTransformer(config))
        with torch.no_grad():
            ids = torch.randint(1, config.vocabSize, (2, 12))
            positions = torch.tensor([[3, 7, 11], [0, 5, 9]])
            expected = {"ids": ids.tolist(), "positions": positions.tolist(),
                        "hidden": model(ids).tolist(),  # (2, 12, 16)
                        "logits": model.answer_logits(ids, positions).tolist()}  # (2, 3, 40)
        write(pathlib.Path(out) / name, model, expected)

        torch.manual_seed(11)
        pointer = enlarged(AnswerPointer(config))
        with torch.no_grad():
            ids = torch.randint(1, config.vocabSize, (2, 12))
            queries = torch.tensor([[8, 11], [9, 10]])  # question ends after contexts of 7 and 5 tokens
            context_mask = torch.tensor([[1] * 7 + [0] * 5, [1] * 5 + [0] * 7])
            expected = {"ids": ids.tolist(), "queries": queries.tolist(), "contextMask": context_mask.tolist(),
                        "pointerLogits": pointer.pointer_logits(ids, queries, context_mask).tolist()}  # (2, 4, 12)
        write(pathlib.Path(out) / f"pointer-{name}", pointer, expected)


def enlarged(model):
    """Larger weights than training starts from, so that attention is peaked and every term (gains, λ, rotary
    angles) moves the outputs: a formula that differs from Java's cannot hide in near-uniform maps."""
    with torch.no_grad():
        for p in model.parameters():
            if p.dim() == 1:
                p.add_(0.3 * torch.randn_like(p))
            else:
                p.normal_(std=0.4)
    return model


def write(target, model, expected):
    target.mkdir(parents=True, exist_ok=True)
    (target / "config.json").write_text(model.config.to_json())
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(target / "model.safetensors"))
    (target / "expected.json").write_text(json.dumps({**expected, "torch": torch.__version__}))
    print(f"{target.name}: {sum(p.numel() for p in model.parameters())} parameters -> {target}")

if __name__ == "__main__":
    main(sys.argv[1])

"""Writes the fixtures of PythonTrainerConformanceTest: for each attention kind a small random model (config.json,
model.safetensors) and its outputs on fixed tokens (expected.json). The Java test loads the model with
ModelCheckpoint.load and must reproduce the outputs, so a checkpoint trained by train_needles.py means in Java what
it meant here.

Usage: python3 conformance.py OUT_DIR
"""
import json
import pathlib
import sys

import torch
from safetensors.torch import save_file

from diff_transformer import DiffTransformer, ModelConfig

NAMES = {"DIFF_V1": "diff-v1", "DIFF_V2": "diff-v2", "VANILLA": "vanilla"}


def main(out):
    for kind, name in NAMES.items():
        torch.manual_seed(7)
        config = ModelConfig.of(kind, d_model=16, layers=2, head_dim=4, vocab_size=40, max_length=24)
        model = DiffTransformer(config)
        with torch.no_grad():
            # Larger weights than training starts from, so that attention is peaked and every term (gains, λ,
            # rotary angles) moves the outputs: a formula that differs from Java's cannot hide in near-uniform maps.
            for p in model.parameters():
                if p.dim() == 1:
                    p.add_(0.3 * torch.randn_like(p))
                else:
                    p.normal_(std=0.4)
            ids = torch.randint(1, config.vocabSize, (2, 12))
            positions = torch.tensor([[3, 7, 11], [0, 5, 9]])
            hidden = model(ids)  # (2, 12, 16)
            logits = model.answer_logits(ids, positions)  # (2, 3, 40)
        target = pathlib.Path(out) / name
        target.mkdir(parents=True, exist_ok=True)
        (target / "config.json").write_text(config.to_json())
        save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(target / "model.safetensors"))
        (target / "expected.json").write_text(json.dumps({
            "ids": ids.tolist(), "positions": positions.tolist(),
            "hidden": hidden.tolist(), "logits": logits.tolist(), "torch": torch.__version__}))
        print(f"{name}: {sum(p.numel() for p in model.parameters())} parameters -> {target}")


if __name__ == "__main__":
    main(sys.argv[1])

#!/usr/bin/env bash
# Trains the three needle models on a GPU machine and leaves what comes back in OUT (at most 8 files): env.txt,
# conformance.tar (conformance.py's fixtures, as written there), train.log, <model>.safetensors and meta.tar
# (each model's config.json and training.json).
# Usage: run_on_gpu.sh BLOCKS.json.gz OUT MINUTES [more train_needles.py options]
set -euo pipefail
blocks=$(realpath "$1")
out=$(realpath "$2")
minutes=$3
cd "$(dirname "$0")"
{
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv || true
  command -v java || echo "java: not installed"
  python3 -c "import torch, safetensors; print('torch', torch.__version__, 'cuda', torch.cuda.is_available(), 'safetensors', safetensors.__version__)" || true
} > "$out/env.txt" 2>&1
python3 conformance.py /tmp/conformance
tar cf "$out/conformance.tar" -C /tmp/conformance .
python3 train_needles.py "$blocks" --out /tmp/needle --minutes "$minutes" "${@:4}" 2>&1 | tee "$out/train.log"
for model in diff-v1 diff-v2 vanilla; do
  cp "/tmp/needle/$model/model.safetensors" "$out/$model.safetensors"
done
tar cf "$out/meta.tar" --exclude='*.safetensors' -C /tmp/needle .

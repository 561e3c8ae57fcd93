#!/usr/bin/env bash
# Trains needle models on a GPU machine and leaves what comes back in OUT (at most 8 files, 16 MiB each):
# seed-<seed>-<model>.safetensors per model, and meta.tar with everything else: env.txt, conformance/
# (conformance.py's fixtures, as written there), train-<job>.log per job and seed-<seed>/<model>/{config.json,
# training.json}.
# Usage: run_on_gpu.sh BLOCKS.json.gz OUT MINUTES [SEED:MODELS ...] [-- more train_needles.py options]
# Each SEED:MODELS job (default 42:diff-v1,diff-v2,vanilla) is one train_needles.py process: its models train in
# lockstep on the batches of its seed. Jobs run side by side on the one GPU, each fitting its updates to MINUTES.
set -euo pipefail
shopt -s nullglob  # a job that saved nothing leaves no checkpoint to copy; the others still come back
blocks=$(realpath "$1")
out=$(realpath "$2")
minutes=$3
shift 3
jobs=()
while (($#)) && [[ $1 != -- ]]; do
  jobs+=("$1")
  shift
done
(($#)) && shift  # the --
((${#jobs[@]})) || jobs=(42:diff-v1,diff-v2,vanilla)
cd "$(dirname "$0")"
work=$(mktemp -d)
{
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv || true
  command -v java || echo "java: not installed"
  python3 -c "import torch, safetensors; print('torch', torch.__version__, 'cuda', torch.cuda.is_available(), 'safetensors', safetensors.__version__)" || true
} > "$work/env.txt" 2>&1
python3 conformance.py "$work/conformance" >> "$work/env.txt" 2>&1 || echo "conformance.py failed" >> "$work/env.txt"
pids=()
for job in "${jobs[@]}"; do
  seed=${job%%:*}
  # Small models leave the GPU idle while Python assembles batches and launches kernels: side by side, the jobs
  # fill each other's gaps. Two CPU threads each keep them off each other's cores.
  OMP_NUM_THREADS=2 python3 train_needles.py "$blocks" --out "$work/seed-$seed" --minutes "$minutes" \
    --seed "$seed" --models "${job#*:}" "$@" > "$work/train-${job//[:,]/-}.log" 2>&1 &
  pids+=($!)
done
failed=0
for pid in "${pids[@]}"; do
  wait "$pid" || failed=1
done
tail -n 2 "$work"/train-*.log
for weights in "$work"/seed-*/*/model.safetensors; do
  model_dir=$(dirname "$weights")
  cp "$weights" "$out/$(basename "$(dirname "$model_dir")")-$(basename "$model_dir").safetensors"
done
tar cf "$out/meta.tar" --exclude='*.safetensors' -C "$work" .
exit $failed

#!/usr/bin/env bash
# The four-way table of issue 5 (paper Table 2 at Fashion-MNIST scale): each shipped or trained DiT samples one image
# per Fashion-MNIST test image — conditioned on that image's class, SEM vector or DLC, as the model reads it — with and
# without guidance, and dlc eval scores every set against the test split (FD, KID, IS, precision, recall, accuracy).
# Needs: dataset-fashion-mnist, the four models (dlc dit train --cond none|class|sem|dlc).
# Usage: bench/dit_table.sh [N] [STEPS] [SCALE]      (default 2000 samples, DDIM 25 steps, guidance 2.0)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-2000}
steps=${2:-25}
scale=${3:-2.0}
dir=out/dit/table
sets=()
for cond in none class sem dlc; do
  model=${DIT_MODELS:-models/dit}/fmnist-$cond.safetensors
  [ -f "$model" ] || model=out/dit/fmnist-$cond.safetensors
  if [ ! -f "$model" ]; then echo "skipping $cond: no $model" >&2; continue; fi
  for s in 1.0 "$scale"; do
    if [ "$cond" = none ] && [ "$s" != 1.0 ]; then continue; fi   # nothing to guide
    images=(--images test)
    [ "$cond" = none ] && images=()
    out=$dir/$cond-scale$s
    ./dlc dit sample --model "$model" "${images[@]}" --n "$n" --sampler ddim --steps "$steps" --scale "$s" --out "$out" | tail -2
    sets+=("$out")
  done
done
./dlc eval "${sets[@]}" --json "$dir/report.json" | tee "$dir/table.md"

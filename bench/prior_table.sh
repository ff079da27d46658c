#!/usr/bin/env bash
# Issue 6's table (paper Tables 1/2 at Fashion-MNIST scale): unconditional generation SEDD prior → DLC DiT, with the
# analytic sampler and with remasking, without and with guidance, scored by dlc eval beside the two rows it is measured
# against, sampled here with the same DiT settings: Enc-Dec (the same DLC DiT on the codes of real test images) and the
# unconditional DiT.
# Needs: dataset-fashion-mnist and the shipped models (models/prior, models/dit/fmnist-{dlc,none}).
# Usage: bench/prior_table.sh [N] [STEPS] [SCALE] [ETA]   (default 1000 images, DDIM 25 steps, guidance 3, η 0.01)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000}
steps=${2:-25}
scale=${3:-3.0}
eta=${4:-0.01}
dir=out/prior/table
sample=(--n "$n" --sampler ddim --steps "$steps")
sets=()
for s in 1.0 "$scale"; do
  ./dlc generate "${sample[@]}" --scale "$s" --out "$dir/sedd-analytic-scale$s" | tail -1
  ./dlc generate "${sample[@]}" --scale "$s" --prior-sampler remask --eta "$eta" --out "$dir/sedd-remask-scale$s" | tail -1
  ./dlc dit sample --model models/dit/fmnist-dlc.safetensors --images test "${sample[@]}" --scale "$s" --out "$dir/encdec-scale$s" | tail -1
  sets+=("$dir/sedd-analytic-scale$s" "$dir/sedd-remask-scale$s" "$dir/encdec-scale$s")
done
./dlc dit sample --model models/dit/fmnist-none.safetensors "${sample[@]}" --out "$dir/unconditional" | tail -1
sets+=("$dir/unconditional")
./dlc eval "${sets[@]}" --json "$dir/report.json" | tee "$dir/table.md"

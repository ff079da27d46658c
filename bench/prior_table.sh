#!/usr/bin/env bash
# Issue 6's table (paper Tables 1/2 at Fashion-MNIST scale): unconditional generation SEDD prior → DLC DiT, with the
# analytic sampler and with remasking, without and with guidance, scored by dlc eval beside the rows of
# bench/dit_table.sh that share its settings (Enc-Dec: the DLC DiT on real test codes; the unconditional DiT).
# Needs: dataset-fashion-mnist, models/prior/fmnist-sedd.safetensors and models/dit/fmnist-dlc.safetensors;
# run bench/dit_table.sh N STEPS SCALE first for the comparison rows.
# Usage: bench/prior_table.sh [N] [STEPS] [SCALE] [ETA]   (default 2000 images, DDIM 25 steps, guidance 3, η 0.01)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-2000}
steps=${2:-25}
scale=${3:-3.0}
eta=${4:-0.01}
dir=out/prior/table
sets=()
for s in 1.0 "$scale"; do
  ./dlc generate --n "$n" --sampler ddim --steps "$steps" --scale "$s" --out "$dir/sedd-analytic-scale$s" | tail -2
  ./dlc generate --n "$n" --sampler ddim --steps "$steps" --scale "$s" --prior-sampler remask --eta "$eta" --out "$dir/sedd-remask-scale$s" | tail -2
  sets+=("$dir/sedd-analytic-scale$s" "$dir/sedd-remask-scale$s")
done
for ref in dlc-scale1.0 "dlc-scale$scale" none-scale1.0; do
  if [ -f "out/dit/table/$ref/samples.npz" ]; then sets+=("out/dit/table/$ref"); else echo "no out/dit/table/$ref: run bench/dit_table.sh $n $steps $scale" >&2; fi
done
./dlc eval "${sets[@]}" --json "$dir/report.json" | tee "$dir/table.md"

#!/usr/bin/env bash
# DiT training step, dlc4j against PyTorch on the same shapes, batch and thread count, one after the other.
# Needs: apt-get install -y python3-torch libopenblas0-pthread dataset-fashion-mnist; the shipped SEM encoder.
# Usage: bench/dit_step.sh [PRESET] [BATCH] [STEPS]
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-DiT-T/4}
batch=${2:-128}
steps=${3:-10}
threads=${DLC_THREADS:-$(nproc)}
echo "== PyTorch =="
/usr/bin/python3 bench/dit_step.py --preset "$preset" --batch "$batch" --threads "$threads" --steps "$steps"
echo "== dlc4j =="
tmp=$(mktemp -d)
# Training on the first steps·batch images for one epoch runs exactly `steps` steps; its images/s is the Java side.
./dlc dit train --recipe paper --preset "$preset" --cond dlc --batch "$batch" --limit $((steps * batch)) --epochs 1 --out "$tmp/dit.safetensors" \
  --checkpoint "$tmp/ck.safetensors" | tail -2
rm -rf "$tmp"

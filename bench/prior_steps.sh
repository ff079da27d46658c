#!/usr/bin/env bash
# Prior sampling cost against the number of steps (issue 6: it should grow linearly): one dlc prior sample run per
# step count, same prior, codes and seed, timed by the command itself; prints seconds and seconds per step.
# Usage: bench/prior_steps.sh [N] [STEP COUNTS...]   (default 1000 codes; 16 32 64 128 256 512 steps)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000}
shift || true
counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(16 32 64 128 256 512)
echo "| prior steps | seconds for $n codes | ms per step | codes/s |"
echo "|---:|---:|---:|---:|"
for s in "${counts[@]}"; do
  line=$(./dlc prior sample --n "$n" --prior-steps "$s" --out "out/prior/bench/steps$s.safetensors" | grep "codes of")
  secs=$(echo "$line" | sed -E 's/.* in ([0-9.]+) s .*/\1/')
  awk -v s="$s" -v t="$secs" -v n="$n" 'BEGIN { printf "| %d | %.2f | %.2f | %.1f |\n", s, t, 1000 * t / s, n / t }'
done

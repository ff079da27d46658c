#!/usr/bin/env bash
# Microbenchmarks behind two README claims (dlc bench section): Mm (how the matmul peak is timed) and Gelu (GELU's cost).
# Usage: bench/micro/run.sh [Mm|Gelu ...]   (default: both). Needs the compiled classes: mvn -q compile.
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -q -o dependency:build-classpath -Dmdep.outputFile=target/micro-cp.txt >/dev/null
cp="target/classes:$(cat target/micro-cp.txt)"
mkdir -p target/micro
javac -nowarn -d target/micro -cp "$cp" bench/micro/*.java
export DJL_CACHE_DIR="${DJL_CACHE_DIR:-$PWD/.djl}" MKL_DYNAMIC=FALSE OMP_DYNAMIC=FALSE
export MALLOC_MMAP_THRESHOLD_=4294967296 MALLOC_TRIM_THRESHOLD_=68719476736 MALLOC_TOP_PAD_=536870912
for c in "${@:-Mm Gelu}"; do
  for k in $c; do
    java -Xmx8g -Dai.djl.offline=true -Dai.djl.pytorch.num_threads="${DLC_THREADS:-$(nproc)}" -Dai.djl.pytorch.num_interop_threads=1 \
      -cp "target/micro:$cp" "$k" 2>&1 | grep -v "Warning: AutoNonVariableTypeMode"
  done
done

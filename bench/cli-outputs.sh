#!/usr/bin/env bash
# Hashes what three CLI commands write, to show a refactoring left the CLI's behaviour unchanged:
#   bench/cli-outputs.sh JAR OUTDIR      (JAR: a dlc4j jar in target/, e.g. a copy of the jar built before the change)
# runs the demo, a small compose table and a small text table with JAR and writes OUTDIR/hashes.txt. Run it with the
# jar before and after a change and diff the two hashes.txt. Files that carry provenance (index.html, checkpoints:
# commit and command), timings (toy results) or zip timestamps (samples.npz) differ between any two runs; compare
# those by content.
set -euo pipefail
jar="$(realpath "$1")"; o="$(realpath -m "$2")"; here="$(cd "$(dirname "$0")/.." && pwd)"
mkdir -p "$o"
export DJL_CACHE_DIR="$here/.djl" MKL_DYNAMIC=FALSE OMP_DYNAMIC=FALSE MALLOC_MMAP_THRESHOLD_=4294967296 MALLOC_TRIM_THRESHOLD_=68719476736 \
  MALLOC_TOP_PAD_=536870912
t="${DLC_THREADS:-$(nproc)}"
j() { (cd "$here" && java -Xmx8g -Djava.awt.headless=true -Ddlc4j.home="$here" -Dai.djl.offline=true -Dai.djl.pytorch.num_threads="$t" \
  -Dai.djl.pytorch.num_interop_threads=1 -Djava.util.concurrent.ForkJoinPool.common.parallelism="$t" -jar "$jar" "$@"); }
# the text table's code accuracy needs labelled training codes of the shipped models' encoder (the default one)
[[ -f "$o/train-codes.safetensors" ]] || j encode --split train --limit 5000 --out "$o/train-codes.safetensors"
j demo --out "$o/demo" > "$o/demo.log" 2>&1
j compose table --methods code,distribution --pairs 2 --n 4 --steps 5 --out "$o/ctable" > "$o/ctable.log" 2>&1
j text table --n 20 --text-steps 4 --remasking low-confidence,random --steps 5 --codes "$o/train-codes.safetensors" --out "$o/ttable" > "$o/ttable.log" 2>&1
(cd "$o" && find demo ctable ttable -type f | sort | xargs sha256sum) > "$o/hashes.txt"
echo "wrote $o/hashes.txt"

#!/usr/bin/env bash
# Issue 28's scaling figure: throughput of dlc spark encode and generate on a standalone cluster on this machine
# (a Master and two one-core Workers on loopback, each executor a JVM of its own), with 1 and then 2 executors
# (--max-cores). Bounded by the machine's 2 cores: the second executor shares them with the driver and the daemons.
# Usage: bench/spark_scaling.sh [pictures] [images]   (defaults: 2000 Fashion-MNIST test pictures, 64 generated images)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"; cd "$here"
pictures=${1:-2000}; images=${2:-64}
d=out/spark-bench; mkdir -p $d
[ -d $d/pictures ] || ./dlc data --split test --grid $d/grid.png --export $d/all >/dev/null
if [ ! -d $d/pictures ]; then  # the first N pictures of every class, N = pictures / 10
  mkdir -p $d/pictures; for c in $d/all/*/; do mkdir -p $d/pictures/$(basename $c); ls $c | head -$((pictures / 10)) | while read f; do cp $c/$f $d/pictures/$(basename $c)/; done; done
fi
./dlc spark cluster --workers 2 --dir $d/cluster > $d/cluster.log 2>&1 &
cluster=$!; trap 'kill $cluster; wait $cluster 2>/dev/null' EXIT
until url=$(grep -m1 '^spark://' $d/cluster.log); do sleep 1; done
echo "cluster $url"
for cores in 1 2; do
  ./dlc spark encode --master $url --max-cores $cores --partitions 8 --input $d/pictures --out $d/codes-$cores --overwrite 2>/dev/null | tail -1
  ./dlc spark generate --master $url --max-cores $cores --partitions 8 --n $images --batch 8 --steps 25 --out $d/gen-$cores --overwrite 2>/dev/null | tail -1
done

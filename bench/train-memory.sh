#!/bin/bash
# Issue 13's memory check (BENCHMARKS.md "Issue 13: the parallel loader", Memory): train a fixed number of steps of
# ResNet-18 at 192 px on a 10,000- and a 100,000-image generated source, one after the other, each with an empty cache,
# under /usr/bin/time -v. Make the sources first:
#   dotnet bench/SelectBench.Bench/bin/Release/net10.0/linux-x64/SelectBench.Bench.dll make-imagenet-like --images 10000 --out /tmp/in10k
#   dotnet bench/SelectBench.Bench/bin/Release/net10.0/linux-x64/SelectBench.Bench.dll make-imagenet-like --images 100000 --out /tmp/in100k
# Usage: bench/train-memory.sh [SOURCE_10K] [SOURCE_100K]; peak memory: grep "Maximum resident" /tmp/mem-*.log
set -eu
cd "$(dirname "$0")/.."
small=${1:-/tmp/in10k/shards}
large=${2:-/tmp/in100k/shards}
for pair in "10k:$small/shard-{000000..000009}.tar" "100k:$large/shard-{000000..000099}.tar"; do
  n=${pair%%:*}; data=${pair#*:}
  rm -rf "/tmp/memcache-$n" "/tmp/mem-$n"
  SELECTBENCH_NO_PROGRESS=1 SELECTBENCH_CACHE="/tmp/memcache-$n" /usr/bin/time -v ./selectbench train --data "$data" --resize 192 \
    --model resnet18 --batch-size 32 --epochs 1 --stop-after-steps 3 --threads 2 --out "/tmp/mem-$n" > "/tmp/mem-$n.log" 2>&1
  grep "Maximum resident" "/tmp/mem-$n.log" | sed "s/^/$n: /"
done

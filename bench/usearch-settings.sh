#!/bin/bash
# Why the USearch build misses 20,000 vectors/s at recall@10 >= 0.95 (BENCHMARKS.md "USearch at pool scale"): one
# pool of 500,000 x 512-d image-like vectors (1,000 clusters, each in a 32-d subspace of its own), built with each
# setting below in turn on 2 threads, recall@10 of 1,000 queries against exact search on 200 of them.
# Usage: bench/usearch-settings.sh [POOL] (default 500000); output: /tmp/usearch-settings.log
set -eu
cd "$(dirname "$0")/.."
pool=${1:-500000}
dotnet build -c Release bench/SelectBench.Bench > /dev/null
bench=bench/SelectBench.Bench/bin/Release/net10.0/linux-x64/SelectBench.Bench.dll
: > /tmp/usearch-settings.log
for s in "16 32 256 f32" "16 32 256 bf16" "16 32 1024 bf16" "16 48 512 bf16" "16 64 512 bf16" "16 64 512 i8" "8 64 512 bf16" "32 64 512 bf16"; do
  set -- $s
  row=$(dotnet $bench search --pools "$pool" --queries 1000 --exact-queries 200 --clusters 1000 --intrinsic 32 --threads 2 \
    --connectivity "$1" --expansion-add "$2" --expansion-search "$3" --storage "$4" | grep -E "^\| [0-9]")
  echo "| M $1, ef_add $2, ef_search $3, $4 $row" | tee -a /tmp/usearch-settings.log
done

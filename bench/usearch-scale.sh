#!/bin/bash
# Issue 13's USearch table (BENCHMARKS.md "USearch at pool scale"): build and query throughput and recall@10 against
# exact search at 50k, 500k and 2M x 512-d, three cases one after the other in one run:
#   1. image-like clusters (1,000 clusters, each in a 32-d subspace of its own), M 16, ef_add 64, bf16, each index
#      searched with ef_search 512, 1024 and 2048;
#   2. the same data with the earlier defaults (M 32, ef_add 200, ef_search 256, float32), at the first pool size
#      only (at 500k this build alone takes about 15 minutes);
#   3. isotropic clusters (100 clusters in all 512 directions, HNSW's worst case) with the settings of case 1, at the
#      second pool size;
#   4. the library's defaults (M 32, ef_add 64, bf16: chosen from cases 1-3 and bench/usearch-settings.sh) on the
#      image-like data at the largest pool size, where M 16's recall fell below 0.95.
# Usage: bench/usearch-scale.sh [POOLS] (default 50000,500000,2000000); output: /tmp/usearch-scale-*.log
set -eu
cd "$(dirname "$0")/.."
pools=${1:-50000,500000,2000000}
dotnet build -c Release bench/SelectBench.Bench > /dev/null
bench=bench/SelectBench.Bench/bin/Release/net10.0/linux-x64/SelectBench.Bench.dll
common="--queries 10000 --exact-queries 200 --threads 2"
fast="--connectivity 16 --expansion-add 64 --expansion-search 512,1024,2048 --storage bf16"
run() { local name=$1; shift; /usr/bin/time -v dotnet $bench search "$@" > "/tmp/usearch-scale-$name.log" 2>&1
  grep -E "^\| [0-9]" "/tmp/usearch-scale-$name.log" | sed "s/^/$name /"; grep "Maximum resident" "/tmp/usearch-scale-$name.log" | sed "s/^/$name /"; }
run image-like --pools "$pools" --clusters 1000 --intrinsic 32 $common $fast
run image-like-old-defaults --pools "$(echo "$pools" | cut -d, -f1)" --clusters 1000 --intrinsic 32 $common \
  --connectivity 32 --expansion-add 200 --expansion-search 256 --storage f32
run isotropic --pools "$(echo "$pools" | cut -d, -f2)" --clusters 100 $common $fast
run defaults --pools "$(echo "$pools" | rev | cut -d, -f1 | rev)" --clusters 1000 --intrinsic 32 $common \
  --connectivity 32 --expansion-add 64 --expansion-search 512,1024,2048 --storage bf16

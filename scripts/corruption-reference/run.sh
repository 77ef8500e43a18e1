#!/usr/bin/env bash
# Compares SelectBench's corruptions (and the Inception Score shuffle) with their references and prints the
# tables of BENCHMARKS.md "Corruptions against the reference". Not run in CI: it needs the reference code
# and Debian's Python packages (see README.md). Usage:
#   scripts/corruption-reference/run.sh [work folder]          # default $TMPDIR/selectbench-corruption-reference
#   BEFORE=73f2ab5 scripts/corruption-reference/run.sh         # also measure another commit's corruptions
# IMAGECORRUPTIONS_DIR: a checkout of https://github.com/bethgelab/imagecorruptions (cloned into the work
# folder when unset). PYTHON: the interpreter with the Debian packages (default /usr/bin/python3).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
work=${1:-${TMPDIR:-/tmp}/selectbench-corruption-reference}
python=${PYTHON:-/usr/bin/python3}
mkdir -p "$work"
if [[ -z "${IMAGECORRUPTIONS_DIR:-}" ]]; then
  IMAGECORRUPTIONS_DIR=$work/imagecorruptions
  [[ -d $IMAGECORRUPTIONS_DIR ]] || git clone --quiet https://github.com/bethgelab/imagecorruptions "$IMAGECORRUPTIONS_DIR"
fi
export IMAGECORRUPTIONS_DIR
cd "$here"

identity_sets=fm28,fm32,rgb32,fm224,rgb224
deterministic=zoom_blur,pixelate,jpeg_compression,defocus_blur,contrast,brightness
frost_sets=fm28,fm32,fm32x3,fm224,rgb224
seeds=0,1,2,3,4

echo "== reference (imagecorruptions $(git -C "$IMAGECORRUPTIONS_DIR" rev-parse --short HEAD 2>/dev/null || echo '?'))"
$python reference.py inputs "$work"
$python reference.py run "$work" "$identity_sets" "$deterministic" 0
$python reference.py run "$work" fm28 all "$seeds"
$python reference.py run "$work" "$frost_sets" frost "$seeds"

echo "== ours"
dump() {  # dump <dll> <prefix>
  dotnet "$1" "$work" "$identity_sets" "$deterministic" 0 "$2"
  dotnet "$1" "$work" fm28 all "$seeds" "$2"
  dotnet "$1" "$work" "$frost_sets" frost "$seeds" "$2"
}
dotnet build dump -c Release -o "$work/ours-bin" --nologo -v quiet
dump "$work/ours-bin/CorruptionDump.dll" ours
prefixes=(ours)
if [[ -n "${BEFORE:-}" ]]; then
  rm -rf "$work/before-src" && mkdir -p "$work/before-src/dump"
  git -C "$repo" archive "$BEFORE" Directory.Build.props Directory.Packages.props build src | tar -x -C "$work/before-src"
  cp dump/CorruptionDump.csproj dump/Program.cs "$work/before-src/dump/"
  dotnet build "$work/before-src/dump" -c Release -p:SelectBenchRoot="$work/before-src" -o "$work/before-bin" --nologo -v quiet
  dump "$work/before-bin/CorruptionDump.dll" before
  prefixes+=(before)
fi

for prefix in "${prefixes[@]}"; do
  echo "== $prefix against the reference"
  $python compare.py identity "$work" "$identity_sets" "$deterministic" "$prefix"
  $python compare.py change "$work" fm28 "$seeds" "$prefix"
  $python compare.py frost "$work" "$frost_sets" "$seeds" "$prefix"
done

echo "== test inputs: Pillow's NEAREST tables, reference fingerprints, frost statistics and targets, Inception Score"
$python pillow_nearest.py
$python reference.py fingerprints
$python frost_photo_statistics.py
$python frost_targets.py
$python inception_score_reference.py

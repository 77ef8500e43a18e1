#!/usr/bin/env bash
# PyTorch weights both ways against torchvision (docs/encoders.md, "PyTorch weights"). Needs Debian's
# python3-torchvision (apt-get install -y python3-torchvision) and a Release build of the solution.
#   scripts/torchvision-fixture/run.sh            full-size resnet18 and resnet50, in a temporary folder
#   scripts/torchvision-fixture/run.sh fixture    rewrite the small unit-test fixture (tests/SelectBench.Tests/Fixtures/torchvision)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
py=/usr/bin/python3
script="$root/scripts/torchvision-fixture/torchvision_fixture.py"
if [[ "${1:-}" == "fixture" ]]; then
  exec "$py" "$script" fixture "$root/tests/SelectBench.Tests/Fixtures/torchvision"
fi
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
echo "== torchvision saves random-weight resnet18 and resnet50 =="
"$py" "$script" save "$dir"
echo "== SelectBench loads them and compares logits; writes its own models =="
SELECTBENCH_TORCHVISION_DIR="$dir" dotnet test "$root/tests/SelectBench.Tests" -c Release --no-build --nologo \
  --filter "FullyQualifiedName~TorchvisionWeightsTests.Full_size" | tail -2
for n in resnet18 resnet50; do
  read -r diff scale < "$dir/$n-import.txt"
  echo "$n: SelectBench's logits on torchvision's weights: max |logit difference| $diff (max |logit| $scale)"
done
echo "== torchvision loads SelectBench's exports with strict=True and compares logits =="
"$py" "$script" check "$dir"

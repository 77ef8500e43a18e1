#!/usr/bin/python3
"""PyTorch weights to and from SelectBench, checked against torchvision itself (docs/encoders.md, "PyTorch weights").

Run with Debian's python3-torchvision (apt-get install -y python3-torchvision); see run.sh for the whole check.

  torchvision_fixture.py save DIR      random-weight torchvision resnet18 and resnet50 (eval mode, randomised
                                       batch-norm statistics), each as DIR/NAME.pth plus DIR/NAME-io.pth holding
                                       fixed inputs and torchvision's logits
  torchvision_fixture.py fixture DIR   the same for narrow networks (stem and stage widths / 32) built from
                                       torchvision's own BasicBlock and Bottleneck classes with torchvision's
                                       state-dict names: the small fixture the unit tests load
  torchvision_fixture.py check DIR     loads every DIR/NAME-export.pth written by SelectBench into torchvision's
                                       network with load_state_dict(strict=True) and compares its logits on
                                       DIR/NAME-export-io.pth's inputs with SelectBench's
"""
import sys
import os
import torch
import torch.nn as nn
from torchvision.models import resnet18, resnet50
from torchvision.models.resnet import ResNet, BasicBlock, Bottleneck

TOLERANCE = 1e-5


class NarrowResNet(ResNet):
    """torchvision's ResNet with the stem and the four stages at `stem`, 2x, 4x, 8x filters instead of 64..512.
    The module tree and state-dict names are torchvision's (layer1.0.conv1, downsample.0/1, fc); only the widths differ.
    SelectBench's ImageNetResNet with width multiplier stem/64 has the same shapes."""

    def __init__(self, block, layers, stem, num_classes):
        nn.Module.__init__(self)
        self._norm_layer = nn.BatchNorm2d
        self.inplanes = stem
        self.dilation = 1
        self.groups = 1
        self.base_width = 64
        self.conv1 = nn.Conv2d(3, stem, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(stem)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, stem, layers[0])
        self.layer2 = self._make_layer(block, 2 * stem, layers[1], stride=2)
        self.layer3 = self._make_layer(block, 4 * stem, layers[2], stride=2)
        self.layer4 = self._make_layer(block, 8 * stem, layers[3], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(8 * stem * block.expansion, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")


def randomise_batch_norm(model, generator):
    """Non-trivial eval-mode statistics and affine parameters, so a wrong mapping of running_mean/var shows in the logits."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                c = m.num_features
                m.weight.copy_(torch.rand(c, generator=generator) * 0.5 + 0.5)
                m.bias.copy_(torch.randn(c, generator=generator) * 0.1)
                m.running_mean.copy_(torch.randn(c, generator=generator) * 0.1)
                m.running_var.copy_(torch.rand(c, generator=generator) + 0.5)
                m.num_batches_tracked.fill_(int(torch.randint(1, 1000, (1,), generator=generator)))


def save(model, directory, name, size, generator):
    randomise_batch_norm(model, generator)
    model.eval()
    inputs = torch.randn(2, 3, size, size, generator=generator)
    with torch.no_grad():
        logits = model(inputs)
    torch.save(model.state_dict(), os.path.join(directory, f"{name}.pth"))
    torch.save({"input": inputs, "logits": logits}, os.path.join(directory, f"{name}-io.pth"))
    print(f"{name}: {sum(p.numel() for p in model.state_dict().values())} values, logits {tuple(logits.shape)}, "
          f"max |logit| {logits.abs().max().item():.4g}")


def check(directory):
    builders = {"resnet18": resnet18, "resnet50": resnet50}
    failures = 0
    for file in sorted(os.listdir(directory)):
        if not file.endswith("-export.pth"):
            continue
        name = file[: -len("-export.pth")]
        io = torch.load(os.path.join(directory, f"{name}-export-io.pth"))
        state = torch.load(os.path.join(directory, file))
        classes = state["fc.weight"].shape[0]
        model = builders[name](num_classes=classes)
        model.load_state_dict(state, strict=True)
        model.eval()
        with torch.no_grad():
            logits = model(io["input"])
        diff = (logits - io["logits"]).abs().max().item()
        scale = io["logits"].abs().max().item()
        ok = diff <= TOLERANCE * max(1.0, scale)
        failures += not ok
        print(f"{name}: torchvision {name}(num_classes={classes}).load_state_dict(strict=True) ok; "
              f"max |logit difference| {diff:.3g} (max |logit| {scale:.4g}) {'PASS' if ok else 'FAIL'}")
    return failures


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("save", "fixture", "check"):
        print(__doc__)
        return 2
    command, directory = sys.argv[1], sys.argv[2]
    os.makedirs(directory, exist_ok=True)
    torch.set_num_threads(2)
    generator = torch.Generator().manual_seed(13)
    torch.manual_seed(13)
    if command == "save":
        save(resnet18(num_classes=1000), directory, "resnet18", 224, generator)
        save(resnet50(num_classes=1000), directory, "resnet50", 224, generator)
    elif command == "fixture":
        save(NarrowResNet(BasicBlock, [2, 2, 2, 2], 2, 10), directory, "resnet18-narrow", 32, generator)
        save(NarrowResNet(Bottleneck, [3, 4, 6, 3], 2, 10), directory, "resnet50-narrow", 32, generator)
    else:
        return 1 if check(directory) else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())

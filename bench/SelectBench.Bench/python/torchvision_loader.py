#!/usr/bin/python3
"""Reference for the loader benchmark (BENCHMARKS.md, issue 13): torchvision's ImageFolder + DataLoader with PIL,
decoding, RandomResizedCrop(192, scale=(0.08, 1)) and RandomHorizontalFlip into uint8 tensors, as timm's train
transform does before normalisation. Prints images per second over one pass. Debian's python3-torchvision.

usage: bench/SelectBench.Bench/python/torchvision_loader.py FOLDER [--workers 2] [--size 192] [--batch 192] [--images N]
"""
import argparse
import time

import torch
from torch.utils.data import DataLoader, Subset
from torchvision import datasets, transforms


def main():
    p = argparse.ArgumentParser()
    p.add_argument("folder")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--size", type=int, default=192)
    p.add_argument("--batch", type=int, default=192)
    p.add_argument("--images", type=int, default=0)
    a = p.parse_args()
    torch.set_num_threads(1)
    t = transforms.Compose([
        transforms.RandomResizedCrop(a.size, scale=(0.08, 1.0)),
        transforms.RandomHorizontalFlip(),
        transforms.PILToTensor(),
    ])
    ds = datasets.ImageFolder(a.folder, transform=t)
    if a.images:
        ds = Subset(ds, range(min(a.images, len(ds))))
    loader = DataLoader(ds, batch_size=a.batch, shuffle=True, num_workers=a.workers, persistent_workers=False)
    start = time.perf_counter()
    n = 0
    for x, _ in loader:
        n += x.shape[0]
    seconds = time.perf_counter() - start
    print(f"torchvision ImageFolder+DataLoader ({a.workers} workers, PIL): {n} images in {seconds:.1f} s = {n / seconds:.0f} img/s")


if __name__ == "__main__":
    main()

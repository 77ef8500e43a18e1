#!/usr/bin/python3
"""Reference for the loader benchmark (BENCHMARKS.md, issue 13): torchvision's ImageFolder + DataLoader with PIL,
decoding, RandomResizedCrop(192, scale=(0.08, 1)) and RandomHorizontalFlip into uint8 tensors, as timm's train
transform does before normalisation. Prints images per second over one pass. Debian's python3-torchvision.

usage: bench/SelectBench.Bench/python/torchvision_loader.py FOLDER [--workers 2] [--size 192] [--batch 192] [--images N]
"""
import argparse
import resource
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
    p.add_argument("--profile", type=int, default=0, help="time the stages on one thread over N images instead")
    a = p.parse_args()
    torch.set_num_threads(1)
    if a.profile:
        profile(a.folder, a.profile, a.size)
        return
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
    cpu0 = cpu_seconds()
    n = 0
    for x, _ in loader:
        n += x.shape[0]
    seconds = time.perf_counter() - start
    del loader  # the workers have exited once the pass ends (persistent_workers=False); their CPU is in RUSAGE_CHILDREN
    cpu = cpu_seconds() - cpu0
    print(f"torchvision ImageFolder+DataLoader ({a.workers} workers, PIL): {n} images in {seconds:.1f} s = {n / seconds:.0f} img/s, "
          f"{1000 * cpu / n:.2f} CPU ms/img (user+sys, main process + workers)")


def cpu_seconds():
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def profile(folder, count, size):
    """The per-image stages of the transform above on this thread, by its CPU clock (time.thread_time)."""
    from torchvision.datasets.folder import pil_loader
    import torchvision.transforms.functional as F
    ds = datasets.ImageFolder(folder)
    rrc = transforms.RandomResizedCrop(size, scale=(0.08, 1.0))
    names = ["read + decode (pil_loader: open, convert RGB)", "crop (F.crop)", "resize (PIL bilinear, antialiased)",
             "flip (p = 1/2)", "PILToTensor (uint8 C x H x W view)", "collate share (torch.stack, per image)"]
    cpu = [0.0] * len(names)
    for k in range(count + 20):
        c = cpu if k >= 20 else [0.0] * len(names)
        t = time.thread_time()
        img = pil_loader(ds.samples[k][0])
        u = time.thread_time(); c[0] += u - t; t = u
        i, j, h, w = rrc.get_params(img, rrc.scale, rrc.ratio)
        img = F.crop(img, i, j, h, w)
        u = time.thread_time(); c[1] += u - t; t = u
        img = F.resize(img, [size, size], transforms.InterpolationMode.BILINEAR)
        u = time.thread_time(); c[2] += u - t; t = u
        if torch.rand(1) < 0.5:
            img = F.hflip(img)
        u = time.thread_time(); c[3] += u - t; t = u
        x = F.pil_to_tensor(img)
        u = time.thread_time(); c[4] += u - t; t = u
        torch.stack([x])
        u = time.thread_time(); c[5] += u - t
    print(f"torchvision/PIL stages, 1 thread, {count} images, thread CPU ms per image:")
    for name, v in zip(names, cpu):
        print(f"  {name:<44} {1000 * v / count:7.3f}")
    print(f"  {'sum of stages':<44} {1000 * sum(cpu) / count:7.3f}")


if __name__ == "__main__":
    main()

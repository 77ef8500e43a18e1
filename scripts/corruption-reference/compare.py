"""Tables of agreement between SelectBench's corruptions and the reference's (see README.md).

    compare.py identity WORK SETS CORRUPTIONS [PREFIX]   pixel agreement of deterministic corruptions
    compare.py change WORK SET SEEDS [PREFIX]            mean |change| per severity, all 15, and monotonicity
    compare.py frost WORK SETS SEEDS [PREFIX]            frost's mean |change| per severity (and channel)

PREFIX names our outputs (default "ours"; run.sh writes "before" for another checkout).
"""
import json
import os
import sys

import numpy as np

COMMON = ['gaussian_noise', 'shot_noise', 'impulse_noise', 'defocus_blur', 'glass_blur', 'motion_blur',
          'zoom_blur', 'snow', 'frost', 'fog', 'brightness', 'contrast', 'elastic_transform', 'pixelate',
          'jpeg_compression']


def load(work, kind, set_name, name=None, severity=None, seed=None):
    with open(os.path.join(work, f'input-{set_name}.json')) as f:
        shape = json.load(f)['shape']
    file = f'input-{set_name}.u8' if kind == 'input' else f'{kind}-{set_name}-{name}-s{severity}-seed{seed}.u8'
    return np.fromfile(os.path.join(work, file), np.uint8).reshape(shape).astype(np.int16)


def identity(work, sets, names, prefix):
    print('| corruption | set | severity | identical pixels | mean abs diff | max abs diff |')
    print('|---|---|---:|---:|---:|---:|')
    for name in names:
        for set_name in sets:
            for s in range(1, 6):
                ours, ref = load(work, prefix, set_name, name, s, 0), load(work, 'ref', set_name, name, s, 0)
                d = np.abs(ours - ref)
                print(f'| {name} | {set_name} | {s} | {100 * (d == 0).mean():.2f}% | {d.mean():.3f} | {d.max()} |')


def mean_change(work, kind, set_name, name, seeds):
    clean = load(work, 'input', set_name)
    return [np.mean([np.abs(load(work, kind, set_name, name, s, seed) - clean).mean() for seed in seeds])
            for s in range(1, 6)]


def monotone(values):
    return all(b >= a for a, b in zip(values, values[1:]))


def change(work, set_name, seeds, prefix):
    print(f'mean |change| in grey levels on {set_name}, severities 1-5, averaged over seeds {seeds}')
    print('| corruption | reference | ours | reference monotone | ours monotone |')
    print('|---|---|---|---|---|')
    for name in COMMON:
        ref, ours = mean_change(work, 'ref', set_name, name, seeds), mean_change(work, prefix, set_name, name, seeds)
        fmt = lambda v: ' '.join(f'{x:.1f}' for x in v)
        print(f'| {name} | {fmt(ref)} | {fmt(ours)} | {"yes" if monotone(ref) else "no"} | {"yes" if monotone(ours) else "no"} |')


def frost(work, sets, seeds, prefix):
    print('frost: mean |change| per severity (grey levels), averaged over images and seeds', seeds)
    print('| set | channel | reference s1-s5 | ours s1-s5 | ours / reference |')
    print('|---|---|---|---|---|')
    for set_name in sets:
        clean = load(work, 'input', set_name)
        for ch in range(clean.shape[1]):
            rows = {}
            for kind in ('ref', prefix):
                rows[kind] = [np.mean([np.abs(load(work, kind, set_name, 'frost', s, seed)[:, ch] - clean[:, ch]).mean()
                                       for seed in seeds]) for s in range(1, 6)]
            ratio = [o / r for o, r in zip(rows[prefix], rows['ref'])]
            label = 'grey' if clean.shape[1] == 1 else 'RGB'[ch]
            print(f'| {set_name} | {label} | {" ".join(f"{v:.1f}" for v in rows["ref"])} | '
                  f'{" ".join(f"{v:.1f}" for v in rows[prefix])} | {" ".join(f"{v:.3f}" for v in ratio)} |')


if __name__ == '__main__':
    mode, work = sys.argv[1], sys.argv[2]
    if mode == 'identity':
        identity(work, sys.argv[3].split(','), sys.argv[4].split(','), sys.argv[5] if len(sys.argv) > 5 else 'ours')
    elif mode == 'change':
        change(work, sys.argv[3], [int(s) for s in sys.argv[4].split(',')], sys.argv[5] if len(sys.argv) > 5 else 'ours')
    elif mode == 'frost':
        frost(work, sys.argv[3].split(','), [int(s) for s in sys.argv[4].split(',')], sys.argv[5] if len(sys.argv) > 5 else 'ours')
    else:
        sys.exit(__doc__)

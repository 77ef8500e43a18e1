"""Pillow's NEAREST resize index tables, found by brute force (see README.md).

Resizes a 1-row 'I' image whose pixels hold their own index, so the output lists the input index each
output pixel reads. Checks the rule SelectBench implements (Pixelate.NearestSources: a running sum
xo = in/out * 0.5, then xo += in/out, reading int(xo); Geometry.c ImagingScaleAffine) for every
1 <= in <= out <= 512, and prints the tables of the sizes pixelate's severities produce at 28, 32, 64
and 224 px as run lengths (digit k = how many outputs read input k), the form the C# test hard-codes.
"""
import numpy as np
import PIL
from PIL import Image

FACTORS = [0.6, 0.5, 0.4, 0.3, 0.25]  # imagecorruptions pixelate, severities 1-5


def pillow_table(n_in, n_out):
    row = Image.fromarray(np.arange(n_in, dtype=np.int32).reshape(1, n_in), mode='I')
    return np.array(row.resize((n_out, 1), Image.NEAREST))[0]


def running_sum(n_in, n_out):
    step, xo, table = n_in / n_out, n_in / n_out * 0.5, []
    for _ in range(n_out):
        table.append(int(xo))
        xo += step
    return np.array(table)


def closed_form(n_in, n_out):
    # What Pixelate.NearestSources computed before: floor((i + 0.5) * s) with s = in / out.
    scale = n_in / n_out
    return np.array([min(int((i + 0.5) * scale), n_in - 1) for i in range(n_out)])


if __name__ == '__main__':
    pairs = differ_closed = 0
    for n_out in range(1, 513):
        for n_in in range(1, n_out + 1):
            table = pillow_table(n_in, n_out)
            assert np.array_equal(table, running_sum(n_in, n_out)), (n_in, n_out)
            pairs += 1
            differ_closed += not np.array_equal(table, closed_form(n_in, n_out))
    print(f'Pillow {PIL.__version__}: the running sum matches all {pairs} pairs 1 <= in <= out <= 512; '
          f'the old floor((i + 0.5) * (in / out)) misses {differ_closed} of them')
    for side in (28, 32, 64, 224):
        for s, c in enumerate(FACTORS, 1):
            small = int(side * c)
            table = pillow_table(small, side)
            runs = ''.join(str(n) for n in np.bincount(table, minlength=small))
            moved = list(np.nonzero(table != closed_form(small, side))[0])
            print(f'[InlineData({small}, {side}, "{runs}")] // severity {s}; closed form differs at {moved}')

"""Colour statistics of the reference's frost photographs, the numbers FrostTextures matches.

The reference (imagecorruptions corruptions.py frost) reads frost<k> with cv2.imread (BGR), enlarges it by
1.1 with INTER_CUBIC for images no larger than the photograph, crops at a uniform offset and blends
x*c0 + c1*frost. Because the offset is uniform, each output pixel blends with a pixel drawn from (nearly)
the whole photograph, so the expected change depends on the photograph through its pixel distribution,
not its layout. This prints, for the five photographs np.random.randint(5) can draw, the mean and standard
deviation of R, G and B on [0, 1] after that enlargement, and of the grey the reference's 2-D branch uses
(rgb2gray applied to the BGR array: 0.2989 B + 0.5870 G + 0.1140 R). Needs $IMAGECORRUPTIONS_DIR.
"""
import os
import sys

import cv2
import numpy as np

root = os.environ.get('IMAGECORRUPTIONS_DIR') or sys.exit('set IMAGECORRUPTIONS_DIR (see README.md)')
files = ['frost1.png', 'frost2.png', 'frost3.png', 'frost4.jpg', 'frost5.jpg']
print('| photograph | R mean / std | G mean / std | B mean / std | grey (2-D branch) mean / std |')
print('|---|---|---|---|---|')
rows = []
for name in files:
    bgr = cv2.imread(os.path.join(root, 'imagecorruptions', 'frost', name))
    h, w = bgr.shape[:2]
    big = cv2.resize(bgr, (int(np.ceil(w * 1.1)), int(np.ceil(h * 1.1))), interpolation=cv2.INTER_CUBIC) / 255.0
    grey = big @ np.array([0.2989, 0.5870, 0.1140])
    stats = [(big[..., c].mean(), big[..., c].std()) for c in (2, 1, 0)] + [(grey.mean(), grey.std())]
    rows.append(stats)
    print(f'| {name} ({w}x{h}) | ' + ' | '.join(f'{m:.4f} / {s:.4f}' for m, s in stats) + ' |')
mean = np.mean([[m for m, _ in r] for r in rows], axis=0)
print('| average of the five draws | ' + ' | '.join(f'{m:.4f}' for m in mean) + ' |')
print('C#: ' + ', '.join('(' + ', '.join(f'{v:.4f}' for m, s in r[:3] for v in (m, s)) + ')' for r in rows))

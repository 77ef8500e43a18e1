"""The reference's frost strength per severity, the targets FrostTests hard-codes (see README.md).

    frost_targets.py

For each image set (reference.py image_sets) and severity: the mean |corrupted - clean| in grey levels over the
images, with the photograph stratified (each of the five np.random.randint(5) draws, equally weighted, so
the luck of the draw does not move the target) and CROPS random crop offsets per image and photograph.
Grey sets use the reference's 2-D branch (what SelectBench follows for one channel); fm32x3 (a grey image
as corrupt() sends it, 3 equal channels) uses the RGB branch and is reported per channel.
"""
import numpy as np
from PIL import Image

import reference

CROPS = {'fm28': 2, 'fm32': 2, 'fm224': 3, 'fm32x3': 2}


def forced_frost(frost, image, severity, photo):
    """The reference's frost with its first np.random.randint (the photograph) forced to `photo`."""
    original, calls = np.random.randint, [0]

    def randint(*args, **kwargs):
        calls[0] += 1
        return photo if calls[0] == 1 else original(*args, **kwargs)

    np.random.randint = randint
    try:
        return np.uint8(frost(Image.fromarray(image), severity))
    finally:
        np.random.randint = original


def main():
    corruption_dict, _ = reference.load_reference()
    frost = corruption_dict['frost']
    sets = reference.image_sets()
    print('| set | channel | s1 | s2 | s3 | s4 | s5 |')
    print('|---|---|---:|---:|---:|---:|---:|')
    for name, crops in CROPS.items():
        images = sets[name]
        channels = images.shape[1]
        table = np.zeros((channels, 5))
        for s in range(1, 6):
            np.random.seed(s)
            changes = []
            for image in images:
                hwc = image[0] if channels == 1 else image.transpose(1, 2, 0)
                for photo in range(5):
                    for _ in range(crops):
                        out = forced_frost(frost, np.ascontiguousarray(hwc), s, photo).astype(float)
                        diff = np.abs(out - hwc)
                        changes.append(diff.mean(axis=(0, 1)) if channels == 3 else [diff.mean()])
            table[:, s - 1] = np.mean(changes, axis=0)
        for c in range(channels):
            label = 'grey' if channels == 1 else 'RGB'[c]
            print(f'| {name} | {label} | ' + ' | '.join(f'{v:.2f}' for v in table[c]) + ' |', flush=True)


if __name__ == '__main__':
    main()

"""Runs the reference corruptions (bethgelab/imagecorruptions) on fixed image sets.

    reference.py inputs WORK                      write the image sets (input-<set>.u8 + .json)
    reference.py run WORK SETS CORRUPTIONS SEEDS  write ref-<set>-<corruption>-s<k>-seed<seed>.u8
    reference.py fingerprints                     SHA-256 of deterministic outputs on a formula image,
                                                  the values ReferenceOutputTests hard-codes

SETS, CORRUPTIONS and SEEDS are comma-separated; CORRUPTIONS may be "all". The imagecorruptions checkout
is taken from $IMAGECORRUPTIONS_DIR (the folder holding the imagecorruptions package). Needs numpy,
scipy, scikit-image, OpenCV, numba and Pillow (Debian: python3-numpy python3-scipy python3-skimage
python3-opencv python3-numba python3-pil). See README.md.
"""
import gzip
import json
import os
import sys
import warnings

import numpy as np
from PIL import Image

FASHION_MNIST = os.environ.get('SELECTBENCH_FASHION_MNIST', '/usr/share/datasets/fashion-mnist')

# Grey images: SelectBench keeps one channel. For these corruptions it follows the reference's own 2-D
# branch (docs/corruptions.md, "Grey images"); for the rest, a grey image is what corrupt() makes of it:
# stacked to 3 channels, corrupted, and (channels being equal) channel 0 taken back.
TWO_D_BRANCH = {'gaussian_noise', 'shot_noise', 'impulse_noise', 'snow', 'frost', 'jpeg_compression'}


def fashion_mnist(count):
    with gzip.open(os.path.join(FASHION_MNIST, 't10k-images-idx3-ubyte.gz')) as f:
        return np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28)[:count].copy()


def image_sets():
    """Fixed sets, N x C x H x W uint8: Fashion-MNIST test images at 28 px, padded to 32 (2 px of zeros),
    enlarged 8x to 224 by pixel repetition; fm32x3 is fm32 as 3 equal channels (what corrupt() makes of a
    grey image); the rgb sets stack three consecutive images as R, G, B."""
    grey = fashion_mnist(300)
    pad = np.pad(grey, ((0, 0), (2, 2), (2, 2)))
    big = grey.repeat(8, axis=1).repeat(8, axis=2)
    rgb32 = pad.reshape(100, 3, 32, 32)
    rgb224 = big[:60].reshape(20, 3, 224, 224)
    return {
        'fm28': grey[:100, None], 'fm32': pad[:100, None], 'fm224': big[:20, None],
        'fm32x3': pad[:100, None].repeat(3, axis=1), 'rgb32': rgb32, 'rgb224': rgb224,
    }


def load_reference():
    root = os.environ.get('IMAGECORRUPTIONS_DIR')
    if not root or not os.path.isdir(os.path.join(root, 'imagecorruptions')):
        sys.exit('set IMAGECORRUPTIONS_DIR to a checkout of https://github.com/bethgelab/imagecorruptions')
    sys.path.insert(0, root)
    warnings.simplefilter('ignore')
    from imagecorruptions import corruption_dict, get_corruption_names
    return corruption_dict, get_corruption_names('common')


def apply_reference(fn, name, image, severity):
    """One C x H x W image through the reference, as corrupt() does (np.uint8 of the result, which
    truncates), but without corrupt()'s 32-pixel minimum so 28 px images can be compared."""
    c = image.shape[0]
    if c == 1 and name in TWO_D_BRANCH:
        return np.uint8(fn(Image.fromarray(image[0]), severity))[None]
    hwc = np.stack([image[0]] * 3, -1) if c == 1 else image.transpose(1, 2, 0)
    out = np.uint8(fn(Image.fromarray(np.ascontiguousarray(hwc)), severity))
    return out[..., :1].transpose(2, 0, 1) if c == 1 else out.transpose(2, 0, 1)


def formula_image(channels, size):
    """(x² + 3xy + 7y + 50c) mod 256: sharp, varied and easy to rebuild in C# (ReferenceOutputTests)."""
    y, x = np.mgrid[0:size, 0:size]
    return np.stack([(x * x + 3 * x * y + 7 * y + 50 * c) % 256 for c in range(channels)]).astype(np.uint8)


def fingerprints():
    import hashlib
    corruption_dict, _ = load_reference()
    for name in ('zoom_blur', 'pixelate'):
        for channels, size in ((1, 28), (1, 32), (3, 32), (1, 224)):
            image = formula_image(channels, size)
            digests = [hashlib.sha256(apply_reference(corruption_dict[name], name, image, s).tobytes()).hexdigest()[:16]
                       for s in range(1, 6)]
            print(f'[InlineData("{name}", {channels}, {size}, "{" ".join(digests)}")]')


def main(argv):
    if argv[0] == 'fingerprints':
        return fingerprints()
    work = argv[1]
    os.makedirs(work, exist_ok=True)
    if argv[0] == 'inputs':
        for name, images in image_sets().items():
            images.tofile(os.path.join(work, f'input-{name}.u8'))
            with open(os.path.join(work, f'input-{name}.json'), 'w') as f:
                json.dump({'shape': list(images.shape)}, f)
        return
    assert argv[0] == 'run', __doc__
    corruption_dict, common = load_reference()
    names = common if argv[3] == 'all' else argv[3].split(',')
    for set_name in argv[2].split(','):
        with open(os.path.join(work, f'input-{set_name}.json')) as f:
            shape = json.load(f)['shape']
        images = np.fromfile(os.path.join(work, f'input-{set_name}.u8'), np.uint8).reshape(shape)
        for name in names:
            for seed in (int(s) for s in argv[4].split(',')):
                for severity in range(1, 6):
                    np.random.seed(1000 * seed + severity)
                    out = np.stack([apply_reference(corruption_dict[name], name, im, severity) for im in images])
                    out.tofile(os.path.join(work, f'ref-{set_name}-{name}-s{severity}-seed{seed}.u8'))
            print(f'{set_name}: {name} done', flush=True)


if __name__ == '__main__':
    main(sys.argv[1:])

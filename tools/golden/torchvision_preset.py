#!/usr/bin/python3
"""Golden images for the torchvision evaluation preset (--preset torchvision).

    /usr/bin/python3 tools/golden/torchvision_preset.py tests/Analyzer.Core.Tests/Golden

Writes two images of a seeded pattern drawn with NumPy, preset-input-WxH.png (RGB, portrait and landscape sizes that
force both a shrink and an odd crop offset), and for each preset-expected-WxH.png: torchvision's
transforms.Resize(256) then transforms.CenterCrop(224) of the PIL image (Pillow's bilinear filter), the 8-bit crop
before ToTensor. Analyzer must give the same pixels within one level (Pillow works in fixed point).
"""
import os
import sys

import numpy as np
from PIL import Image
from torchvision import transforms


def pattern(width, height, seed):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    image = np.stack([
        127.5 + 127.5 * np.sin(x / 7.0 + y / 13.0),
        255.0 * ((x // 16 + y // 16) % 2),
        255.0 * x / max(1, width - 1),
    ], axis=-1)
    image += rng.integers(-3, 4, size=(1, width, 3))  # a seeded column texture, cheap to store
    return Image.fromarray(np.clip(np.rint(image), 0, 255).astype(np.uint8), "RGB")


def main():
    out = sys.argv[1]
    transform = transforms.Compose([transforms.Resize(256), transforms.CenterCrop(224)])
    for seed, (width, height) in enumerate([(333, 500), (517, 301)]):
        image = pattern(width, height, seed)
        image.save(os.path.join(out, f"preset-input-{width}x{height}.png"))
        transform(image).save(os.path.join(out, f"preset-expected-{width}x{height}.png"))


if __name__ == "__main__":
    main()

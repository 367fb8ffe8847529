#!/usr/bin/python3
"""Seeded example data for the family models that have no golden data of their own (tests/models/families), small
enough to commit, so that the README's commands run from a fresh clone:

    /usr/bin/python3 tools/family_data.py --out tests/models/families

  unet-data.npz  x float32 [32, 3, 16, 16] (no labels: segmentation maps are scored against the model's own pixels)
  kws-data.npz   x float32 [64, 40] feature vectors, y int64 [64] (wake word or not)
"""
import argparse
import os

import numpy as np


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    rng = np.random.default_rng(2024)
    np.savez(os.path.join(args.out, "unet-data.npz"), x=rng.standard_normal((32, 3, 16, 16)).astype(np.float32))
    np.savez(os.path.join(args.out, "kws-data.npz"), x=rng.standard_normal((64, 40)).astype(np.float32),
             y=rng.integers(0, 2, 64).astype(np.int64))


if __name__ == "__main__":
    main()

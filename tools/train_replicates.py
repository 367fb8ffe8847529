#!/usr/bin/python3
"""Train the paper's replicates (Appendix A.2) and write them to onnx-models/replicates/ with manifest.json.

Five MLPs (784-256-256-256-256-10, ReLU, 20 epochs, batch 128) and five small CNNs (conv3x3(64)-conv3x3(64)-pool2-
conv3x3(64)-pool2-dense128-dense10, 10 epochs, batch 64) on MNIST and on Fashion-MNIST, and MLPs on halves-MNIST
(Appendix A.5), seeds 1-5, with the Keras
defaults the paper used: Adam lr 1e-3, beta 0.9/0.999, eps 1e-7; Glorot-uniform weights, zero biases; cross-entropy.
Run with Debian's Python (./build.sh tools, then ./build.sh for MNIST):
    /usr/bin/python3 tools/train_replicates.py [--only mnist-mlp,fmnist-cnn] [--seeds 1,2] [--threads 1]

Each model is written and entered in the manifest as soon as it is trained (test accuracy measured here in PyTorch,
training seconds, sha256), so a long run can be stopped and started again: a model whose file matches its manifest
entry is skipped. The paper's test-accuracy ranges are printed beside each result.
"""
import argparse
import gzip
import hashlib
import json
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train_models import Mlp, SmallCnn, accuracy, export, fit, sha256  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "onnx-models", "replicates")
DATA = {
    "mnist": os.path.join(os.environ.get("ANALYZER_DATA", os.path.expanduser("~/.cache/analyzer")), "mnist"),
    "fmnist": "/usr/share/datasets/fashion-mnist",
}
DATASET_NAME = {"mnist": "mnist", "fmnist": "fashion-mnist", "halves": "halves-mnist"}
RECIPES = {
    "mlp": dict(cls=Mlp, epochs=20, batch=128,
                recipe="MLP 784-256-256-256-256-10, ReLU; Keras defaults (Glorot-uniform, zero bias, Adam lr 1e-3 eps 1e-7); 20 epochs, batch 128"),
    "cnn": dict(cls=SmallCnn, epochs=10, batch=64,
                recipe="CNN conv3x3(64)-conv3x3(64)-pool2-conv3x3(64)-pool2-dense128-dense10, ReLU, padding 1; "
                       "Keras defaults (Glorot-uniform, zero bias, Adam lr 1e-3 eps 1e-7); 10 epochs, batch 64"),
}
# The paper's test-accuracy ranges of its replicates (Appendix A.2).
PAPER_RANGE = {"mnist-mlp": (0.976, 0.982), "mnist-cnn": (0.991, 0.994), "fmnist-mlp": (0.884, 0.894), "fmnist-cnn": (0.918, 0.924),
               "halves-mlp": None}  # the paper gives no accuracy for halves-MNIST


def read_idx(folder, name):
    for path, opener in ((os.path.join(folder, name), open), (os.path.join(folder, name + ".gz"), gzip.open)):
        if os.path.exists(path):
            with opener(path, "rb") as f:
                raw = f.read()
            ndim = raw[3]
            dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
            return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)
    sys.exit(f"{folder}: {name} not found (run ./build.sh to install the named datasets)")


def halves(x, y, count, seed):
    """halves-MNIST (docs/method.md §8): two digits of one split, each squeezed to 28 x 14 by averaging horizontal
    pixel pairs (rounded half up), side by side; label (a + b) mod 10. Pairs drawn with replacement with numpy's
    generator (Analyzer draws its own pairs with the run's seed; both are samples of the same distribution)."""
    rng = np.random.default_rng(seed)
    a, b = rng.integers(len(x), size=count), rng.integers(len(x), size=count)
    def squeeze(images):
        images = images.astype(np.int32)
        return ((images[:, :, 0::2] + images[:, :, 1::2] + 1) // 2).astype(np.uint8)
    pixels = np.concatenate([squeeze(x[a]), squeeze(x[b])], axis=2)
    return pixels, (y[a].astype(np.int64) + y[b]) % 10


def load(dataset, split):
    if dataset == "halves":
        prefix = "train" if split == "train" else "t10k"
        x = read_idx(DATA["mnist"], f"{prefix}-images-idx3-ubyte")
        y = read_idx(DATA["mnist"], f"{prefix}-labels-idx1-ubyte")
        pixels, labels = halves(x, y, 60000 if split == "train" else 10000, 1 if split == "train" else 2)
        return torch.from_numpy(pixels.astype(np.float32) / 255.0).unsqueeze(1), torch.from_numpy(labels)
    prefix = "train" if split == "train" else "t10k"
    x = read_idx(DATA[dataset], f"{prefix}-images-idx3-ubyte").astype(np.float32) / 255.0
    y = read_idx(DATA[dataset], f"{prefix}-labels-idx1-ubyte").astype(np.int64)
    return torch.from_numpy(x).unsqueeze(1), torch.from_numpy(y)


def read_manifest(path):
    if not os.path.exists(path):
        return {"models": []}
    with open(path) as f:
        return json.load(f)


def write_manifest(path, manifest):
    manifest["models"].sort(key=lambda m: m["file"])
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    os.replace(tmp, path)


def keras_defaults(model):
    """The paper trained with Keras: Glorot-uniform weights and zero biases (PyTorch's own default differs)."""
    for m in model.modules():
        if isinstance(m, (torch.nn.Linear, torch.nn.Conv2d)):
            torch.nn.init.xavier_uniform_(m.weight)
            torch.nn.init.zeros_(m.bias)


def train_one(dataset, kind, seed, data):
    spec = RECIPES[kind]
    xtr, ytr, xte, yte = data
    torch.manual_seed(seed)
    np.random.seed(seed)
    model = spec["cls"]()
    keras_defaults(model)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    start = time.time()
    fit(f"{dataset}-{kind}-{seed}", model, opt, xtr, ytr, spec["epochs"], spec["batch"], torch.Generator().manual_seed(seed))
    return model, accuracy(model, xte, yte), time.time() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", default="mnist-mlp,fmnist-mlp,halves-mlp,mnist-cnn,fmnist-cnn",
                        help="comma-separated families, trained in this order")
    parser.add_argument("--seeds", default="1,2,3,4,5")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    os.makedirs(OUT, exist_ok=True)
    manifest_path = os.path.join(OUT, "manifest.json")
    cache = {}
    for family in args.only.split(","):
        dataset, kind = family.split("-")
        for seed in [int(s) for s in args.seeds.split(",")]:
            file = f"{family}-{seed}.onnx"
            path = os.path.join(OUT, file)
            manifest = read_manifest(manifest_path)
            entry = next((m for m in manifest["models"] if m["file"] == file), None)
            if entry and os.path.exists(path) and sha256(path) == entry["sha256"]:
                print(f"{file}: already trained (test accuracy {entry['test_accuracy']:.4f})", flush=True)
                continue
            if dataset not in cache:
                cache[dataset] = (*load(dataset, "train"), *load(dataset, "test"))
            model, acc, seconds = train_one(dataset, kind, seed, cache[dataset])
            export(model, path)
            paper = PAPER_RANGE[family]
            manifest = read_manifest(manifest_path)  # read again: another run may have added a model meanwhile
            manifest["models"] = [m for m in manifest["models"] if m["file"] != file]
            manifest["models"].append(dict(
                file=file, family=family, recipe=RECIPES[kind]["recipe"] + f"; {DATASET_NAME[dataset]}", seed=seed,
                dataset=DATASET_NAME[dataset], input="[N,1,28,28], pixels/255", test_accuracy=round(acc, 4),
                paper_range=list(paper) if paper else None, training_seconds=round(seconds), torch=torch.__version__, threads=args.threads,
                sha256=sha256(path)))
            write_manifest(manifest_path, manifest)
            verdict = ""
            if paper:  # the paper gives one decimal of a percent
                inside = paper[0] <= round(acc, 3) <= paper[1]
                verdict = f", {'inside' if inside else 'OUTSIDE'} the paper's range {paper[0]:.3f}-{paper[1]:.3f}"
            print(f"{file}: test accuracy {acc:.4f}{verdict} ({seconds:.0f} s)", flush=True)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Golden squared Spearman correlations of pre-activations, from PyTorch forward hooks and scipy.stats.spearmanr.

    /usr/bin/python3 tools/golden/spearman.py > tests/Analyzer.Core.Tests/Golden/spearman.json

For the committed MLP and CNN, the pre-activations (docs/method.md §3) of the first 200 Fashion-MNIST test images are
recorded with forward hooks on the layers (Linear/Conv outputs, before ReLU), conv maps reduced to sum |a| over (h, w),
and saved as float32 (Golden/activations-MODEL.npy) so that the kernel can be checked on exactly these values;
r = spearmanr(A)**2 with constant units invalid. Stored: the invalid units and 3000 seeded (i, j, r^2) pairs per model
(the full matrices would be megabytes).
"""
import json
import os
import sys

import numpy as np
import torch
from scipy import stats

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train_models import Mlp, SmallCnn, load  # noqa: E402
from lesions import load_weights  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def capture(model, layers, x):
    recorded = {}
    handles = [layer.register_forward_hook(lambda m, i, o, name=name: recorded.__setitem__(name, o.detach()))
               for name, layer in layers]
    with torch.no_grad():
        model(x)
    for h in handles:
        h.remove()
    columns = []
    for name, _ in layers:
        a = recorded[name].double()
        columns.append(a.abs().sum(dim=(2, 3)) if a.dim() == 4 else a)
    return torch.cat(columns, dim=1).numpy()


def golden(a, seed, name):
    a = a.astype(np.float32)
    np.save(os.path.join(ROOT, "tests", "Analyzer.Core.Tests", "Golden", f"activations-{name}.npy"), a)
    a = a.astype(np.float64)
    constant = [bool(v) for v in (a.max(axis=0) == a.min(axis=0))]
    r, _ = stats.spearmanr(a)
    r = np.nan_to_num(r) ** 2
    np.fill_diagonal(r, 0)
    rng = np.random.default_rng(seed)
    n = a.shape[1]
    pairs = [(int(i), int(j)) for i, j in rng.integers(0, n, size=(3000, 2))]
    return {"units": n, "invalid": [i for i, c in enumerate(constant) if c],
            "pairs": [[i, j, float(r[i, j])] for i, j in pairs]}


def main():
    torch.set_num_threads(2)
    x, _ = load("test")
    x = x[:200]
    mlp = load_weights(Mlp(), os.path.join(ROOT, "onnx-models", "fmnist-mlp.onnx"))
    cnn = load_weights(SmallCnn(), os.path.join(ROOT, "onnx-models", "fmnist-cnn.onnx"))
    out = {
        "examples": 200,
        "fmnist-mlp.onnx": golden(capture(mlp, [("fc1", mlp.fc1), ("fc2", mlp.fc2), ("fc3", mlp.fc3), ("fc4", mlp.fc4)], x), 1, "fmnist-mlp"),
        "fmnist-cnn.onnx": golden(capture(cnn, [("conv1", cnn.conv1), ("conv2", cnn.conv2), ("conv3", cnn.conv3)], x), 2, "fmnist-cnn"),
    }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()

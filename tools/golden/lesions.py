#!/usr/bin/python3
"""Golden lesion accuracies from PyTorch forward hooks (independent of ONNX Runtime).

    /usr/bin/python3 tools/golden/lesions.py > tests/Analyzer.Core.Tests/Golden/lesions.json

The committed ONNX models' weights are loaded into the PyTorch modules of tools/train_models.py; a lesion zeroes the
units where their node set is read (docs/method.md §6), with a forward pre-hook on the reading layer: MLP, the previous
layer's post-ReLU outputs at the next Linear; CNN, the channels at the input of the reading conv, or the flattened
features of those channels at the first Linear. Accuracy over the Fashion-MNIST test split, overall and per class.
Sets are chosen deterministically (every third unit from an offset, and a contiguous block), per node set.
"""
import json
import os
import sys

import numpy as np
import onnx
import torch
from onnx import numpy_helper

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from train_models import Mlp, SmallCnn, load  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def load_weights(module, path):
    init = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy()) for t in onnx.load(path).graph.initializer}
    state = module.state_dict()
    for name in state:
        if name in init:
            state[name] = init[name]
        else:
            raise KeyError(f"{name} not in {path}")
    module.load_state_dict(state)
    module.eval()
    return module


def evaluate(module, x, y, reader=None, zero=None, per_feature=None):
    handle = None
    if reader is not None:
        def hook(_, inputs):
            (a,) = inputs
            a = a.clone()
            if per_feature is None:
                a[:, zero] = 0
            else:
                a[:, per_feature] = 0
            return (a,)
        handle = reader.register_forward_pre_hook(hook)
    with torch.no_grad():
        pred = torch.cat([module(x[i:i + 1000]).argmax(1) for i in range(0, len(x), 1000)])
    if handle:
        handle.remove()
    correct = (pred == y)
    classes = [float(correct[y == c].float().mean()) for c in range(10)]
    return float(correct.float().mean()), classes


def sets_for(units):
    return [list(range(0, units, 3)), list(range(1, units, 3)), list(range(5, 5 + units // 8))]


def main():
    torch.set_num_threads(2)
    x, y = load("test")
    out = {}

    mlp = load_weights(Mlp(), os.path.join(ROOT, "onnx-models", "fmnist-mlp.onnx"))
    entries = []
    base = evaluate(mlp, x, y)
    entries.append({"node_set": None, "units": [], "accuracy": base[0], "class_accuracy": base[1]})
    for producer, reader in [("/fc1/Gemm", mlp.fc2), ("/fc2/Gemm", mlp.fc3), ("/fc3/Gemm", mlp.fc4), ("/fc4/Gemm", mlp.out)]:
        for units in sets_for(256):
            acc, classes = evaluate(mlp, x, y, reader, units)
            entries.append({"node_set": producer, "units": units, "accuracy": acc, "class_accuracy": classes})
    out["fmnist-mlp.onnx"] = entries

    cnn = load_weights(SmallCnn(), os.path.join(ROOT, "onnx-models", "fmnist-cnn.onnx"))
    entries = []
    base = evaluate(cnn, x, y)
    entries.append({"node_set": None, "units": [], "accuracy": base[0], "class_accuracy": base[1]})
    for name, reader in [("/conv2/Conv", cnn.conv2), ("/conv3/Conv", cnn.conv3), ("/fc1/Gemm", cnn.fc1)]:
        for units in sets_for(64):
            features = None
            if name == "/fc1/Gemm":  # flattened [64, 7, 7]: channel c holds features 49c .. 49c + 48
                features = [49 * c + j for c in units for j in range(49)]
            acc, classes = evaluate(cnn, x, y, reader, units, features)
            entries.append({"node_set": name, "units": units, "accuracy": acc, "class_accuracy": classes})
    out["fmnist-cnn.onnx"] = entries
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()

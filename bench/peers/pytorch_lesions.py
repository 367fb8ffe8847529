#!/usr/bin/python3
"""Peer for bench/: the MLP lesion sweep in PyTorch, one lesion at a time with a forward pre-hook.

    /usr/bin/python3 bench/peers/pytorch_lesions.py SETS.json THREADS

SETS.json: {"model": path, "sets": [{"layer": "/fc1/Gemm", "units": [...]}, ...]} (node set names as Analyzer's). Loads
the ONNX weights into tools/train_models.Mlp, evaluates the Fashion-MNIST test split once per set with the units zeroed
at the reading layer's input, and prints one JSON line {"seconds", "accuracies", "threads"}.
"""
import json
import os
import sys
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools", "golden"))
from train_models import Mlp, load  # noqa: E402
from lesions import load_weights  # noqa: E402


def main():
    spec_path, threads = sys.argv[1], int(sys.argv[2])
    torch.set_num_threads(threads)
    with open(spec_path) as f:
        spec = json.load(f)
    model = load_weights(Mlp(), spec["model"])
    readers = {"/fc1/Gemm": model.fc2, "/fc2/Gemm": model.fc3, "/fc3/Gemm": model.fc4, "/fc4/Gemm": model.out}
    x, y = load("test")
    accuracies = []
    start = time.perf_counter()
    with torch.no_grad():
        for s in spec["sets"]:
            units = torch.tensor(s["units"], dtype=torch.long)

            def hook(_, inputs, units=units):
                (a,) = inputs
                a = a.clone()
                a[:, units] = 0
                return (a,)

            handle = readers[s["layer"]].register_forward_pre_hook(hook)
            pred = model(x).argmax(1)
            handle.remove()
            accuracies.append(float((pred == y).float().mean()))
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "accuracies": accuracies, "threads": threads}))


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Peer for bench/: the small CNN's lesion sweep in PyTorch, one lesion at a time with forward pre-hooks.

    /usr/bin/python3 bench/peers/pytorch_cnn_lesions.py SETS.json THREADS

SETS.json: {"model": path, "sets": [{"layer": "/conv2/Conv", "units": [...]}, ...]} (Analyzer's node set names: the
channels read by conv2, conv3 or fc1). Loads the ONNX weights into tools/train_models.SmallCnn, evaluates the
Fashion-MNIST test split once per set with the channels zeroed at the reading layer's input (for fc1, every flattened
feature of those channels), in batches of 1000, and prints one JSON line {"seconds", "accuracies", "threads"}.
"""
import json
import os
import sys
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools", "golden"))
from train_models import SmallCnn, load  # noqa: E402
from lesions import load_weights  # noqa: E402


def main():
    spec_path, threads = sys.argv[1], int(sys.argv[2])
    torch.set_num_threads(threads)
    with open(spec_path) as f:
        spec = json.load(f)
    model = load_weights(SmallCnn(), spec["model"])
    readers = {"/conv2/Conv": model.conv2, "/conv3/Conv": model.conv3, "/fc1/Gemm": model.fc1}
    x, y = load("test")
    accuracies = []
    start = time.perf_counter()
    with torch.no_grad():
        for s in spec["sets"]:
            units = torch.tensor(s["units"], dtype=torch.long)
            flat = s["layer"] == "/fc1/Gemm"
            if flat:  # channel c of the 64x7x7 map is features c*49 .. c*49+48 of fc1's input
                units = (units[:, None] * 49 + torch.arange(49)[None, :]).reshape(-1)

            def hook(_, inputs, units=units):
                (a,) = inputs
                a = a.clone()
                a[:, units] = 0
                return (a,)

            handle = readers[s["layer"]].register_forward_pre_hook(hook)
            correct = 0
            for b in range(0, len(x), 1000):
                correct += int((model(x[b:b + 1000]).argmax(1) == y[b:b + 1000]).sum())
            handle.remove()
            accuracies.append(correct / len(x))
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "accuracies": accuracies, "threads": threads}))


if __name__ == "__main__":
    main()

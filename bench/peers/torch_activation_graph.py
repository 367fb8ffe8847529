#!/usr/bin/python3
"""Peer for bench/: the MLP's activation graph as a user would script it, PyTorch capture + scipy.stats.spearmanr.

    /usr/bin/python3 bench/peers/torch_activation_graph.py MODEL.onnx SAMPLES OUT.npy THREADS

Loads the ONNX weights into tools/train_models.Mlp, draws SAMPLES Fashion-MNIST training images (seed 0), records the
four hidden layers' pre-activations with forward hooks, takes the squared Spearman correlation of every pair of hidden
units (diagonal 0, undefined correlations 0) and saves the [units x units] float64 matrix, the work
`./analyzer graph --edges activations` does. Prints one JSON line {"seconds", "units", "checksum"}.
"""
import json
import os
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools", "golden"))
from train_models import Mlp, load  # noqa: E402
from lesions import load_weights  # noqa: E402
from scipy import stats  # noqa: E402


def main():
    model_path, samples, out, threads = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    torch.set_num_threads(threads)
    start = time.perf_counter()
    model = load_weights(Mlp(), model_path)
    x, _ = load("train")
    chosen = np.random.default_rng(0).choice(len(x), samples, replace=False)
    captured = []
    hooks = [fc.register_forward_hook(lambda _, __, output: captured.append(output.detach()))
             for fc in (model.fc1, model.fc2, model.fc3, model.fc4)]
    with torch.no_grad():
        model(x[torch.from_numpy(chosen)])
    for hook in hooks:
        hook.remove()
    activations = torch.cat(captured, dim=1).double().numpy()
    r, _ = stats.spearmanr(activations)
    r2 = np.nan_to_num(r) ** 2
    np.fill_diagonal(r2, 0)
    np.save(out, r2)
    print(json.dumps({"seconds": time.perf_counter() - start, "units": int(r2.shape[0]), "checksum": float(r2.sum())}))


if __name__ == "__main__":
    main()

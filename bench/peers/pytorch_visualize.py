#!/usr/bin/python3
"""Peer for bench/: feature visualisation by PyTorch autograd, the same optimisation Analyzer runs.

    /usr/bin/python3 bench/peers/pytorch_visualize.py SPEC.json THREADS

SPEC.json: {"model", "kind": "cnn"|"mlp", "target": the module whose output is the pre-activation (cnn: conv1, conv2,
conv3; mlp: fc4), "init": .npy [N, 784] starting parameters, "warps": .npy [steps*N, 6]
(A, B, C, D, Tx, Ty per step and image: output pixel (i, j) samples column A·u + B·v + cx + Tx and row
C·u + D·v + cy + Ty, u = j - cx, v = i - cy), "masks": .npy [N, C], "steps", "lr", "out": .npy to write [N, 784]}.
Images are sigmoid(p); each step warps them (grid_sample, bilinear, zero fill, align_corners=True), runs the model up
to the target pre-activation only, maximises sum_u mask_u sum_space |z_u| with
torch.optim.Adam, and prints one JSON line {"seconds", "threads", "objective": [final objective per image]}.
"""
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools", "golden"))
from train_models import Mlp, SmallCnn  # noqa: E402
from lesions import load_weights  # noqa: E402


def truncated(kind, target, model):
    if kind == "cnn":
        def forward(x):
            x = model.conv1(x)
            if target == "conv1":
                return x
            x = model.conv2(F.relu(x))
            if target == "conv2":
                return x
            return model.conv3(F.max_pool2d(F.relu(x), 2))
        return forward

    def forward(x):
        x = torch.flatten(x, 1)
        for fc in (model.fc1, model.fc2, model.fc3):
            x = F.relu(fc(x))
        return model.fc4(x)
    return forward


def grids(warps, n, h, w):
    """[n, h, w, 2] sampling grids in grid_sample's normalised coordinates (align_corners=True)."""
    cx, cy = (w - 1) / 2.0, (h - 1) / 2.0
    v, u = torch.meshgrid(torch.arange(h, dtype=torch.float32) - cy, torch.arange(w, dtype=torch.float32) - cx, indexing="ij")
    a, b, c, d, tx, ty = [warps[:, k].view(n, 1, 1) for k in range(6)]
    sx = a * u + b * v + cx + tx
    sy = c * u + d * v + cy + ty
    return torch.stack((sx / (w - 1) * 2 - 1, sy / (h - 1) * 2 - 1), dim=-1)


def main():
    spec_path, threads = sys.argv[1], int(sys.argv[2])
    torch.set_num_threads(threads)
    with open(spec_path) as f:
        spec = json.load(f)
    model = load_weights(Mlp() if spec["kind"] == "mlp" else SmallCnn(), spec["model"])
    for p in model.parameters():
        p.requires_grad_(False)
    forward = truncated(spec["kind"], spec["target"], model)
    init = torch.from_numpy(np.load(spec["init"]).astype(np.float32))
    n = init.shape[0]
    warps = torch.from_numpy(np.load(spec["warps"]).astype(np.float32)).view(spec["steps"], n, 6)
    masks = torch.from_numpy(np.load(spec["masks"]).astype(np.float32))
    param = init.view(n, 1, 28, 28).clone().requires_grad_(True)
    optimiser = torch.optim.Adam([param], lr=spec["lr"])
    all_grids = [grids(warps[s], n, 28, 28) for s in range(spec["steps"])]

    def objective(z):
        per_unit = z.abs().sum(dim=(2, 3)) if z.dim() == 4 else z.abs()
        return (per_unit * masks).sum(dim=1)

    start = time.perf_counter()
    for s in range(spec["steps"]):
        optimiser.zero_grad()
        pixels = torch.sigmoid(param)
        warped = F.grid_sample(pixels, all_grids[s], mode="bilinear", padding_mode="zeros", align_corners=True)
        loss = -objective(forward(warped)).sum()
        loss.backward()
        optimiser.step()
    seconds = time.perf_counter() - start
    with torch.no_grad():
        final = torch.sigmoid(param)
        values = objective(forward(final))
    np.save(spec["out"], final.view(n, -1).numpy().astype(np.float64))
    print(json.dumps({"seconds": seconds, "threads": threads, "objective": values.tolist()}))


if __name__ == "__main__":
    main()

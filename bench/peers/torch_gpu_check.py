#!/usr/bin/python3
"""PyTorch's side of bench/gpu-check.sh: the work of each ILGPU kernel, done the way a PyTorch user would on the same
GPU, timed with CUDA synchronisation. One JSON line per kernel: {"kernel", "torch_seconds"}.

    python3 bench/peers/torch_gpu_check.py [--cpu]

Sizes match bench/Analyzer.GpuCheck (full sizes on CUDA; --cpu runs its small sizes on the CPU, to check the script).
"""
import json
import sys
import time

import torch
import torch.nn.functional as F


def seconds(run, repeats, device):
    run()
    if device == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(repeats):
        run()
    if device == "cuda":
        torch.cuda.synchronize()
    return (time.perf_counter() - start) / repeats


def main():
    device = "cpu" if "--cpu" in sys.argv else "cuda"
    small = device == "cpu"
    gen = torch.Generator(device="cpu").manual_seed(0)

    # Squared Spearman correlations of every pair: standardised ranks, one float64 product, squared.
    samples, units = (500, 512) if small else (5000, 4096)
    x = torch.round(torch.rand(units, samples, generator=gen, dtype=torch.float64) * 100).to(device)

    def spearman():
        ranks = x.argsort(dim=1).argsort(dim=1).to(torch.float64)  # ties broken, not averaged: a lower bound on the work
        ranks -= ranks.mean(dim=1, keepdim=True)
        ranks /= ranks.norm(dim=1, keepdim=True)
        return (ranks @ ranks.T) ** 2

    print(json.dumps({"kernel": "spearman tiles", "torch_seconds": seconds(spearman, 2, device)}))

    # One Adam step on sigmoid-parameterised pixels given the objective's gradient.
    pixels, steps = (3 * 64 * 64, 5) if small else (64 * 3 * 224 * 224, 20)
    p = torch.nn.Parameter((torch.rand(pixels, generator=gen) - 0.5).mul(2).to(device))
    gradient = (torch.rand(pixels, generator=gen) - 0.5).mul(0.1).to(device)
    optimiser = torch.optim.Adam([p], lr=0.05)

    def ascent():
        for _ in range(steps):
            s = torch.sigmoid(p.detach())
            p.grad = -(gradient * s * (1 - s))
            optimiser.step()
        return torch.sigmoid(p.detach())

    print(json.dumps({"kernel": "pixel ascent (Adam on sigmoid pixels)", "torch_seconds": seconds(ascent, 2, device) / steps}))

    # Bilinear affine warp of a batch and its adjoint (the backward pass of grid_sample).
    images, side = (2, 64) if small else (64, 224)
    source = torch.rand(images, 3, side, side, generator=gen).to(device).requires_grad_(True)
    theta = (torch.eye(2, 3).repeat(images, 1, 1) + 0.05 * torch.rand(images, 2, 3, generator=gen)).to(device)
    grid = F.affine_grid(theta, list(source.shape), align_corners=False)

    def warp():
        warped = F.grid_sample(source, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
        (back,) = torch.autograd.grad(warped, source, warped.detach())
        return back

    print(json.dumps({"kernel": "image warp and its adjoint", "torch_seconds": seconds(warp, 5, device)}))


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Peer for bench/: squared Spearman correlation matrix with scipy.stats.spearmanr.

    /usr/bin/python3 bench/peers/scipy_spearman.py SAMPLES.npy REPEATS

SAMPLES.npy: [samples x units] float64. Prints one JSON line {"seconds": [...], "blas": [...], "checksum": sum of r^2}.
"""
import json
import sys
import time

import numpy as np
from scipy import stats
from threadpoolctl import threadpool_info


def main():
    samples = np.load(sys.argv[1])
    repeats = int(sys.argv[2])
    seconds = []
    r2 = None
    for _ in range(repeats):
        start = time.perf_counter()
        r, _ = stats.spearmanr(samples)
        r2 = np.nan_to_num(r) ** 2
        np.fill_diagonal(r2, 0)
        seconds.append(time.perf_counter() - start)
    blas = [f"{i['internal_api']} {i.get('architecture', '')} x{i['num_threads']}" for i in threadpool_info()]
    print(json.dumps({"seconds": seconds, "blas": blas, "checksum": float(r2.sum())}))


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Peer for bench/: time scikit-learn's spectral clustering on an adjacency.npy.

    /usr/bin/python3 bench/peers/sklearn_spectral.py ADJACENCY.npy K REPEATS

Prints one JSON line: {"seconds": [...], "ncut": ..., "blas": ...}. Each repeat is the whole
SpectralClustering(affinity='precomputed', eigen_solver='arpack', random_state=0).fit(A): embedding (ARPACK) plus
k-means (n_init=10), the work Analyzer's `cluster` does.
"""
import json
import os
import sys
import time

import numpy as np
from sklearn.cluster import SpectralClustering
from threadpoolctl import threadpool_info

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
from ncut import normalized_cut  # noqa: E402


def main():
    path, k, repeats = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    adjacency = np.load(path)
    seconds = []
    labels = None
    for _ in range(repeats):
        start = time.perf_counter()
        labels = SpectralClustering(k, affinity="precomputed", eigen_solver="arpack", random_state=0).fit(adjacency).labels_
        seconds.append(time.perf_counter() - start)
    blas = [f"{i['internal_api']} {i.get('architecture', '')} x{i['num_threads']}" for i in threadpool_info()]
    print(json.dumps({"seconds": seconds, "ncut": normalized_cut(adjacency, labels), "blas": blas}))


if __name__ == "__main__":
    main()

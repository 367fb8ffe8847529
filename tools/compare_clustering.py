#!/usr/bin/python3
"""Compare Analyzer's network-wide spectral clustering with scikit-learn's on the same adjacency.

    /usr/bin/python3 tools/compare_clustering.py onnx-models/fmnist-mlp.onnx -k 16 [--seeds 0 1 2 3 4]

Runs `./analyzer graph` and `./analyzer cluster --scope network` for each seed, then
sklearn.cluster.SpectralClustering(affinity='precomputed', eigen_solver='arpack', random_state=seed) on the
adjacency.npy that Analyzer wrote, and prints the normalized cut of both (same formula, tools/ncut.py).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
from sklearn.cluster import SpectralClustering

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ncut import normalized_cut  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model")
    parser.add_argument("-k", type=int, default=16)
    parser.add_argument("--seeds", type=int, nargs="*", default=[0])
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="analyzer-compare-")
    analyzer = os.path.join(ROOT, "analyzer")
    subprocess.run([analyzer, "graph", args.model, "--out", work], check=True, stdout=subprocess.DEVNULL)
    adjacency = np.load(os.path.join(work, "adjacency.npy"))
    print(f"{args.model}: {adjacency.shape[0]} nodes, k = {args.k}")
    print(f"{'seed':>4}  {'analyzer ncut':>14}  {'sklearn ncut':>13}")
    ours_all, theirs_all = [], []
    for seed in args.seeds:
        out = os.path.join(work, f"c{seed}.json")
        subprocess.run([analyzer, "cluster", args.model, "--scope", "network", "-k", str(args.k), "--seed", str(seed),
                        "--out", out], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with open(out) as f:
            doc = json.load(f)
        labels = np.concatenate([layer["labels"] for layer in doc["layers"]])
        ours = normalized_cut(adjacency, labels)
        assert abs(ours - doc["ncut"]) < 1e-9 * max(1.0, ours), (ours, doc["ncut"])
        sk = SpectralClustering(args.k, affinity="precomputed", eigen_solver="arpack", random_state=seed)
        theirs = normalized_cut(adjacency, sk.fit(adjacency).labels_)
        ours_all.append(ours)
        theirs_all.append(theirs)
        print(f"{seed:>4}  {ours:>14.4f}  {theirs:>13.4f}")
    print(f"mean  {np.mean(ours_all):>14.4f}  {np.mean(theirs_all):>13.4f}")


if __name__ == "__main__":
    main()

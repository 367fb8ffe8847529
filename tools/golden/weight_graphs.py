#!/usr/bin/python3
"""Golden weight graphs of committed models, computed independently of Analyzer (onnx + numpy + scipy).

    /usr/bin/python3 tools/golden/weight_graphs.py > tests/Analyzer.Core.Tests/Golden/weight_graphs.json

For each model the adjacency is assembled from the ONNX initializers exactly as docs/method.md §2 defines it for a plain
chain: MLP, |W| between consecutive layers (inputs, hidden layers, outputs); CNN, the entrywise L1 norm of each conv
kernel slice between the input channels of consecutive conv readers (the first conv's input, the image, is not a node
set; the last conv joins the first dense layer's per-channel node set). Written: node count, every node's degree, and
the 16 smallest eigenvalues of L_sym = I - D^-1/2 A D^-1/2 (scipy.linalg.eigh).
"""
import json
import os

import numpy as np
import onnx
from onnx import numpy_helper
import scipy.linalg

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def weights(model, op):
    init = {t.name: numpy_helper.to_array(t).astype(np.float64) for t in model.graph.initializer}
    out = []
    for node in model.graph.node:
        if node.op_type == op:
            w = init[node.input[1]]
            if op == "Gemm":
                trans_b = next((a.i for a in node.attribute if a.name == "transB"), 0)
                w = w if trans_b else w.T  # -> [outputs, inputs]
            out.append(w)
    return out


def assemble(blocks):
    """blocks: list of [outputs x inputs] absolute weight matrices joining node set b to node set b + 1."""
    sizes = [blocks[0].shape[1]] + [b.shape[0] for b in blocks]
    offsets = np.cumsum([0] + sizes)
    n = offsets[-1]
    a = np.zeros((n, n))
    for b, w in enumerate(blocks):
        rows = slice(offsets[b + 1], offsets[b + 2])
        cols = slice(offsets[b], offsets[b + 1])
        a[rows, cols] = w
        a[cols, rows] = w.T
    return a


def summary(a, k=16):
    d = a.sum(axis=1)
    s = 1 / np.sqrt(d)
    lap = np.eye(len(a)) - a * s[:, None] * s[None, :]
    values = scipy.linalg.eigh(lap, eigvals_only=True, subset_by_index=[0, k - 1])
    return {"n": int(len(a)), "degrees": d.tolist(), "eigenvalues": values.tolist()}


def main():
    result = {}
    mlp = onnx.load(os.path.join(ROOT, "onnx-models", "fmnist-mlp.onnx"))
    result["fmnist-mlp.onnx"] = summary(assemble([np.abs(w) for w in weights(mlp, "Gemm")]))
    for name in ["fmnist-vgg-bn-folded.onnx", "fmnist-cnn.onnx"]:
        path = os.path.join(ROOT, "onnx-models", name)
        if not os.path.exists(path):
            continue
        convs = weights(onnx.load(path), "Conv")
        # Conv l (l >= 2) joins its input channels to the next reader's input channels (its own output channels).
        blocks = [np.abs(k).sum(axis=(2, 3)) for k in convs[1:]]
        result[name] = summary(assemble(blocks))
    json.dump(result, os.sys.stdout)


if __name__ == "__main__":
    main()

"""Normalized cut of a labelling, computed directly (shared by tools/ and bench/ scripts)."""
import numpy as np


def normalized_cut(adjacency, labels):
    """sum over clusters c of cut(c, V \\ c) / vol(c); nodes labelled -1 and their edges are left out."""
    labels = np.asarray(labels)
    valid = labels >= 0
    a = adjacency[np.ix_(valid, valid)]
    lab = labels[valid]
    degree = a.sum(axis=1)
    total = 0.0
    for c in np.unique(lab):
        members = lab == c
        volume = degree[members].sum()
        if volume > 0:
            total += (volume - a[np.ix_(members, members)].sum()) / volume
    return float(total)

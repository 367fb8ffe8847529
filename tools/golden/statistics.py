#!/usr/bin/python3
"""Golden values for Analyzer's statistics (docs/method.md §7), from scipy, statsmodels and mpmath.

    /usr/bin/python3 tools/golden/statistics.py > tests/Analyzer.Core.Tests/Golden/statistics.json

- fisher: scipy.stats.combine_pvalues(p, method='fisher') -> Fisher statistic F = stat / (2n) and its p-value.
- chi2: scipy.stats.chi2.sf(x, 2m) for the even-degree survival function.
- bates: P(mean of R iid U(0,1) <= m) by the Irwin-Hall formula in 60-digit arithmetic (mpmath).
- bh: statsmodels.stats.multitest.multipletests(p, alpha=0.05, method='fdr_bh') -> reject flags and adjusted p.
"""
import json
import sys

import mpmath
import numpy as np
from scipy import stats
from statsmodels.stats.multitest import multipletests

rng = np.random.default_rng(20261124)


def fisher_cases():
    cases = []
    grid = np.array([0.025, 0.075, 0.125, 0.175, 0.225, 0.275, 0.325, 0.375, 0.425, 0.475,
                     0.525, 0.575, 0.625, 0.675, 0.725, 0.775, 0.825, 0.875, 0.925, 0.975])
    for n in [1, 2, 5, 16, 40, 200]:
        for skew in [1.0, 0.5, 2.0]:
            p = np.sort(rng.choice(grid, size=n)) ** skew
            p = np.clip(p, 0.025, 0.975)
            stat, pvalue = stats.combine_pvalues(p, method="fisher")
            cases.append({"p": p.tolist(), "fisher": stat / (2 * n), "p_value": float(pvalue)})
    return cases


def chi2_cases():
    return [{"x": x, "m": m, "sf": float(stats.chi2.sf(x, 2 * m))}
            for m in [1, 2, 3, 10, 50, 300] for x in [0.0, 0.5, 2.0, 10.0, 60.0, 400.0, 1500.0]]


def irwin_hall_mean_cdf(mean, r):
    mpmath.mp.dps = 60
    s = mpmath.mpf(r) * mpmath.mpf(mean)
    total = mpmath.mpf(0)
    for k in range(0, int(mpmath.floor(s)) + 1):
        total += (-1) ** k * mpmath.binomial(r, k) * (s - k) ** r
    return float(total / mpmath.factorial(r))


def bates_cases():
    return [{"mean": m, "r": r, "cdf": irwin_hall_mean_cdf(m, r)}
            for r in [1, 2, 3, 5, 10, 20] for m in [0.01, 0.05, 0.1, 0.2, 0.3, 0.37, 0.5, 0.61, 0.8, 0.95, 0.999]]


def bh_cases():
    cases = []
    for m in [1, 4, 12, 30]:
        for scale in [0.001, 0.05, 1.0]:
            p = np.round(rng.uniform(0, 1, size=m) * scale, 6)
            reject, adjusted, _, _ = multipletests(p, alpha=0.05, method="fdr_bh")
            cases.append({"p": p.tolist(), "reject": reject.tolist(), "adjusted": adjusted.tolist()})
    return cases


json.dump({"fisher": fisher_cases(), "chi2": chi2_cases(), "bates": bates_cases(), "bh": bh_cases()}, sys.stdout)

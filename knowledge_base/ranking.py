"""The best few of many scores, in order, without sorting them all."""
from __future__ import annotations

import numpy as np


def best_first(values: np.ndarray, m: int) -> np.ndarray:
    """Indices of the m largest values, largest first, ties in index order: exactly
    `np.argsort(-values, kind="stable")[:m]`, at a fraction of its cost when m is small (a full sort
    of 2,646 procedure scores took ~0.1 ms, and a search made four)."""
    values = np.asarray(values)
    n = len(values)
    if m >= n:
        return np.argsort(-values, kind="stable")
    if m <= 0:
        return np.zeros(0, dtype=np.intp)
    kth = np.partition(values, n - m)[n - m]  # the m-th largest value
    chosen = np.flatnonzero(values >= kth)  # ascending, with every value tied with it
    return chosen[np.argsort(-values[chosen], kind="stable")][:m]

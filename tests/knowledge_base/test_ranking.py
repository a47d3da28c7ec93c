"""The few best scores in order, without a full sort, give exactly what the full stable sort gives."""
from __future__ import annotations

import numpy as np
import pytest

from knowledge_base.ranking import best_first


@pytest.mark.parametrize("seed", range(20))
def test_best_first_is_the_stable_full_sorts_prefix(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 300))
    # few distinct values and many zeros: ties everywhere, as procedures scoring nothing are
    values = np.where(rng.random(n) < 0.6, 0.0, rng.integers(0, 5, n) / 4).astype(np.float32)
    for m in (0, 1, 2, 5, 16, 32, n - 1, n, n + 3):
        assert best_first(values, m).tolist() == np.argsort(-values, kind="stable")[:max(m, 0)].tolist(), (n, m)


def test_best_first_of_nothing_is_nothing():
    assert best_first(np.zeros(0, dtype=np.float32), 5).tolist() == []

"""Cost of the learned reranker (knowledge_base/reranker.py) over the best reranker.DEPTH choices:
the whole search on the configured index (var/index by default) over the dev questions, with and
without it, interleaved question by question so that a busy machine slows both alike. Prints p50/p95
and the ratio; it never fails on a stopwatch.

    .venvs/app/bin/python bench/reranker.py [--rounds 3]
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from bench.measure import ab_setup, dev_search_ab  # noqa: E402
from knowledge_base.retrieval import ProcedureSearch  # noqa: E402


def main() -> None:
    args, index = ab_setup(__doc__)
    reranked = ProcedureSearch(index)
    baseline = ProcedureSearch(index, reranker=False)  # the fused order as it was
    texts = dev_search_ab(index, {"baseline": baseline.search, "reranked": reranked.search}, args.rounds)
    # the reranking step alone, on scores already computed: the fused order vs reordered
    step: dict[str, list[float]] = {"fused order": [], "reranked order": []}
    for text in texts:
        scores = reranked.score_procedures(text)
        for _ in range(args.rounds):
            start = time.perf_counter()
            reranked.ranked(scores.fused, 5)
            step["fused order"].append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            reranked.reranked(scores, 5)
            step["reranked order"].append((time.perf_counter() - start) * 1000)
    for name, t in step.items():
        print(f"  {name:14s} p50 {np.percentile(t, 50):6.3f} ms   p95 {np.percentile(t, 95):6.3f} ms")


if __name__ == "__main__":
    main()

"""Cost of the exact dense evidence of the lexical candidates (retrieval.LEXICAL_CANDIDATES_DENSE):
the whole search on the configured index (var/index by default) over the dev questions, with and
without it, interleaved question by question so that a busy machine slows both alike. Prints p50/p95
and the ratio; it never fails on a stopwatch.

    .venvs/app/bin/python bench/exact_dense.py [--rounds 3]
"""
from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.measure import ab_setup, dev_search_ab  # noqa: E402
from knowledge_base.retrieval import ProcedureSearch  # noqa: E402


def main() -> None:
    args, index = ab_setup(__doc__)
    exact = ProcedureSearch(index)
    baseline = ProcedureSearch(index)
    baseline._vectors = None  # the search as it was: dense evidence from the nearest passages only
    dev_search_ab(index, {"baseline": baseline.search, "exact dense": exact.search}, args.rounds)


if __name__ == "__main__":
    main()

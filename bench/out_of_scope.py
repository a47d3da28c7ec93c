"""Cost of the check for questions asked like one no procedure answers (knowledge_base/out_of_scope.py):
the whole search on the configured index (var/index by default) over the dev questions, with and
without it, interleaved question by question so that a busy machine slows both alike; then the check
alone (with its phrases) and the size of its word index. Prints p50/p95 and the ratio; it never fails on a stopwatch.

    .venvs/app/bin/python bench/out_of_scope.py [--rounds 3]
"""
from __future__ import annotations

import pickle
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
    if index.out_of_scope is None or index.out_of_scope.lexical is None:
        raise SystemExit("this index has no out-of-scope questions to compare with (built without example questions?)")
    checked = ProcedureSearch(index)
    baseline = ProcedureSearch(index, out_of_scope=False)
    texts = dev_search_ab(index, {"baseline": baseline.search, "checked": checked.search}, args.rounds)
    alone = []
    for text in texts:
        for _ in range(args.rounds):
            start = time.perf_counter()
            index.out_of_scope.declines(text, phrased=checked.asks_beyond_procedures(text))
            alone.append((time.perf_counter() - start) * 1000)
    print(f"  the check alone  p50 {np.percentile(alone, 50):6.3f} ms   p95 {np.percentile(alone, 95):6.3f} ms"
          f"   (with its phrases, out_of_scope_phrases.yml: {len(checked.phrases.phrases)})")
    lexical = index.out_of_scope.lexical
    print(f"  its word index: {lexical.matrix.shape[0]} texts ({len(index.out_of_scope.texts)} out of scope), "
          f"{len(lexical.vocab)} terms, {len(pickle.dumps(index.out_of_scope)) / 1e6:.1f} MB pickled")


if __name__ == "__main__":
    main()

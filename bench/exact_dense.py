"""Cost of the exact dense evidence of the lexical candidates (retrieval.LEXICAL_CANDIDATES_DENSE):
the whole search on the configured index (var/index by default) over the dev questions, with and
without it, interleaved question by question so that a busy machine slows both alike. Prints p50/p95
and the ratio; it never fails on a stopwatch.

    .venvs/app/bin/python bench/exact_dense.py [--rounds 3]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.measure import interleaved, print_ab  # noqa: E402
from knowledge_base.config import Settings  # noqa: E402
from knowledge_base.evaluate import read_questions  # noqa: E402
from knowledge_base.index import load  # noqa: E402
from knowledge_base.retrieval import ProcedureSearch  # noqa: E402

QUESTIONS = ("dev_questions.jsonl", "national_dev.jsonl", "english_dev.jsonl")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    index = load(Settings.from_env())
    exact = ProcedureSearch(index)
    baseline = ProcedureSearch(index)
    baseline._vectors = None  # the search as it was: dense evidence from the nearest passages only
    texts = [q["question"] for name in QUESTIONS
             for q in read_questions(REPO / "tests" / "knowledge_base" / name)]
    samples = interleaved({"baseline": baseline.search, "exact dense": exact.search}, texts, args.rounds)
    print(f"{index.manifest['procedures']} procedures, {index.manifest['passages']} passages, "
          f"{len(texts)} dev questions × {args.rounds} rounds")
    print_ab(samples, "baseline")


if __name__ == "__main__":
    main()

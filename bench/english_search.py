"""What searching English questions also in Vietnamese (knowledge_base/translate.py) costs: the whole
search on the configured index (national by default) with the translation and without it, run side
by side on the same English questions, plus the translation alone. Prints figures and ratios; it never
fails on a stopwatch.

    .venvs/app/bin/python bench/english_search.py [--rounds 3]
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.measure import encode_every_question, latency, machine, table, time_calls  # noqa: E402
from knowledge_base import index as kb_index  # noqa: E402
from knowledge_base.config import Settings  # noqa: E402
from knowledge_base.normalize import looks_english  # noqa: E402
from knowledge_base.retrieval import ProcedureSearch  # noqa: E402
from knowledge_base.translate import english_to_vietnamese, glossary  # noqa: E402

QUESTIONS = [REPO / "tests" / "knowledge_base" / name for name in ("english_dev.jsonl", "english_test.jsonl")]
TARGET_SEARCH_P95_MS = 15.0  # the foundation issue's whole-search target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3, help="passes over the questions, alternating the two modes")
    args = parser.parse_args()
    questions = [json.loads(line)["question"] for path in QUESTIONS for line in path.read_text().splitlines() if line]
    english = [q for q in questions if looks_english(q)]
    settings = Settings.from_env()
    built = kb_index.load(settings)
    encode_every_question(built)  # each variant encodes the question itself
    print(f"English search benchmark, {machine()}")
    print(f"index {settings.index_dir} ({len(built.procedures)} procedures, {len(built.passages)} passages), "
          f"{len(english)} of {len(questions)} questions detected as English, {args.rounds} rounds")
    translated = ProcedureSearch(built)
    plain = ProcedureSearch(built, translate=False)
    glossary()
    for search in (translated, plain):  # warm up: encoder, caches
        for q in english[:5]:
            search.search(q, 5)
    samples: dict[str, list[float]] = {"with translation": [], "without (baseline)": []}
    for _ in range(args.rounds):
        samples["with translation"] += time_calls(lambda i: translated.search(english[i], 5), len(english))
        samples["without (baseline)"] += time_calls(lambda i: plain.search(english[i], 5), len(english))
    alone = time_calls(lambda i: english_to_vietnamese(english[i % len(english)]), len(english) * args.rounds)
    figures = {name: latency(values) for name, values in samples.items()}
    figures["translation alone"] = latency(alone)
    base = figures["without (baseline)"]
    rows = [[name, f"{f['p50']:.2f}", f"{f['p95']:.2f}", f"{f['p99']:.2f}", f"{f['qps']:.0f}",
             f"x{f['p50'] / base['p50']:.2f}"] for name, f in figures.items()]
    print(table(["whole search (encoding included)", "p50 ms", "p95 ms", "p99 ms", "q/s", "p50 vs baseline"], rows))
    p95 = figures["with translation"]["p95"]
    print(f"target whole search p95 <= {TARGET_SEARCH_P95_MS} ms: measured {p95:.1f} ms "
          f"({'met' if p95 <= TARGET_SEARCH_P95_MS else 'not met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

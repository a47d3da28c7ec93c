"""Fit the learned reranker (knowledge_base/reranker.py) on the DEV questions (never the evaluation sets).

    .venvs/app/bin/python scripts/fit_reranker.py tests/knowledge_base/dev_questions.jsonl \\
        tests/knowledge_base/national_dev.jsonl tests/knowledge_base/english_dev.jsonl \\
        tests/knowledge_base/english_dev2.jsonl \\
        --index var/index [--index /tmp/kb-curated/index=knowledge_base/records/curated] [--write]

Every dev question is searched in every index given; its reranker.DEPTH best choices (by fused score,
one per group of variants) are the candidates, labelled 1 when the shown procedure answers it
(expected_id, also_accepted, expected_if_indexed). Prints recall@1/@5 of the fused order and of the
reranked one, cross-validated with folds by question (a question's searches in several indexes stay
in one fold) for each L2 strength, counting a question the no-answer model rejects as missed (the
reranker does not change that decision, so rejection of out-of-scope questions does not move).
--write fits on all of them with the chosen L2 and writes knowledge_base/reranker_model.json (with
KB_EXAMPLE_QUESTIONS=on, indexes built with the example questions: reranker_model-examples.json).
"""
import argparse
import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
# the models are fitted on exact question vectors (the search scores a question again in float32 where
# int8 could change its decision: knowledge_base/retrieval.py REFINE_MARGIN)
os.environ.setdefault("KB_QUESTION_PRECISION", "float32")
from knowledge_base.evaluate import accepted_ids, read_questions  # noqa: E402
from knowledge_base.index import load  # noqa: E402
from knowledge_base.config import Settings  # noqa: E402
from knowledge_base.example_questions import model_file  # noqa: E402
from knowledge_base.reranker import DEPTH, FEATURES, MODEL_FILE, Reranker, fit  # noqa: E402
from knowledge_base.retrieval import ProcedureSearch, validate_query  # noqa: E402
from tune_retrieval import _settings  # noqa: E402

L2_CHOICES = (0.1, 1.0, 3.0, 10.0, 30.0)
FOLDS = 5
SEEDS = (0, 1, 2)


def collect(paths: list[str], index_specs: list[str]):
    """Per search: (question number, index spec, features, labels, answered)."""
    rows = []
    encoder = None
    questions = [q for path in paths for q in read_questions(Path(path))]
    for spec in index_specs:
        search = ProcedureSearch(load(_settings(spec)), reranker=False)
        encoder = search.index.manifest["model"]
        ids = search.index.procedure_ids
        for number, q in enumerate(questions):
            accepted = accepted_ids(q, search.index.procedures) & set(search.index.procedures)
            if not accepted:
                continue  # out of scope here: the reranker cannot change what happens to it
            text = validate_query(q["question"])
            scores = search.score_procedures(text)
            candidates = [c for c in search.ranked(scores.fused, DEPTH) if c[1] > 0]
            answered = search.answers(text, scores)
            if not candidates:
                rows.append((number, spec, np.zeros((0, len(FEATURES))), np.zeros(0), answered))
                continue
            labels = np.array([ids[c[0]] in accepted for c in candidates], dtype=np.float64)
            rows.append((number, spec, search.candidate_features(scores, candidates), labels, answered))
    return rows, encoder


def recall(rows, model: Reranker | None) -> tuple[float, float]:
    at1 = at5 = 0
    for _, _, x, y, answered in rows:
        if not answered or len(y) == 0:
            continue
        order = np.argsort(-model.scores(x), kind="stable") if model is not None and len(y) > 1 else np.arange(len(y))
        at1 += bool(y[order[0]])
        at5 += bool(y[order[:5]].any())
    return (at1 / len(rows), at5 / len(rows)) if rows else (0.0, 0.0)


def train(rows, l2: float, encoder: str) -> Reranker:
    mean, scale, weights = fit([r[2] for r in rows], [r[3] for r in rows], l2=l2)
    return Reranker(encoder=encoder, features=FEATURES, mean=tuple(mean.round(6)), scale=tuple(scale.round(6)),
                    weights=tuple(weights.round(6)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("questions", nargs="+")
    parser.add_argument("--index", action="append", default=[], help="INDEX_DIR[=RECORDS_DIR:…]")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    specs = args.index or ["var/index"]
    rows, encoder = collect(args.questions, specs)
    for spec in specs:
        part = [r for r in rows if r[1] == spec]
        print(f"{spec}: {len(part)} in-scope searches; fused order r@1={recall(part, None)[0]:.3f} "
              f"r@5={recall(part, None)[1]:.3f}")
    numbers = sorted({r[0] for r in rows})
    best = None
    for l2 in L2_CHOICES:
        held_out = {spec: [] for spec in specs}
        for seed in SEEDS:
            fold_of = dict(zip(numbers, np.random.default_rng(seed).permutation(len(numbers)) % FOLDS))
            for fold in range(FOLDS):
                model = train([r for r in rows if fold_of[r[0]] != fold], l2, encoder)
                for spec in specs:
                    held_out[spec].append((recall([r for r in rows if fold_of[r[0]] == fold and r[1] == spec], model),
                                           sum(fold_of[r[0]] == fold and r[1] == spec for r in rows)))
        total = 0.0
        for spec in specs:
            n = sum(w for _, w in held_out[spec])
            r1 = sum(r[0] * w for r, w in held_out[spec]) / n
            r5 = sum(r[1] * w for r, w in held_out[spec]) / n
            total += r1 + r5
            print(f"L2 {l2:<5} {spec}: cross-validated reranked r@1={r1:.3f} r@5={r5:.3f}")
        if best is None or total > best[0] + 1e-9:
            best = (total, l2)
    print(f"chosen L2 {best[1]}")
    if args.write:
        model = train(rows, best[1], encoder)
        # the indexes were loaded with that setting (check_manifest refuses any other)
        model.save(model_file(MODEL_FILE, Settings.from_env().example_questions))
        for spec in specs:
            part = [r for r in rows if r[1] == spec]
            print(f"{spec}: fitted on all, r@1={recall(part, model)[0]:.3f} r@5={recall(part, model)[1]:.3f}")
        for name, w in zip(FEATURES, model.weights):
            print(f"  {name:14s} {w:+.3f}")


if __name__ == "__main__":
    main()

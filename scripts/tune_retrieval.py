"""Tuning on the DEV questions (never the evaluation set).

Grid over fusion weight and no-answer threshold: prints recall@1/@5, MRR and out-of-scope rejection
for each setting.

    .venvs/app/bin/python scripts/tune_retrieval.py tests/knowledge_base/dev_questions.jsonl [--misses]

Fit the no-answer model (knowledge_base/answerability.py) on the dev questions searched in several
indexes at once (the 42 curated records and the national catalogue), so it holds at both sizes, and
write knowledge_base/no_answer_model.json (with KB_EXAMPLE_QUESTIONS=on, indexes built with the example
questions: no_answer_model-examples.json):

    .venvs/app/bin/python scripts/tune_retrieval.py --fit-no-answer tests/knowledge_base/dev_questions.jsonl \\
        tests/knowledge_base/national_dev.jsonl tests/knowledge_base/english_dev.jsonl \\
        tests/knowledge_base/english_dev2.jsonl \\
        --index var/index --index /tmp/kb-curated/index=knowledge_base/records/curated

Fit the margin and bar from which a question asked like one no procedure answers is declined
(knowledge_base/out_of_scope.py): prints the grid and the choice, which that module's constants take
by hand:

    .venvs/app/bin/python scripts/tune_retrieval.py --fit-declined tests/knowledge_base/dev_questions.jsonl \\
        tests/knowledge_base/national_dev.jsonl tests/knowledge_base/english_dev.jsonl \\
        tests/knowledge_base/english_dev2.jsonl tests/knowledge_base/english_dev3.jsonl \\
        tests/knowledge_base/oos_dev.jsonl \\
        --index var/index --index /tmp/kb-curated/index=knowledge_base/records/curated

A question counts as answerable in an index when one of the procedures that answer it (expected_id,
also_accepted, expected_if_indexed) is in that index and among the five shown. The model also carries
the bar from which a question naming an uncovered subject its best choices do not mention is answered
(answerability.fit_uncovered_bar over those dev searches).
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
from knowledge_base.answerability import FEATURES, MODEL_FILE, NoAnswerModel, fit, fit_uncovered_bar  # noqa: E402
from knowledge_base.config import Settings  # noqa: E402
from knowledge_base.evaluate import accepted_ids, read_questions  # noqa: E402
from knowledge_base.example_questions import model_file  # noqa: E402
from knowledge_base.index import load  # noqa: E402
from knowledge_base.out_of_scope import declined_by  # noqa: E402
from knowledge_base.retrieval import ProcedureSearch, validate_query  # noqa: E402

# chosen by 5-fold cross-validation (folds by question, 3 seeds) on the three dev sets over both
# indexes: 3 / 10 / 30 / 60 held out 2.370 / 2.380 / 2.374 / 2.357 (recall@1 + recall@5 + rejection);
# products of the English flag with the other features did not do better held out
L2 = 10.0
CANDIDATE_PROBABILITIES = np.round(np.arange(0.05, 0.95, 0.01), 2)


def grid(path: str, show_misses: bool = False) -> None:
    index = load(Settings.from_env())
    search = ProcedureSearch(index)
    ids = index.procedure_ids
    rows = []
    for q in read_questions(Path(path)):
        text = validate_query(q["question"])
        scores = search.score_procedures(text)
        rows.append((q, scores.lexical.copy(), scores.dense.copy(), search.dense_weight_for(text)))

    def run(scale_dense: float, threshold: float, misses: list | None = None):
        at1 = at5 = rr = n = oos = rejected = 0
        for q, lexical, dense, weight in rows:
            fused = search.fuse(lexical, dense, weight * scale_dense)
            order = np.argsort(-fused)[:5]
            got = [ids[i] for i in order if fused[i] >= threshold and fused[i] > 0]
            expected = q.get("expected_id")
            if expected is None:
                oos += 1
                rejected += not got
            else:
                n += 1
                if expected in got:
                    rank = got.index(expected) + 1
                    at1 += rank == 1
                    at5 += 1
                    rr += 1 / rank
            if misses is not None and (got[:1] != [expected] if expected else got):
                misses.append((expected, [ids[i] for i in order[:3]], [round(float(fused[i]), 2) for i in order[:3]],
                               q["question"]))
        return at1 / n, at5 / n, rr / n, rejected / max(oos, 1)

    for scale in (0.0, 0.5, 1.0, 1.5):
        for threshold in (0.0, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35):
            r1, r5, mrr, rej = run(scale, threshold)
            print(f"dense×{scale:<4} no-answer<{threshold:<5} r@1={r1:.3f} r@5={r5:.3f} mrr={mrr:.3f} oos={rej:.3f}")
    if show_misses:
        misses: list = []
        run(1.0, 0.0, misses)
        for miss in misses:
            print(*miss, sep=" | ")


def _settings(spec: str) -> Settings:
    """INDEX_DIR or INDEX_DIR=RECORDS_DIR[:RECORDS_DIR…]"""
    index_dir, _, records = spec.partition("=")
    base = Settings.from_env()
    dirs = tuple(Path(d) for d in records.split(os.pathsep) if d) if records else base.records_dirs
    return Settings(records_dirs=dirs, index_dir=Path(index_dir), encoder=base.encoder,
                    approximate_above=base.approximate_above, calibration_questions=None,
                    example_questions=base.example_questions)


def fit_no_answer(paths: list[str], index_specs: list[str]) -> None:
    """Features of every dev question's best match in every index; answerable = one of the procedures
    that answer it is in that index and among the five shown (a question whose answers the index does
    not hold is out of scope there)."""
    features, answerable, outcome, unmentioned = [], [], [], []
    encoder = None
    questions = [q for path in paths for q in read_questions(Path(path))]
    for spec in index_specs:
        search = ProcedureSearch(load(_settings(spec)), no_answer_model=False)
        encoder = search.index.manifest["model"]
        ids = search.index.procedure_ids
        for q in questions:
            text = validate_query(q["question"])
            scores = search.score_procedures(text)
            order = np.argsort(-scores.fused, kind="stable")[:5]
            top5 = [ids[i] for i in order]
            accepted = accepted_ids(q, search.index.procedures) & set(search.index.procedures)
            features.append(search.question_features(text, scores))
            answerable.append(1.0 if accepted & set(top5) else 0.0)
            outcome.append((accepted or None, top5))
            unmentioned.append(bool(search.unmentioned_subjects(text, [int(i) for i in order])))
    x, y = np.array(features), np.array(answerable)
    mean, scale, weights, bias = fit(x, y, l2=L2)
    model = NoAnswerModel(encoder=encoder, features=FEATURES, mean=tuple(mean.round(6)), scale=tuple(scale.round(6)),
                          weights=tuple(weights.round(6)), bias=round(bias, 6), threshold=0.5)
    probability = model.probability(x)
    in_scope = sum(e is not None for e, _ in outcome) or 1
    out_of_scope = sum(e is None for e, _ in outcome) or 1
    best = (-1.0, 0.5)
    for threshold in CANDIDATE_PROBABILITIES:
        shown = probability >= threshold
        at1 = sum(s and e is not None and top[0] in e for s, (e, top) in zip(shown, outcome))
        at5 = sum(s and e is not None and bool(e & set(top)) for s, (e, top) in zip(shown, outcome))
        rejected = sum(not s and e is None for s, (e, _) in zip(shown, outcome))
        value = at1 / in_scope + at5 / in_scope + rejected / out_of_scope  # recall@1 + recall@5 + rejection
        if value > best[0] + 1e-9:
            best = (value, float(threshold))
    bar = fit_uncovered_bar(best[1], [(float(p), bool(a), e is None) for p, u, a, (e, _)
                                      in zip(probability, unmentioned, answerable, outcome) if u])
    model = NoAnswerModel(**{**model.__dict__, "threshold": best[1], "uncovered_bar": bar})
    # the indexes were loaded with that setting (check_manifest refuses any other)
    model.save(model_file(MODEL_FILE, Settings.from_env().example_questions))
    print(f"fitted on {len(y)} question searches ({int(y.sum())} answerable) over {len(index_specs)} indexes; "
          f"threshold {best[1]}, dev objective {best[0]:.4f}; uncovered bar {bar} "
          f"({sum(unmentioned)} searches name an uncovered subject the best choices do not mention)")
    for name, w in zip(FEATURES, weights):
        print(f"  {name:14s} {w:+.3f}")


def fit_declined(paths: list[str], index_specs: list[str]) -> None:
    """out_of_scope.DECLINE_MARGIN, DECLINE_FROM and DECLINE_BELOW: the check only ever declines, so of the
    grid's settings that lose no dev answer (recall@1 and @5 over every index's searches as without it)
    the one declining the most out-of-scope searches; among equals the one deciding the fewest questions
    (the lowest probability bar, then the widest margin, then the highest closeness bar)."""
    outcomes = []  # per search: (answering ids or None, ids shown without the check, closest declined, asked, p)
    questions = [q for path in paths for q in read_questions(Path(path))]
    for spec in index_specs:
        search = ProcedureSearch(load(_settings(spec)), out_of_scope=False)
        declined = search.index.out_of_scope
        if declined is None or declined.lexical is None:
            raise SystemExit(f"{spec}: the index holds no out-of-scope or no example questions to compare")
        for q in questions:
            text = validate_query(q["question"])
            accepted = accepted_ids(q, search.index.procedures)
            shown = [h.id for h in search.search(text, 5)]
            probability = search.answer_probability(text, search.score_procedures(text))
            outcomes.append((accepted or None, shown, *declined.closest(text), probability))
    results = []
    for below in (0.5, 0.6, 0.7, 0.8, 0.9, 1.01):
        for margin in np.round(np.arange(0.0, 0.31, 0.05), 2):
            for bar in np.round(np.arange(0.2, 0.61, 0.1), 2):
                at1 = at5 = rejected = 0
                for accepted, shown, closest, asked, probability in outcomes:
                    ids = [] if declined_by(closest, asked, probability, below=below, margin=margin, bar=bar) else shown
                    if accepted is None:
                        rejected += not ids
                    else:
                        at1 += bool(ids) and ids[0] in accepted
                        at5 += bool(accepted & set(ids))
                results.append((at1, at5, rejected, float(below), float(margin), float(bar)))
    without = (sum(a is not None and bool(s) and s[0] in a for a, s, *_ in outcomes),
               sum(a is not None and bool(a & set(s)) for a, s, *_ in outcomes),
               sum(a is None and not s for a, s, *_ in outcomes))
    print(f"{len(outcomes)} searches ({sum(a is not None for a, *_ in outcomes)} in scope); without the check: "
          f"at 1 {without[0]}, at 5 {without[1]}, declined {without[2]}")
    for at1, at5, rejected, below, margin, bar in sorted(results, key=lambda r: -r[2])[:10]:
        print(f"  below {below:.2f} margin {margin:.2f} bar {bar:.2f}: at 1 {at1}, at 5 {at5}, declined {rejected}")
    lossless = [r for r in results if r[:2] == without[:2]]
    chosen = max(lossless, key=lambda r: (r[2], -r[3], r[4], r[5]))
    print(f"losing no answer: declined {chosen[2]}; DECLINE_BELOW = {chosen[3]}, DECLINE_MARGIN = {chosen[4]}, "
          f"DECLINE_FROM = {chosen[5]} (knowledge_base/out_of_scope.py)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("questions", nargs="+")
    parser.add_argument("--misses", action="store_true")
    parser.add_argument("--fit-no-answer", action="store_true")
    parser.add_argument("--fit-declined", action="store_true")
    parser.add_argument("--index", action="append", default=[],
                        help="INDEX_DIR[=RECORDS_DIR:…] (with --fit-no-answer, --fit-declined)")
    args = parser.parse_args()
    if args.fit_declined:
        fit_declined(args.questions, args.index or [str(Settings.from_env().index_dir)])
    elif args.fit_no_answer:
        fit_no_answer(args.questions, args.index or [str(Settings.from_env().index_dir)])
    else:
        grid(args.questions[0], args.misses)

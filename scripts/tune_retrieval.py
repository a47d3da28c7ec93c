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
        --index var/index --index /tmp/kb-curated/index=knowledge_base/records/curated [--keep-weights]

The threshold is chosen on the search as served (the reranked five, the uncovered bar, the out-of-scope
check after the model). --keep-weights keeps the model file's weights and chooses only its threshold and
uncovered bar (session 13: after the second batch of example questions, 0.34 -> 0.37; refitting the
weights too gave the same dev objective, 2.5784 against 2.5780, with other trades).

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
from dataclasses import dataclass
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
from knowledge_base import out_of_scope  # noqa: E402
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


def fit_no_answer(paths: list[str], index_specs: list[str], keep_weights: bool = False) -> None:
    """Features of every dev question's best match in every index; answerable = one of the procedures
    that answer it is in that index and among the five shown (a question whose answers the index does
    not hold is out of scope there). The threshold (and the uncovered bar with it) is then chosen on the
    search as served: the reranked five, the uncovered bar and the out-of-scope check after the model
    (recall@1 + recall@5 + rejection). keep_weights: the model file's weights stay, only those two move."""
    features, answerable, searches = [], [], []
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
            served = [c[0] for c in search._decisions(text, scores, 5, None, True)[0]]
            closest = search.declined.closest(text) if search.declined is not None else None
            searches.append(Served(accepted or None, [ids[i] for i in served],
                                   bool(search.unmentioned_subjects(text, served)), closest,
                                   search.asks_beyond_procedures(text)))
    x, y = np.array(features), np.array(answerable)
    path = model_file(MODEL_FILE, Settings.from_env().example_questions)
    if keep_weights:
        model = NoAnswerModel.load(path)
        if model is None or model.encoder != encoder:
            raise SystemExit(f"{path}: no model for encoder {encoder} to keep the weights of")
    else:
        mean, scale, weights, bias = fit(x, y, l2=L2)
        model = NoAnswerModel(encoder=encoder, features=FEATURES, mean=tuple(mean.round(6)),
                              scale=tuple(scale.round(6)), weights=tuple(weights.round(6)), bias=round(bias, 6),
                              threshold=0.5)
    probability = model.probability(x)
    best = None
    for threshold in CANDIDATE_PROBABILITIES:  # the lowest of equally good thresholds
        result = served_objective(searches, probability, threshold)
        if best is None or result[0] > best[0] + 1e-9:
            best = result
    value, threshold, bar = best
    model = NoAnswerModel(**{**model.__dict__, "threshold": threshold, "uncovered_bar": bar})
    # the indexes were loaded with that setting (check_manifest refuses any other)
    model.save(path)
    print(f"{'kept the weights; ' if keep_weights else ''}fitted on {len(y)} question searches ({int(y.sum())} "
          f"answerable) over {len(index_specs)} indexes; threshold {threshold}, dev objective {value:.4f} as "
          f"served; uncovered bar {bar} ({sum(s.unmentioned for s in searches)} searches name an uncovered "
          f"subject the best choices do not mention)")
    for name, w in zip(FEATURES, model.weights):
        print(f"  {name:14s} {w:+.3f}")


@dataclass(frozen=True)
class Served:
    """One dev search as the service would answer it, but for the no-answer decision."""
    accepted: set | None  # the procedures that answer it in this index (None: out of scope there)
    shown: list[str]  # the five best after the reranker
    unmentioned: bool  # names an uncovered subject none of its best choices mentions
    closest: tuple[float, float] | None  # out_of_scope.closest (None without the check)
    phrased: bool = False  # holds a phrase of what no procedure answers (out_of_scope_phrases.py)


def served_objective(searches: list[Served], probability: np.ndarray, threshold: float) -> tuple[float, float, float]:
    """(recall@1 + recall@5 + rejection, threshold, uncovered bar) of the searches as served at this
    threshold: the bar fitted for it, and the out-of-scope check (out_of_scope.py) after the model."""
    bar = fit_uncovered_bar(float(threshold), [(float(p), bool(s.accepted and s.accepted & set(s.shown)),
                                                s.accepted is None)
                                               for p, s in zip(probability, searches) if s.unmentioned])
    at1 = at5 = rejected = 0
    for p, s in zip(probability, searches):
        answered = p >= threshold and not (p < bar and s.unmentioned) and not (
            s.closest is not None and declined_by(*s.closest, float(p), phrased=s.phrased))
        if s.accepted is None:
            rejected += not answered
        elif answered:
            at1 += bool(s.shown) and s.shown[0] in s.accepted
            at5 += bool(s.accepted & set(s.shown))
    in_scope = sum(s.accepted is not None for s in searches) or 1
    out_of_scope = sum(s.accepted is None for s in searches) or 1
    return at1 / in_scope + at5 / in_scope + rejected / out_of_scope, float(threshold), bar


def fit_declined(paths: list[str], index_specs: list[str]) -> None:
    """out_of_scope.DECLINE_*, SURE_* and PHRASE_BELOW: the check only ever declines, so of the grid's settings
    that lose no dev answer (recall@1 and @5 over every index's searches as without it) the one declining the
    most out-of-scope searches; among equals the one deciding the fewest questions (the lowest phrase bar,
    then the lowest probability bar, then the widest margins, then the highest closeness bars)."""
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
            outcomes.append((accepted or None, shown, *declined.closest(text), probability,
                             search.asks_beyond_procedures(text)))
    in_scope = np.array([a is not None for a, *_ in outcomes])
    right1 = np.array([a is not None and bool(s) and s[0] in a for a, s, *_ in outcomes])
    right5 = np.array([a is not None and bool(a & set(s)) for a, s, *_ in outcomes])
    empty = np.array([not s for _, s, *_ in outcomes])
    closest, asked, probability = (np.array([o[i] for o in outcomes], dtype=float) for i in (2, 3, 4))
    phrased = np.array([o[5] for o in outcomes], dtype=bool)
    without = (int(right1.sum()), int(right5.sum()), int((~in_scope & empty).sum()))
    results = []
    for phrase_below in (0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01):
        for sure_margin in (*np.round(np.arange(0.05, 0.51, 0.05), 2), np.inf):
            for sure_bar in np.round(np.arange(0.0, 0.61, 0.1), 2):
                for below in (0.5, 0.6, 0.7, 0.8, 0.9, 1.01):
                    for margin in np.round(np.arange(0.0, 0.31, 0.05), 2):
                        for bar in np.round(np.arange(0.0, 0.61, 0.1), 2):
                            ruled = declined_by(closest, asked, probability, phrased=phrased, below=below,
                                                margin=margin, bar=bar, sure_margin=sure_margin,
                                                sure_bar=sure_bar, phrase_below=phrase_below)
                            results.append((int((right1 & ~ruled).sum()), int((right5 & ~ruled).sum()),
                                            int((~in_scope & (empty | ruled)).sum()),
                                            float(below), float(margin), float(bar), float(sure_margin),
                                            float(sure_bar), float(phrase_below)))
                if sure_margin == np.inf:
                    break  # the bar of a rule that never declines is moot
    print(f"{len(outcomes)} searches ({int(in_scope.sum())} in scope); without the check: "
          f"at 1 {without[0]}, at 5 {without[1]}, declined {without[2]}")
    for at1, at5, rejected, below, margin, bar, sure_margin, sure_bar, phrase_below in sorted(
            results, key=lambda r: -r[2])[:10]:
        print(f"  below {below:.2f} margin {margin:.2f} bar {bar:.2f} sure margin {sure_margin:.2f} bar "
              f"{sure_bar:.2f} phrase below {phrase_below:.2f}: at 1 {at1}, at 5 {at5}, declined {rejected}")
    committed = (out_of_scope.DECLINE_BELOW, out_of_scope.DECLINE_MARGIN, out_of_scope.DECLINE_FROM,
                 out_of_scope.SURE_MARGIN, out_of_scope.SURE_FROM, out_of_scope.PHRASE_BELOW)
    for r in results:
        if np.allclose(r[3:], committed):
            print(f"  as committed: at 1 {r[0]}, at 5 {r[1]}, declined {r[2]}")
    lossless = [r for r in results if r[:2] == without[:2]]
    chosen = max(lossless, key=lambda r: (r[2], -r[8], -r[3], r[4], r[5], r[6], r[7]))
    print(f"losing no answer: declined {chosen[2]}; DECLINE_BELOW = {chosen[3]}, DECLINE_MARGIN = {chosen[4]}, "
          f"DECLINE_FROM = {chosen[5]}, SURE_MARGIN = {chosen[6]}, SURE_FROM = {chosen[7]}, "
          f"PHRASE_BELOW = {chosen[8]} "
          f"(knowledge_base/out_of_scope.py)")
    without_sure = max((r for r in lossless if r[6] == np.inf and r[8] == 0.0), key=lambda r: (r[2], -r[3], r[4], r[5]))
    without_phrases = max((r for r in lossless if r[8] == 0.0), key=lambda r: (r[2], -r[3], r[4], r[5], r[6], r[7]))
    print(f"  (without the phrases: declined {without_phrases[2]}; DECLINE_BELOW = {without_phrases[3]}, "
          f"DECLINE_MARGIN = {without_phrases[4]}, DECLINE_FROM = {without_phrases[5]}, "
          f"SURE_MARGIN = {without_phrases[6]}, SURE_FROM = {without_phrases[7]})")
    print(f"  (without the sure rule and the phrases: declined {without_sure[2]}; DECLINE_BELOW = {without_sure[3]}, "
          f"DECLINE_MARGIN = {without_sure[4]}, DECLINE_FROM = {without_sure[5]})")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("questions", nargs="+")
    parser.add_argument("--misses", action="store_true")
    parser.add_argument("--fit-no-answer", action="store_true")
    parser.add_argument("--fit-declined", action="store_true")
    parser.add_argument("--keep-weights", action="store_true",
                        help="with --fit-no-answer: keep the model's weights, choose only its threshold and bar")
    parser.add_argument("--index", action="append", default=[],
                        help="INDEX_DIR[=RECORDS_DIR:…] (with --fit-no-answer, --fit-declined)")
    args = parser.parse_args()
    if args.fit_declined:
        fit_declined(args.questions, args.index or [str(Settings.from_env().index_dir)])
    elif args.fit_no_answer:
        fit_no_answer(args.questions, args.index or [str(Settings.from_env().index_dir)], args.keep_weights)
    else:
        grid(args.questions[0], args.misses)

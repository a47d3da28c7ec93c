"""Retrieval quality with the real default encoder on the evaluation questions (issue 3's targets),
searching the records' own text only: KB_EXAMPLE_QUESTIONS=off, the default until session 9 (the default
now, with the example questions, is guarded by test_quality_examples.py). The figures below were all
measured this way; they stay guarded because a deployment may switch the example questions off.

Slow (loads the model and encodes every passage): marked `model`; deselect with -m "not model". The
national index without the example questions is var/index-plain, which scripts/test builds; without it
those tests skip.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from knowledge_base import index
from knowledge_base.config import REPO_ROOT
from knowledge_base.evaluate import evaluate, read_questions
from knowledge_base.retrieval import ProcedureSearch
from tests.knowledge_base.conftest import real_settings

EVAL_QUESTIONS = Path(__file__).with_name("eval_questions.jsonl")
NATIONAL_QUESTIONS = Path(__file__).with_name("national_questions.jsonl")
ENGLISH_TEST = Path(__file__).with_name("english_test.jsonl")
PLAIN_INDEX = REPO_ROOT / "var" / "index-plain"

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def curated_built(tmp_path_factory, curated_dir) -> index.BuiltIndex:
    settings = real_settings(KB_EXAMPLE_QUESTIONS="off", KB_RECORDS_DIRS=str(curated_dir),
                             KB_INDEX_DIR=str(tmp_path_factory.mktemp("minilm") / "index"))
    index.build(settings)
    return index.load(settings)


@pytest.fixture(scope="module")
def figures(curated_built) -> dict:
    searcher = ProcedureSearch(curated_built)
    return evaluate(searcher.search, read_questions(EVAL_QUESTIONS))


def test_figures_are_printed(figures, capsys):
    with capsys.disabled():
        print(f"\nretrieval quality, minilm over curated records, {EVAL_QUESTIONS.name}: {json.dumps(figures)}")
    assert figures["in_scope"] > 0 and figures["out_of_scope"] > 0


def test_recall_at_1_reaches_the_target(figures):
    assert figures["recall_at_1"] >= 0.90, json.dumps(figures)


# Reached on 2026-11-23 with the thesaurus, the variants and the no-answer model refitted with the
# national dev questions (recall@5 0.983; before them 0.959).
def test_recall_at_5_reaches_the_target(figures):
    assert figures["recall_at_5"] >= 0.98, json.dumps(figures)


# Issue 3's target not reached yet (measured 2026-12-06: rejected 0.848, 39 of 46, since a subject of a
# field the catalogue lacks asks for a surer answer (uncovered_fields.yml); 0.761 since the refit on
# the English dev questions too, 0.826 before it, 0.630 before the first fit).
# Strict: the day a change reaches it this fails, and the marker must come off.
@pytest.mark.xfail(reason="target not reached yet: rejection measured 0.848", strict=True)
def test_out_of_scope_questions_are_rejected(figures):
    assert figures["out_of_scope_rejected"] >= 0.85, json.dumps(figures)


# Regression guards at the level measured on 2026-11-23 (MRR 0.947 with the learned reranker, 0.942
# before it, 0.952 with the action features of session 3; rejection 0.761, 0.848 with the uncovered
# fields): quality may rise, never silently fall. Rejection was 0.826 before the
# no-answer model was refitted with the English dev questions (35 of 46 rejected instead of 38; the dev
# sets, which decide, improved).
def test_mrr_does_not_fall_below_the_measured_level(figures):
    assert figures["mrr"] >= 0.95, json.dumps(figures)


def test_out_of_scope_rejection_does_not_fall_below_the_measured_level(figures):
    assert figures["out_of_scope_rejected"] >= 0.84, json.dumps(figures)


# The whole national catalogue (curated + 2,642 portal records) without the example questions, as
# scripts/test builds it in var/index-plain.
@pytest.fixture(scope="module")
def national_search() -> ProcedureSearch:
    settings = real_settings(KB_EXAMPLE_QUESTIONS="off", KB_INDEX_DIR=str(PLAIN_INDEX))
    try:
        built = index.load(settings)
    except index.IndexError_ as error:
        pytest.skip(f"the national index without the example questions is not built (scripts/test builds it): {error}")
    if built.manifest["procedures"] < 2000:
        pytest.skip("var/index-plain does not hold the national catalogue")
    return ProcedureSearch(built)


@pytest.fixture(scope="module")
def national_figures(national_search) -> dict:
    return {path.stem: evaluate(national_search.search, read_questions(path), indexed=national_search.index.procedures)
            for path in (EVAL_QUESTIONS, NATIONAL_QUESTIONS, ENGLISH_TEST)}


def test_every_label_names_a_procedure_of_the_national_catalogue(national_search):
    """A label the catalogue does not hold would silently count its question out of scope."""
    built = national_search.index
    for path in sorted(EVAL_QUESTIONS.parent.glob("*.jsonl")):
        for number, item in enumerate(read_questions(path), start=1):
            labels = [item.get("expected_id"), *item.get("also_accepted", ()), *item.get("expected_if_indexed", ())]
            unknown = [i for i in labels if i is not None and i not in built.procedures]
            assert not unknown, f"{path.name}:{number}: {unknown}"


def test_national_figures_are_printed(national_figures, capsys):
    with capsys.disabled():
        for name, figures in national_figures.items():
            print(f"\nretrieval quality, minilm over the national index, {name}: {json.dumps(figures)}")


# Measured 2026-11-23 (national index, hybrid) after the exact dense evidence of lexical candidates and
# the no-answer model refitted on the three dev sets: eval questions recall@1 0.880, recall@5 0.957,
# MRR 0.914, rejected 0.744 (0.769 before the refit); long-tail national questions recall@1 0.494,
# recall@5 0.747, MRR 0.591, rejected 0.727 (0.758 before); English test questions recall@1 0.603,
# recall@5 0.846, MRR 0.689, rejected 0.900 (0.650 before). Then with the learned reranker
# (reranker.py; rejection unchanged by construction): eval questions recall@1 0.877 (one question
# less), recall@5 0.957, MRR 0.913; national questions recall@1 0.552, recall@5 0.782, MRR 0.637;
# English test recall@1 0.667, recall@5 0.872, MRR 0.748. Then with a counting word allowed inside a
# thesaurus phrase and a few general thesaurus entries: national questions recall@1 0.563, recall@5
# 0.782, MRR 0.643, rejected 0.727; eval questions and English test unchanged. Then with the actions
# a name carries and a question asks for as reranker features (procedure_actions.yml; session 3):
# eval questions recall@1 0.900, recall@5 0.957, MRR 0.926; national questions recall@1 0.563,
# recall@5 0.782, MRR 0.647; English test recall@1 0.692, recall@5 0.872, MRR 0.770; rejection
# unchanged by construction. Then (2026-12-06) the out-of-scope questions were checked against the
# catalogue's records (not the system's answers): 3 eval questions have an answering portal procedure
# and count in scope now (eval: 303 in scope, 37 out), which moved eval recall@1 0.900 -> 0.894 and MRR
# 0.926 -> 0.921 with the search unchanged (the driving test and the income tax settlement are missed
# at rank 1); then a subject of a field the catalogue lacks asks for a surer answer (uncovered.py):
# rejection eval 0.784 -> 0.811, national questions 0.727 -> 0.818, English test 0.900, recall unchanged.
# Then everyday aliases and English names for 235 citizen-facing portal procedures (portal_aliases.yml)
# and the reranker refitted on dev: national questions recall@1 0.563 -> 0.690, recall@5 0.782 -> 0.897,
# MRR 0.647 -> 0.779, rejected 0.818 -> 0.788 (one question); English test 0.692 -> 0.782, 0.872 ->
# 0.936, MRR 0.770 -> 0.854, rejected 0.900; eval recall@1 0.894, recall@5 0.954 -> 0.957, MRR 0.921 ->
# 0.923, rejected 0.811 -> 0.784 (one question: "ly hon thuan tinh nop don o toa nao"). Then (session 9)
# a question's age chooses among a procedure's age variants (ages.py): national questions recall@1 0.690
# -> 0.701, English test 0.782 -> 0.795; then search-box English is known as English
# (normalize.english_vocabulary): English test recall@5 0.936 -> 0.949, MRR 0.860 -> 0.867.
@pytest.mark.parametrize("name, key, level", [
    ("eval_questions", "recall_at_1", 0.89), ("eval_questions", "recall_at_5", 0.95),
    ("eval_questions", "mrr", 0.92), ("eval_questions", "out_of_scope_rejected", 0.78),
    ("national_questions", "recall_at_1", 0.70), ("national_questions", "recall_at_5", 0.89),
    ("national_questions", "mrr", 0.77), ("national_questions", "out_of_scope_rejected", 0.78),
    ("english_test", "recall_at_1", 0.79), ("english_test", "recall_at_5", 0.94),
    ("english_test", "mrr", 0.86), ("english_test", "out_of_scope_rejected", 0.90),
])
def test_national_quality_does_not_fall_below_the_measured_level(national_figures, name, key, level):
    assert national_figures[name][key] >= level, json.dumps(national_figures[name])


@pytest.mark.xfail(reason="issue 9's targets not reached on the long tail: recall@1 0.701, recall@5 0.897, "
                          "rejection 0.788 measured", strict=True)
def test_national_questions_reach_the_targets(national_figures):
    figures = national_figures["national_questions"]
    assert (figures["recall_at_1"] >= 0.90 and figures["recall_at_5"] >= 0.98
            and figures["out_of_scope_rejected"] >= 0.85), json.dumps(figures)


# The 42 curated records with the national index as their background (KB_BACKGROUND_INDEX_DIR,
# scope.py): a question about a portal procedure is out of scope for this deployment and declined.
@pytest.fixture(scope="module")
def scoped_figures(curated_built, national_search) -> dict:
    searcher = ProcedureSearch(curated_built, background=national_search)
    return {path.stem: evaluate(searcher.search, read_questions(path), indexed=curated_built.procedures)
            for path in (EVAL_QUESTIONS, NATIONAL_QUESTIONS, ENGLISH_TEST)}


def test_scoped_figures_are_printed(scoped_figures, capsys):
    with capsys.disabled():
        for name, figures in scoped_figures.items():
            print(f"\nretrieval quality, minilm over curated records, national background, {name}: "
                  f"{json.dumps(figures)}")


# Measured 2026-12-06 (session 7), before -> with the background: eval recall@1 0.929 -> 0.922, recall@5
# 0.983 -> 0.976, rejected 0.848 -> 0.891; questions about portal procedures the 42 do not hold, rejected:
# national questions 0.653 -> 0.864 (118 of 120 out of scope here), English test 0.671 -> 0.877 (73 of 98).
@pytest.mark.parametrize("name, key, level", [
    ("eval_questions", "recall_at_1", 0.92), ("eval_questions", "recall_at_5", 0.97),
    ("eval_questions", "out_of_scope_rejected", 0.89),
    ("national_questions", "out_of_scope_rejected", 0.86), ("english_test", "out_of_scope_rejected", 0.87),
])
def test_scoped_quality_does_not_fall_below_the_measured_level(scoped_figures, name, key, level):
    assert scoped_figures[name][key] >= level, json.dumps(scoped_figures[name])

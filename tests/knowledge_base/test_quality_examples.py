"""Retrieval quality of the default configuration (since session 9): the example questions indexed
(KB_EXAMPLE_QUESTIONS=on, example_questions.yml), the real default encoder and the models fitted for that
configuration (*-examples.json). test_quality.py guards the configuration without them.

Measured 2026-12-06 (session 8), off -> on, recall@1 / recall@5 / rejected:
  42 curated, eval questions            0.929 / 0.983 / 0.848 -> 0.939 / 0.990 / 0.891  (issue 3's targets met)
  42 curated + national background      0.922 / 0.976 / 0.891 -> 0.929 / 0.9796 / 0.913
  national index, eval questions        0.894 / 0.957 / 0.784 -> 0.924 / 0.977 / 0.784
  national index, national questions    0.690 / 0.897 / 0.788 -> 0.782 / 1.000 / 0.788
  national index, English test          0.782 / 0.936 / 0.900 -> 0.795 / 0.910 / 0.850  (worse)
Then (session 9) the bar for a question naming an uncovered subject fitted with the model (0.70 -> 0.81):
national questions rejected 0.788 -> 0.818, the rest unchanged. Then a question's age chooses among a
procedure's age variants (ages.py): national questions recall@1 0.782 -> 0.793, English test 0.795 -> 0.808.
Then search-box English is known as English (normalize.english_vocabulary): English test recall@5 0.910 ->
0.923, MRR 0.849 -> 0.856. Then (session 10) a question asked like one no procedure answers is declined
(out_of_scope.py): rejected, eval questions 0.784 -> 0.838, national questions 0.818 -> 0.848, English test
0.850 -> 0.900; every recall and the curated figures unchanged.
Fresh questions (session 11, fresh_questions.jsonl): written by two helpers who read no question file, no
example question and none of the project, after every setting was fixed, and read once: 160 questions about
procedures drawn at random (40 curated, 80 of commune or province level, 40 of any level; 109 Vietnamese, 26
unaccented or abbreviated, 25 English) and 155 that no procedure answers (59 that sound governmental, 57
everyday, 20 unaccented, 19 English). National index 0.781 / 0.981 / 0.890 (MRR 0.863); without the example
questions 0.688 / 0.900 / 0.858. Never tuned on.
Session 13: six more example questions for each of the 276 procedures citizens file most (example_questions.yml),
the reranker refitted, the no-answer threshold (0.34 -> 0.37) and the out-of-scope check re-chosen, all on the
dev sets; the held-out sets read after (twice: after the choice, and after the check's bar moved to 0.1, which
changed only fresh rejection), recall@1 / recall@5 / rejected, before -> after:
  national index, eval questions        0.924 / 0.977 / 0.838 -> 0.934 / 0.984 / 0.784
  national index, national questions    0.793 / 1.000 / 0.848 -> 0.793 / 0.977 / 0.818
  national index, English test          0.808 / 0.923 / 0.900 -> 0.821 / 0.936 / 0.950
  national index, fresh questions       0.781 / 0.981 / 0.890 -> 0.800 / 0.981 / 0.916
  42 curated, eval questions            0.939 / 0.990 / 0.891 -> 0.966 / 0.997 / 0.913
  42 curated + national background      0.929 / 0.980 / 0.913 -> 0.956 / 0.986 / 0.913
Over the four national sets: right first 537 -> 544 of 628, in the first five 612 -> 613, out-of-scope
declined 215 -> 217 of 245; three per-set levels fell (eval and national rejection, national recall@5: two
questions each at most), so the totals are guarded too.
Session 14: 979 more out-of-scope questions (out_of_scope_questions.yml) and the check's sure rule (a
question plainly asked like one of them is declined whatever the no-answer model says), both chosen on the
dev sets (lossless there); the held-out sets read once after, national index, before -> after:
  eval questions        0.934 / 0.984 / 0.784 -> 0.934 / 0.984 / 0.838
  national questions    0.793 / 0.977 / 0.818 -> 0.793 / 0.977 / 0.879
  English test          0.821 / 0.936 / 0.950 -> 0.808 / 0.923 / 0.950  (one question: now declined)
  fresh questions       0.800 / 0.981 / 0.916 -> 0.800 / 0.981 / 0.955
Totals 544 / 613 / 217 -> 543 / 612 / 227: one in-scope English question declined (by the new questions
alone, which without the sure rule moved no held-out rejection) for ten out-of-scope ones declined. The
English levels and the first two totals below were lowered by that one question, stated here, not silently.
Session 15: two more dev sets (dev_questions2, national_dev2: 312 in scope, 73 out) and phrases of what no
procedure answers (out_of_scope_phrases.yml: advice, lawfulness, a case's outcome, a scam, a fine's or a
price's amount); the check refitted, lossless, on the eight dev sets (the session 14 setting lost two of the new
dev answers): the model's bar 0.6 -> 0.5, the sure rule's margin 0.1 -> 0.15 and closeness 0.4 -> 0.2, a
phrase declines whatever the model says. Held-out sets read once after, national index, before -> after:
  eval questions        0.934 / 0.984 / 0.838 -> unchanged
  national questions    0.793 / 0.977 / 0.879 -> unchanged
  English test          0.808 / 0.923 / 0.950 -> 0.821 / 0.936 / 0.950  (the question session 14 declined)
  fresh questions       0.800 / 0.981 / 0.955 -> 0.800 / 0.981 / 0.948  (three more declined, four fewer)
Totals 543 / 612 / 227 -> 544 / 613 / 226: the English levels are back at session 13's; fresh rejection and
the third total are lowered by one question, for the one English answer and the dev sets' two, stated here.
Then a few thesaurus entries (closing a shop, "mở cty", dementia; chosen on dev_questions2), read once after:
eval questions 0.934 / 0.984 -> 0.937 / 0.987, the rest unchanged: totals 545 / 614 / 226.
Slow (loads the model): marked `model`. The national index is the default var/index, which scripts/setup
builds; without it those tests skip.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from knowledge_base import index
from knowledge_base.config import Settings
from tests.knowledge_base.conftest import real_settings
from knowledge_base.evaluate import evaluate, read_questions
from knowledge_base.retrieval import ProcedureSearch

HERE = Path(__file__).parent
EVAL_QUESTIONS, NATIONAL_QUESTIONS, ENGLISH_TEST, FRESH_QUESTIONS = (
    HERE / "eval_questions.jsonl", HERE / "national_questions.jsonl", HERE / "english_test.jsonl",
    HERE / "fresh_questions.jsonl")

pytestmark = pytest.mark.model


def _settings(**env: str) -> Settings:
    return real_settings(KB_EXAMPLE_QUESTIONS="on", **env)


@pytest.fixture(scope="module")
def curated_search(tmp_path_factory, curated_dir) -> ProcedureSearch:
    settings = _settings(KB_INDEX_DIR=str(tmp_path_factory.mktemp("examples") / "index"),
                         KB_RECORDS_DIRS=str(curated_dir))
    index.build(settings)
    return ProcedureSearch(index.load(settings))


@pytest.fixture(scope="module")
def national_search() -> ProcedureSearch:
    try:
        built = index.load(_settings())
    except index.IndexError_ as error:
        pytest.skip(f"the national index is not built (scripts/setup builds it): {error}")
    return ProcedureSearch(built)


def test_the_models_fitted_for_the_example_questions_serve_them(curated_search):
    assert curated_search.index.manifest["example_questions"]
    assert curated_search.reranker is not None and curated_search.no_answer_model is not None
    assert any(p.is_example for p in curated_search.index.passages)


def test_the_curated_index_reaches_issue_3s_targets(curated_search):
    figures = evaluate(curated_search.search, read_questions(EVAL_QUESTIONS))
    assert figures["recall_at_1"] >= 0.90 and figures["recall_at_5"] >= 0.98, json.dumps(figures)
    assert figures["out_of_scope_rejected"] >= 0.85, json.dumps(figures)
    assert figures["mrr"] >= 0.97, json.dumps(figures)  # measured 0.978 (0.961 before session 13)


@pytest.fixture(scope="module")
def national_figures(national_search) -> dict:
    return {path.stem: evaluate(national_search.search, read_questions(path), indexed=national_search.index.procedures)
            for path in (EVAL_QUESTIONS, NATIONAL_QUESTIONS, ENGLISH_TEST, FRESH_QUESTIONS)}


# at the levels measured on 2026-12-07, session 15 (module docstring): quality may rise, never silently fall
@pytest.mark.parametrize("name, key, level", [
    ("eval_questions", "recall_at_1", 0.93), ("eval_questions", "recall_at_5", 0.98),
    ("eval_questions", "mrr", 0.95), ("eval_questions", "out_of_scope_rejected", 0.83),
    ("national_questions", "recall_at_1", 0.79), ("national_questions", "recall_at_5", 0.97),
    ("national_questions", "mrr", 0.87), ("national_questions", "out_of_scope_rejected", 0.87),
    ("english_test", "recall_at_1", 0.82), ("english_test", "recall_at_5", 0.93),
    ("english_test", "mrr", 0.86), ("english_test", "out_of_scope_rejected", 0.95),
    ("fresh_questions", "recall_at_1", 0.80), ("fresh_questions", "recall_at_5", 0.98),
    ("fresh_questions", "mrr", 0.87), ("fresh_questions", "out_of_scope_rejected", 0.94),
])
def test_national_quality_does_not_fall_below_the_measured_level(national_figures, name, key, level):
    assert national_figures[name][key] >= level, json.dumps(national_figures[name])


def _counts(figures: dict) -> tuple[int, int, int]:
    """Questions right first, in the first five, and out-of-scope ones declined."""
    return (round(figures["recall_at_1"] * figures["in_scope"]), round(figures["recall_at_5"] * figures["in_scope"]),
            round(figures["out_of_scope_rejected"] * figures["out_of_scope"]))


# measured 2026-12-07 (session 15): 545 / 614 / 226 (session 14: 543 / 612 / 227, session 13: 544 / 613 / 217;
# the trades are in the module's docstring), of 628 in scope and 245 out
def test_the_held_out_totals_do_not_fall(national_figures):
    totals = [sum(column) for column in zip(*(_counts(f) for f in national_figures.values()))]
    assert totals[0] >= 545 and totals[1] >= 614 and totals[2] >= 226, totals


# measured 0.956 / 0.986 / 0.913 (0.929 / 0.9796 / 0.913 before session 13)
def test_the_scoped_deployment_does_not_fall_below_the_measured_level(curated_search, national_search):
    scoped = ProcedureSearch(curated_search.index, background=national_search)
    figures = evaluate(scoped.search, read_questions(EVAL_QUESTIONS), indexed=curated_search.index.procedures)
    assert figures["recall_at_1"] >= 0.95 and figures["recall_at_5"] >= 0.98, json.dumps(figures)
    assert figures["out_of_scope_rejected"] >= 0.91, json.dumps(figures)


def test_a_divorce_is_declined_and_recording_one_granted_abroad_is_answered(national_search):
    # a court grants a divorce; "ly hôn" got marriage registration (knowledge_base/out_of_scope_questions.yml)
    for question in ("cho hỏi thủ tục ly hôn làm ở đâu", "ly hon can giay to gi", "vợ chồng tôi muốn ly hôn"):
        assert national_search.search(question, 5) == [], question
    hits = national_search.search("ghi chú ly hôn ở nước ngoài", 5)
    assert hits and "ly hôn" in hits[0].name


def test_a_passport_for_a_child_is_the_passport(national_search):
    # declined (p 0.25): the joint birth and health-insurance procedures "cho trẻ em" came close
    hits = national_search.search("hộ chiếu cho trẻ em", 5)
    assert hits and hits[0].id == "cap-ho-chieu"

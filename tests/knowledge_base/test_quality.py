"""Retrieval quality with the real default encoder on the evaluation questions (issue 3's targets).

Slow (loads the model and encodes every passage): marked `model`; deselect with -m "not model".
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from knowledge_base import index
from knowledge_base.config import Settings
from knowledge_base.evaluate import evaluate, read_questions
from knowledge_base.retrieval import ProcedureSearch

EVAL_QUESTIONS = Path(__file__).with_name("eval_questions.jsonl")

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def figures(tmp_path_factory, curated_dir) -> dict:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KB_ENCODER", "minilm")
        patch.setenv("KB_INDEX_DIR", str(tmp_path_factory.mktemp("minilm") / "index"))
        patch.setenv("KB_RECORDS_DIRS", str(curated_dir))
        patch.delenv("KB_APPROXIMATE_ABOVE", raising=False)
        settings = Settings.from_env()
    index.build(settings)
    searcher = ProcedureSearch(index.load(settings))
    return evaluate(searcher.search, read_questions(EVAL_QUESTIONS))


def test_figures_are_printed(figures, capsys):
    with capsys.disabled():
        print(f"\nretrieval quality, minilm over curated records, {EVAL_QUESTIONS.name}: {json.dumps(figures)}")
    assert figures["in_scope"] > 0 and figures["out_of_scope"] > 0


def test_recall_at_1_reaches_the_target(figures):
    assert figures["recall_at_1"] >= 0.90, json.dumps(figures)


# Issue 3's targets not reached yet (measured 2026-11-23 after the accented matching and the fitted
# no-answer model: recall@5 0.959, out-of-scope rejected 0.630; before them 0.949 and 0.587).
# Strict: the day a change reaches a target these fail, and the marker must come off.
@pytest.mark.xfail(reason="target not reached yet: recall@5 measured 0.959", strict=True)
def test_recall_at_5_reaches_the_target(figures):
    assert figures["recall_at_5"] >= 0.98, json.dumps(figures)


@pytest.mark.xfail(reason="target not reached yet: rejection measured 0.630", strict=True)
def test_out_of_scope_questions_are_rejected(figures):
    assert figures["out_of_scope_rejected"] >= 0.85, json.dumps(figures)


# Regression guards at the level measured on 2026-11-23 (recall@5 0.959, MRR 0.929, rejection 0.630):
# quality may rise, never silently fall.
def test_recall_at_5_does_not_fall_below_the_measured_level(figures):
    assert figures["recall_at_5"] >= 0.955, json.dumps(figures)


def test_mrr_does_not_fall_below_the_measured_level(figures):
    assert figures["mrr"] >= 0.925, json.dumps(figures)


def test_out_of_scope_rejection_does_not_fall_below_the_measured_level(figures):
    assert figures["out_of_scope_rejected"] >= 0.62, json.dumps(figures)

"""The fitted no-answer model: fitting, storage, and when the search uses it."""
from __future__ import annotations

import numpy as np
import pytest

from knowledge_base import answerability
from knowledge_base.answerability import FEATURES, NoAnswerModel, fit
from knowledge_base.retrieval import ProcedureSearch


def model(**changes) -> NoAnswerModel:
    n = len(FEATURES)
    fields = dict(encoder="hashing-256", features=FEATURES, mean=(0.0,) * n, scale=(1.0,) * n,
                  weights=(10.0,) + (0.0,) * (n - 1), bias=-3.0, threshold=0.5)
    return NoAnswerModel(**{**fields, **changes})


def test_fit_separates_answerable_from_unanswerable_questions():
    rng = np.random.default_rng(0)
    answerable = rng.normal(0.6, 0.05, size=(40, len(FEATURES)))
    unanswerable = rng.normal(0.2, 0.05, size=(40, len(FEATURES)))
    x = np.r_[answerable, unanswerable]
    y = np.r_[np.ones(40), np.zeros(40)]
    mean, scale, weights, bias = fit(x, y)
    fitted = model(mean=tuple(mean), scale=tuple(scale), weights=tuple(weights), bias=bias)
    assert (fitted.probability(answerable) > 0.5).all()
    assert (fitted.probability(unanswerable) < 0.5).all()


def test_model_round_trips_through_its_file(tmp_path):
    path = tmp_path / "model.json"
    model().save(path)
    assert NoAnswerModel.load(path) == model()


@pytest.mark.parametrize("content", ["", "{", '{"encoder": "x"}', "[1, 2]"])
def test_damaged_model_file_means_no_model(tmp_path, content):
    path = tmp_path / "model.json"
    path.write_text(content)
    assert NoAnswerModel.load(path) is None


def test_model_fitted_on_other_features_is_not_used(tmp_path):
    path = tmp_path / "model.json"
    model(features=("fused",), mean=(0.0,), scale=(1.0,), weights=(1.0,)).save(path)
    assert NoAnswerModel.load(path) is None


def test_shipped_model_loads_and_names_its_encoder():
    shipped = NoAnswerModel.load(answerability.MODEL_FILE)
    assert shipped is not None and shipped.encoder == "minilm" and 0 < shipped.threshold < 1


def test_search_uses_the_model_only_for_the_encoder_it_was_fitted_for(curated_index):
    assert ProcedureSearch(curated_index, no_answer_model=model()).no_answer_model is not None
    assert ProcedureSearch(curated_index, no_answer_model=model(encoder="minilm")).no_answer_model is None
    assert ProcedureSearch(curated_index, no_answer_model=model(), use_dense=False).no_answer_model is None
    assert ProcedureSearch(curated_index, no_answer_model=model(), no_answer_below=0.2).no_answer_model is None


def test_model_decides_for_the_question_as_a_whole(curated_index):
    always = ProcedureSearch(curated_index, no_answer_model=model(weights=(0.0,) * len(FEATURES), bias=5.0))
    never = ProcedureSearch(curated_index, no_answer_model=model(weights=(0.0,) * len(FEATURES), bias=-5.0))
    assert len(always.search("đăng ký khai sinh", 5)) == 5
    assert never.search("đăng ký khai sinh", 5) == []
    assert never.search("đăng ký khai sinh", 5, with_rejected=True)  # the fallback still gets candidates


def test_features_describe_the_best_match(curated_index):
    search = ProcedureSearch(curated_index, no_answer_model=False)
    text = "đăng ký khai sinh"
    values = dict(zip(FEATURES, search.question_features(text, search.score_procedures(text))))
    assert values["fused"] > 0 and values["margin"] >= 0
    assert values["coverage"] == pytest.approx(1.0) and values["name_coverage"] == pytest.approx(1.0)
    assert values["unknown"] == 0 and values["english"] == 0
    text = "đăng ký khai sinh xyzzyqq"
    values = dict(zip(FEATURES, search.question_features(text, search.score_procedures(text))))
    assert 0 < values["unknown"] < 1 and values["coverage"] < 1

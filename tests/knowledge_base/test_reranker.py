"""The learned reranker: fitting, storage, its features, and how the search uses it."""
from __future__ import annotations

import numpy as np
import pytest

from knowledge_base import reranker as reranker_module
from knowledge_base.reranker import DEPTH, FEATURES, Reranker, fit
from knowledge_base.retrieval import ProcedureSearch


def model(**changes) -> Reranker:
    n = len(FEATURES)
    weights = [0.0] * n
    weights[FEATURES.index("fused")] = 1.0
    fields = dict(encoder="hashing-256", features=FEATURES, mean=(0.0,) * n, scale=(1.0,) * n, weights=tuple(weights))
    return Reranker(**{**fields, **changes})


def weighted(feature: str, weight: float = 1.0, **changes) -> Reranker:
    weights = [0.0] * len(FEATURES)
    weights[FEATURES.index(feature)] = weight
    return model(weights=tuple(weights), **changes)


def test_fit_learns_what_puts_the_right_candidate_first():
    rng = np.random.default_rng(0)
    features, labels = [], []
    for _ in range(60):
        x = rng.normal(size=(8, len(FEATURES)))
        right = int(rng.integers(8))
        x[right, 3] += 4.0  # the right one stands out on one feature, whatever its rank
        features.append(x)
        labels.append(np.eye(8)[right])
    mean, scale, weights = fit(features, labels, l2=1.0)
    fitted = model(mean=tuple(mean), scale=tuple(scale), weights=tuple(weights))
    firsts = [int(np.argmax(fitted.scores(x))) == int(np.argmax(y)) for x, y in zip(features, labels)]
    assert np.mean(firsts) > 0.9
    assert np.argmax(np.abs(weights)) == 3


def test_fit_ignores_questions_without_a_right_candidate():
    x = np.random.default_rng(1).normal(size=(5, len(FEATURES)))
    _, _, weights = fit([x], [np.zeros(5)], l2=1.0)
    assert np.allclose(weights, 0.0)


def test_model_round_trips_through_its_file(tmp_path):
    path = tmp_path / "reranker.json"
    model().save(path)
    assert Reranker.load(path) == model()


@pytest.mark.parametrize("content", ["", "{", '{"encoder": "x"}', "[1, 2]", "null"])
def test_damaged_model_file_means_no_reranker(tmp_path, content):
    path = tmp_path / "reranker.json"
    path.write_text(content)
    assert Reranker.load(path) is None


def test_model_fitted_on_other_features_is_not_used(tmp_path):
    path = tmp_path / "reranker.json"
    model(features=("fused",), mean=(0.0,), scale=(1.0,), weights=(1.0,)).save(path)
    assert Reranker.load(path) is None
    model(weights=(1.0,)).save(path)  # a truncated list of weights
    assert Reranker.load(path) is None


def test_shipped_model_loads_and_names_its_encoder():
    shipped = Reranker.load(reranker_module.MODEL_FILE)
    assert shipped is not None and shipped.encoder == "minilm"
    assert all(np.isfinite(shipped.weights)) and all(s > 0 for s in shipped.scale)


def test_search_uses_the_reranker_only_for_the_encoder_it_was_fitted_for(curated_index):
    assert ProcedureSearch(curated_index, reranker=model()).reranker is not None
    assert ProcedureSearch(curated_index, reranker=model(encoder="minilm")).reranker is None
    assert ProcedureSearch(curated_index, reranker=model(), use_dense=False).reranker is None
    assert ProcedureSearch(curated_index, reranker=model(), use_lexical=False).reranker is None
    assert ProcedureSearch(curated_index, reranker=False).reranker is None


def test_candidate_features_describe_each_candidate(curated_index):
    search = ProcedureSearch(curated_index, reranker=model())
    scores = search.score_procedures("đăng ký khai sinh cho con")
    candidates = search.ranked(scores.fused, DEPTH)
    x = search.candidate_features(scores, candidates)
    column = {name: x[:, i] for i, name in enumerate(FEATURES)}
    assert x.shape == (len(candidates), len(FEATURES)) and np.isfinite(x).all()
    assert column["fused_ratio"][0] == pytest.approx(1.0) and column["gap"][0] == pytest.approx(0.0)
    assert (np.diff(column["rank"]) > 0).all()
    for name in ("name_f1", "aspect_lexical", "coverage", "name_coverage"):
        assert ((column[name] >= 0) & (column[name] <= 1 + 1e-6)).all(), name
    assert (column["name_coverage"] <= column["coverage"] + 1e-9).all()
    assert column["curated"].all()  # the curated index holds curated records only
    best = curated_index.procedures[curated_index.procedure_ids[candidates[0][0]]]
    assert best.id == "dang-ky-khai-sinh" and column["name_f1"][0] > 0.5


def test_a_reranker_following_the_fused_score_keeps_the_fused_order(curated_index):
    plain = ProcedureSearch(curated_index, reranker=False)
    following = ProcedureSearch(curated_index, reranker=model())
    for question in ("đăng ký khai sinh", "làm căn cước cho con", "đổi bằng lái xe", "xin giấy phép xây dựng nhà"):
        assert [h.id for h in following.search(question)] == [h.id for h in plain.search(question)]


def test_the_reranker_reorders_but_neither_adds_nor_drops_an_answer(curated_index):
    plain = ProcedureSearch(curated_index, reranker=False)
    # a deliberately odd model: the weakest of the best candidates first
    reversed_order = ProcedureSearch(curated_index, reranker=weighted("fused", -1.0))
    question = "đăng ký khai sinh"
    before = plain.search(question, k=DEPTH)
    after = reversed_order.search(question, k=DEPTH)
    assert [h.id for h in after] == [h.id for h in reversed(before)]
    # every hit keeps its own fused score, which the callers' thresholds read
    assert {h.id: h.score for h in after} == {h.id: h.score for h in before}
    assert reversed_order.search(question, k=1)[0].id == before[-1].id


def test_the_reranker_does_not_change_the_no_answer_decision(curated_index):
    from knowledge_base.answerability import FEATURES as ANSWER_FEATURES, NoAnswerModel
    n = len(ANSWER_FEATURES)
    rejects_all = NoAnswerModel(encoder="hashing-256", features=ANSWER_FEATURES, mean=(0.0,) * n, scale=(1.0,) * n,
                                weights=(0.0,) * n, bias=-5.0, threshold=0.5)
    search = ProcedureSearch(curated_index, reranker=weighted("fused", -1.0), no_answer_model=rejects_all)
    assert search.search("đăng ký khai sinh") == []
    assert search.search("đăng ký khai sinh", with_rejected=True)


def test_hits_carry_the_rerankers_confidence_best_first(curated_index):
    search = ProcedureSearch(curated_index, reranker=weighted("fused", 20.0))
    hits = search.search("đăng ký khai sinh", k=DEPTH)
    confidences = [h.confidence for h in hits]
    assert all(c is not None and 0.0 < c <= 1.0 for c in confidences)
    assert confidences == sorted(confidences, reverse=True) and sum(confidences) <= 1.0 + 1e-9
    # a reranker sure of its first choice says so; without one there is no confidence
    assert confidences[0] > 0.5
    assert all(h.confidence is None for h in ProcedureSearch(curated_index, reranker=False).search("đăng ký khai sinh"))

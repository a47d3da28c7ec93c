"""Where an int8 question vector could change a decision, the question is scored again with its
float32 vector (retrieval.py, REFINE_MARGIN), so the answer is float32's. A stand-in for the int8
encoder (the hashing encoder with its question vectors knocked a little off) runs this without the model."""
from __future__ import annotations

import dataclasses
import hashlib

import numpy as np
import pytest

from knowledge_base import answerability, reranker, retrieval
from knowledge_base.retrieval import ProcedureSearch

QUESTIONS = ["đăng ký khai sinh cho con", "lam can cuoc mat bao lau", "đổi bằng lái xe ở đâu",
             "phí đăng ký kết hôn", "dk tam tru cho nguoi thue nha", "mua vé máy bay giá rẻ"]


class Int8StandIn:
    """Question vectors a little off the exact ones (deterministic per question), and the exact ones
    from exact_queries, as the int8 encoder gives them."""

    approximate = True

    def __init__(self, exact, noise: float = 0.3):
        self.name, self.dim = exact.name, exact.dim
        self._exact = exact
        self._noise = noise
        self.exact_calls = 0

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        vectors = self._exact.encode_queries(texts)
        for row, text in zip(vectors, texts):
            seed = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=4).digest(), "little")
            row += self._noise * np.random.default_rng(seed).normal(size=self.dim).astype(np.float32)
            row /= np.linalg.norm(row)
        return vectors

    def exact_queries(self, texts: list[str]) -> np.ndarray:
        self.exact_calls += 1
        return self._exact.encode_queries(texts)

    def encode_documents(self, texts: list[str]) -> np.ndarray:
        return self._exact.encode_documents(texts)


def no_answer_model(probability: float, threshold: float = 0.5) -> answerability.NoAnswerModel:
    """A model giving every question this probability of being answered."""
    n = len(answerability.FEATURES)
    return answerability.NoAnswerModel(encoder="hashing-256", features=answerability.FEATURES, mean=(0.0,) * n,
                                       scale=(1.0,) * n, weights=(0.0,) * n,
                                       bias=float(np.log(probability / (1 - probability))), threshold=threshold)


def reranker_on(feature: str, weight: float = 1.0) -> reranker.Reranker:
    n = len(reranker.FEATURES)
    weights = [0.0] * n
    weights[reranker.FEATURES.index(feature)] = weight
    return reranker.Reranker(encoder="hashing-256", features=reranker.FEATURES, mean=(0.0,) * n, scale=(1.0,) * n,
                             weights=tuple(weights))


@pytest.fixture
def int8_index(curated_index):
    return dataclasses.replace(curated_index, encoder=Int8StandIn(curated_index.encoder))


def searches(index, int8_index, **options):
    return ProcedureSearch(index, **options), ProcedureSearch(int8_index, **options)


def test_when_every_decision_is_close_the_answers_are_float32s(curated_index, int8_index, monkeypatch):
    monkeypatch.setattr(retrieval, "REFINE_MARGIN", 2.0)  # every question is within int8's error
    exact, int8 = searches(curated_index, int8_index, no_answer_model=no_answer_model(0.9),
                           reranker=reranker_on("dense"))
    for question in QUESTIONS:
        assert int8.search(question, 5) == exact.search(question, 5), question
    assert int8_index.encoder.exact_calls == len(QUESTIONS)


def test_the_stand_in_does_change_answers_when_not_refined(curated_index, int8_index, monkeypatch):
    """The check above means something: with no refinement, the stand-in's vectors reorder choices."""
    monkeypatch.setattr(retrieval, "REFINE_MARGIN", 0.0)
    exact, int8 = searches(curated_index, int8_index, no_answer_model=no_answer_model(0.9),
                           reranker=reranker_on("dense"))
    assert any(int8.search(q, 5) != exact.search(q, 5) for q in QUESTIONS)
    assert int8_index.encoder.exact_calls == 0


def test_a_probability_near_the_no_answer_threshold_is_refined(int8_index):
    near = ProcedureSearch(int8_index, no_answer_model=no_answer_model(0.51), reranker=False)
    far = ProcedureSearch(int8_index, no_answer_model=no_answer_model(0.9), reranker=False)
    far.search(QUESTIONS[0])
    assert int8_index.encoder.exact_calls == 0
    near.search(QUESTIONS[0])
    assert int8_index.encoder.exact_calls == 1


def test_two_choices_the_reranker_cannot_tell_apart_are_refined(int8_index):
    tied = ProcedureSearch(int8_index, no_answer_model=False, reranker=reranker_on("dense", 0.0))  # all equal
    tied.search(QUESTIONS[0])
    assert int8_index.encoder.exact_calls == 1
    apart = ProcedureSearch(int8_index, no_answer_model=False, reranker=reranker_on("fused", 1000.0))
    apart.search(QUESTIONS[0])
    assert int8_index.encoder.exact_calls == 1


def test_an_exact_encoder_is_never_asked_twice(curated_index, monkeypatch):
    monkeypatch.setattr(retrieval, "REFINE_MARGIN", 2.0)
    search = ProcedureSearch(curated_index, no_answer_model=no_answer_model(0.51), reranker=reranker_on("dense"))
    assert not search._approximate
    monkeypatch.setattr(search, "exactly_scored", lambda *a: pytest.fail("an exact vector was scored again"))
    search.search(QUESTIONS[0])

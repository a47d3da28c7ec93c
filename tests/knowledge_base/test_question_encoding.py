"""Questions through the lean BERT forward pass (knowledge_base/bert.py) get the vectors of
sentence-transformers' encode(), so an index built with encode() serves them unchanged; the cache of
recent questions is bounded. Loads the real MiniLM (marked `model`, a few seconds)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from knowledge_base import bert
from knowledge_base.encoder import QueryVectors, load_encoder
from knowledge_base.normalize import folded_text

pytestmark = pytest.mark.model

TOLERANCE = 1e-5
TEXTS = [
    "Đăng ký khai sinh cho con ở đâu?",  # diacritics (folded by the encoder, as the index was)
    "dang ky khai sinh cho con o dau",
    "How do I report a lost passport?",
    "Cấp lại giấy phép lái xe bị mất " * 30,  # far over the 128 tokens kept
    "?",
    "a",
]


@pytest.fixture(scope="module")
def minilm():
    encoder = load_encoder("minilm")
    assert encoder.question_forward is not None, "MiniLM is a plain BERT: the lean pass must be used"
    assert encoder.question_forward._packed, "this torch has oneDNN: the packed products must be used"
    return encoder


def encode_vectors(encoder, texts: list[str]) -> np.ndarray:
    """What encode_queries returned before bert.py: encode() on the folded text, one question at a time."""
    return np.stack([encoder._model.encode([folded_text(t)], normalize_embeddings=True, convert_to_numpy=True)[0]
                     for t in texts])


def test_lean_pass_gives_the_vectors_of_encode(minilm):
    lean = np.stack([minilm.question_forward.encode(folded_text(t)) for t in TEXTS])
    assert lean.shape == (len(TEXTS), minilm.dim) and lean.dtype == np.float32
    assert np.abs(lean - encode_vectors(minilm, TEXTS)).max() <= TOLERANCE


def test_questions_of_the_test_sets_get_the_vectors_of_encode(minilm):
    questions = [json.loads(line)["question"]
                 for path in sorted(Path(__file__).parent.glob("*.jsonl"))
                 for line in path.read_text("utf-8").splitlines() if line.strip()]
    sample = questions[::20]  # every question was checked once (max difference 2.7e-7); a sample keeps this fast
    minilm.query_vectors.clear()
    assert np.abs(minilm.encode_queries(sample) - encode_vectors(minilm, sample)).max() <= TOLERANCE


def test_encode_path_and_lean_path_agree_through_encode_queries(minilm):
    minilm.query_vectors.clear()
    lean = minilm.encode_queries(TEXTS)
    assert np.abs(lean - minilm.through_encode().encode_queries(TEXTS)).max() <= TOLERANCE


def test_a_repeated_question_comes_from_the_cache_unchanged(minilm):
    minilm.query_vectors.clear()
    first = minilm.encode_queries([TEXTS[0]])
    expected = first.copy()
    first[0, :] = 0  # a caller changing its copy does not change the cached vector
    assert minilm.query_vectors.get(folded_text(TEXTS[0])) is not None
    assert np.array_equal(minilm.encode_queries([TEXTS[0]]), expected)


def test_without_onednn_the_plain_linear_gives_the_same_vectors(minilm, monkeypatch):
    monkeypatch.setattr(bert, "_packed_linear_available", lambda torch: False)
    plain = bert.BertQuestionForward.for_model(minilm._model)
    assert plain is not None and not plain._packed
    lean = np.stack([plain.encode(folded_text(t)) for t in TEXTS])
    assert np.abs(lean - encode_vectors(minilm, TEXTS)).max() <= TOLERANCE


def test_a_model_the_lean_pass_does_not_reproduce_keeps_encode(minilm, monkeypatch):
    monkeypatch.setattr(bert, "TOLERANCE", -1.0)  # no vector can be that close: as if the pass were wrong
    assert bert.BertQuestionForward.for_model(minilm._model) is None


def test_the_cache_of_recent_questions_is_bounded():
    cache = QueryVectors(size=2)
    for text in ("a", "b", "a", "c"):  # "a" used again, so "b" is the least recently used
        cache.put(text, np.full(3, len(text), np.float32))
        cache.get("a")
    assert cache.get("b") is None and cache.get("a") is not None and cache.get("c") is not None
    off = QueryVectors(size=0)
    off.put("a", np.zeros(3, np.float32))
    assert off.get("a") is None

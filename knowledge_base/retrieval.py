"""Hybrid procedure search: BM25 and dense scores per passage, fused per procedure, with a
calibrated "no answer" threshold so out-of-scope questions get no procedure."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import vectors
from .aspects import asked_aspect
from .index import BuiltIndex
from .normalize import MAX_QUERY_CHARS, clean, has_words

# Tuned on tests/knowledge_base/dev_questions.jsonl (never on the evaluation set): see README.
DENSE_WEIGHT = 0.35
DENSE_FLOOR = 0.25  # cosine below this says nothing about relatedness for this encoder
ASPECT_WEIGHT = {"overview": 1.0}
OTHER_ASPECT_WEIGHT = 0.8
NO_ANSWER_BELOW = 0.35
DENSE_CANDIDATES = 64


class InvalidQuery(ValueError):
    """A question that cannot be searched; the message is safe to show to a person."""


@dataclass(frozen=True)
class Hit:
    id: str
    name: str
    score: float
    aspect: str
    official_code: list[str] = field(default_factory=list)
    lexical: float = 0.0
    dense: float = 0.0

    def as_json(self) -> dict:
        return {"id": self.id, "name": self.name, "score": round(self.score, 4), "aspect": self.aspect}


def validate_query(query: object) -> str:
    if isinstance(query, bytes):
        try:
            query = query.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidQuery("the question is not valid UTF-8 text") from None
    if not isinstance(query, str):
        raise InvalidQuery("the question must be text")
    if len(query) > MAX_QUERY_CHARS:
        raise InvalidQuery(f"the question is longer than {MAX_QUERY_CHARS} characters")
    text = clean(query)
    if not has_words(text):
        raise InvalidQuery("the question has no words to search for")
    return text


class ProcedureScores:
    """Per-procedure evidence for one question."""

    def __init__(self, n: int):
        self.lexical = np.zeros(n, dtype=np.float32)
        self.lexical_passage = np.full(n, -1, dtype=np.int64)
        self.dense = np.zeros(n, dtype=np.float32)
        self.dense_passage = np.full(n, -1, dtype=np.int64)
        self.fused = np.zeros(n, dtype=np.float32)
        self.matched_idf = 0.0


class ProcedureSearch:
    def __init__(self, index: BuiltIndex, *, dense_weight: float = DENSE_WEIGHT,
                 no_answer_below: float = NO_ANSWER_BELOW, use_lexical: bool = True, use_dense: bool = True):
        self.index = index
        self.dense_weight = dense_weight if use_lexical and use_dense else (1.0 if use_dense else 0.0)
        self.no_answer_below = no_answer_below
        self.use_lexical = use_lexical
        self.use_dense = use_dense
        self._aspect_weight = np.array(
            [ASPECT_WEIGHT.get(p.aspect, OTHER_ASPECT_WEIGHT) for p in index.passages], dtype=np.float32
        )

    def score_procedures(self, text: str) -> "ProcedureScores":
        """Lexical and dense evidence for every procedure (the best passage of each)."""
        n_procedures = len(self.index.procedure_ids)
        scores = ProcedureScores(n_procedures)
        if self.use_lexical:
            terms = self.index.lexical.query_terms(text)
            passage_scores, ideal = self.index.lexical.score(terms)
            scores.matched_idf = ideal
            if ideal > 0:
                self._best_per_procedure(passage_scores * self._aspect_weight / ideal, scores.lexical,
                                         scores.lexical_passage)
        if self.use_dense:
            query_vector = self.index.encoder.encode_queries([text])[0]
            cosines, numbers = vectors.search_vectors(self.index.dense, query_vector, DENSE_CANDIDATES)
            keep = numbers >= 0
            passage_scores = np.zeros(len(self.index.passages), dtype=np.float32)
            passage_scores[numbers[keep]] = np.clip((cosines[keep] - DENSE_FLOOR) / (1 - DENSE_FLOOR), 0, 1)
            self._best_per_procedure(passage_scores * self._aspect_weight, scores.dense, scores.dense_passage)
        scores.fused = (1 - self.dense_weight) * scores.lexical + self.dense_weight * scores.dense
        return scores

    def search(self, query: object, k: int = 5, *, with_rejected: bool = False) -> list[Hit]:
        """The k best procedures for the question; empty when none is good enough."""
        text = validate_query(query)
        scores = self.score_procedures(text)
        fused = scores.fused
        order = np.argsort(-fused, kind="stable")[:k]
        question_aspect = asked_aspect(text)
        hits = []
        for number in order:
            score = float(fused[number])
            if score <= 0 or (score < self.no_answer_below and not with_rejected):
                break
            passage = (scores.lexical_passage[number] if scores.lexical[number] >= scores.dense[number]
                       else scores.dense_passage[number])
            procedure = self.index.procedures[self.index.procedure_ids[number]]
            hits.append(Hit(
                id=procedure.id, name=procedure.name, score=score,
                aspect=question_aspect or self.index.passages[passage].aspect,
                official_code=list(procedure.official_code),
                lexical=float(scores.lexical[number]), dense=float(scores.dense[number]),
            ))
        return hits

    def _best_per_procedure(self, passage_scores: np.ndarray, best: np.ndarray, best_passage: np.ndarray) -> None:
        """Per procedure, the best passage score and which passage gave it."""
        owners = self.index.passage_procedure
        candidates = np.nonzero(passage_scores > 0)[0]
        for passage in candidates[np.argsort(passage_scores[candidates])]:  # ascending: best wins last
            owner = owners[passage]
            best[owner] = passage_scores[passage]
            best_passage[owner] = passage

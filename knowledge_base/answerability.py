"""The "no answer" decision: is the best procedure found really what the question is about?

One score threshold cannot tell "Nhà tôi định đập ra xây lại 3 tầng" (an everyday question, few shared
words) from "xin giấy phép xuất bản sách" (shares "giấy phép" with a covered procedure, but its
subject is elsewhere). A small logistic model over a few features of the best match does better: its
score, its margin over the runner-up (another procedure, not a variant of the same one), the lexical
and dense evidence, how much of the question the procedure's passages and its name cover, the share of
unknown words, whether the question is English, and whether the best match is a curated record
(curated records carry the words citizens use; a match on a portal record's legal name says less),
and how many content words the question has ("xin chào" matching "chào bán chứng khoán" is one word). It is
fitted on the dev questions only (`scripts/tune_retrieval.py --fit-no-answer`) and
stored in `no_answer_model.json` with the encoder it was fitted for; with another encoder the search
falls back to the calibrated score threshold.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from .normalize import FILLERS, looks_english
from .ranking import best_first

MODEL_FILE = Path(__file__).with_name("no_answer_model.json")
# (the fit for an index holding the example questions: example_questions.model_file)
# the bar for a question naming an uncovered subject (NoAnswerModel.uncovered_bar) in a model file that
# has none. On the dev questions (dev, national_dev, english_dev) 10 questions name such a subject
# unmentioned: of the 8 out of scope, 6 scored under 0.7 (0.49-0.64) and are declined; the 2 in scope
# (the subject only their context: "đấu nối vào quốc lộ cho cây xăng") scored 0.72 and 0.76 and are
# still answered.
DEFAULT_UNCOVERED_BAR = 0.7
FEATURES = ("fused", "margin", "lexical", "dense", "coverage", "name_coverage", "unknown", "english", "curated",
            "words")


@dataclass(frozen=True)
class NoAnswerModel:
    encoder: str
    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float  # answer when the probability of being answerable reaches it
    # a question naming a subject of a field the catalogue lacks that none of the best choices mentions
    # (uncovered.py) is answered only from this probability on; fitted with the model, since the
    # probabilities of another fit (say, for an index with the example questions) run higher or lower
    uncovered_bar: float = DEFAULT_UNCOVERED_BAR

    def probability(self, features: np.ndarray) -> np.ndarray:
        z = (np.atleast_2d(features) - np.array(self.mean)) / np.array(self.scale)
        return 1 / (1 + np.exp(-(z @ np.array(self.weights) + self.bias)))

    def answers(self, features: np.ndarray) -> bool:
        return bool(self.probability(features)[0] >= self.threshold)

    def save(self, path: Path = MODEL_FILE) -> None:
        path.write_text(json.dumps(asdict(self), indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path = MODEL_FILE) -> "NoAnswerModel | None":
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            model = cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in data.items()})
        except (OSError, ValueError, TypeError, AttributeError):
            return None
        return model if model.features == FEATURES else None


def fit(features: np.ndarray, answerable: np.ndarray, *,
        l2: float = 1.0) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """L2-regularised logistic regression by Newton's method: (mean, scale, weights, bias)."""
    mean = features.mean(axis=0)
    scale = features.std(axis=0) + 1e-6
    z = np.c_[(features - mean) / scale, np.ones(len(features))]
    w = np.zeros(z.shape[1])
    penalty = l2 * np.diag(np.r_[np.ones(len(w) - 1), 0.0])  # the bias is not shrunk
    for _ in range(50):
        p = 1 / (1 + np.exp(-z @ w))
        gradient = z.T @ (p - answerable) + penalty @ w
        hessian = (z * (p * (1 - p))[:, None]).T @ z + penalty
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return mean, scale, w[:-1], float(w[-1])


def fit_uncovered_bar(threshold: float, searches: list[tuple[float, bool, bool]]) -> float:
    """NoAnswerModel.uncovered_bar from the dev searches that name an uncovered subject their best
    choices do not mention, each (probability, answerable, out of scope): of the bars from the threshold
    up that answer the most answerable ones and decline the most out-of-scope ones, the middle of the
    first run (as far from the searches on either side as a 0.01 grid allows). An in-scope search the
    five best miss counts neither way: declining it loses nothing. Without such searches: the default."""
    if not searches:
        return DEFAULT_UNCOVERED_BAR
    bars = np.round(np.arange(threshold, 1.0, 0.01), 2)
    values = [sum((p >= bar and answerable) or (p < bar and out) for p, answerable, out in searches) for bar in bars]
    best = [bar for bar, value in zip(bars, values) if value == max(values)]
    run = best[:next((i for i in range(1, len(best)) if round(best[i] - best[i - 1], 2) > 0.01), len(best))]
    return float(run[len(run) // 2])


class FeatureReader:
    """Computes FEATURES for the best procedure of a question, from the scores the search already has."""

    def __init__(self, index, groups: np.ndarray | None = None):
        self.index = index
        self.groups = groups  # variants of one procedure (variants.py): the runner-up is another procedure
        self.lexical = index.lexical
        self._is_name = np.array([p.is_name for p in index.passages], dtype=bool)
        self._curated = np.array([index.procedures[i].origin == "curated" for i in index.procedure_ids], dtype=bool)

    def features(self, text: str, query_terms: list[str], fused: np.ndarray, lexical: np.ndarray,
                 dense: np.ndarray) -> np.ndarray:
        order = best_first(fused, 32)
        best = int(order[0])
        others = [i for i in order[1:] if self.groups is None or self.groups[i] != self.groups[best]]
        runner_up = float(fused[others[0]]) if others else 0.0
        coverage, name_coverage, unknown, n_words = self._coverage(query_terms, best)
        values = {
            "fused": float(fused[best]), "margin": float(fused[best]) - runner_up,
            "lexical": float(lexical[best]), "dense": float(dense[best]),
            "coverage": coverage, "name_coverage": name_coverage, "unknown": unknown,
            "english": float(looks_english(text)), "curated": float(self._curated[best]),
            "words": float(np.log1p(n_words)),
        }
        return np.array([values[name] for name in FEATURES], dtype=np.float64)

    def _coverage(self, query_terms: list[str], procedure: int) -> tuple[float, float, float, int]:
        """Shares of the question's words (weighted by idf) found in the procedure's passages, in its
        names, and nowhere in the records; and how many content words the question has."""
        lex = self.lexical
        words = [t for t in dict.fromkeys(query_terms) if "_" not in t and t not in FILLERS]
        if not words:
            return 0.0, 0.0, 0.0, 0
        passages = self.index.record_passages_of(procedure)
        is_name = self._is_name[passages]
        total = covered = named = missing = 0.0
        for word in words:
            j = lex.vocab.get(word)
            if j is None:
                total += lex.unknown_idf
                missing += lex.unknown_idf
                continue
            idf = float(lex.idf[j])
            total += idf
            held = lex.holding(j, passages)
            covered += idf * bool(held.any())
            named += idf * bool(held[is_name].any())
        return covered / total, named / total, missing / total, len(words)

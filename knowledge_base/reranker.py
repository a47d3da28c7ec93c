"""A learned second look at the best few procedures of a search (issues 3/9, the long tail).

The fused score ranks by one weighted sum; on the long tail the right procedure is often 2nd to 5th
behind one that shares more words with the question but less of its subject. A small
logistic model over evidence the search already has — the fused score and its gap to the best, the
best name match (an F1 both ways) and the best aspect match, the dense evidence, how much of the
question the procedure's name and its passages cover, curated or not, level, number of variants,
name length, rank — reorders the DEPTH best choices. It is listwise (a softmax over one question's
candidates, fitted to put the right one first), a linear score per candidate: ~0.1 ms per question.

It only reorders: whether the question is answered at all stays the no-answer model's decision
(answerability.py), so out-of-scope rejection does not move. Fitted on the dev questions only
(`scripts/fit_reranker.py`), stored in `reranker_model.json` with the encoder it was fitted for;
with another encoder the fused order stands.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from .normalize import FILLERS
from .procedure_actions import default_lexicon

MODEL_FILE = Path(__file__).with_name("reranker_model.json")
# (the fit for an index holding the example questions: example_questions.model_file)
DEPTH = 10  # choices (groups of variants) the model reorders
FEATURES = ("fused", "fused_ratio", "gap", "lexical", "name_f1", "aspect_lexical", "dense", "coverage",
            "name_coverage", "curated", "commune", "province", "central", "variants", "name_words", "rank",
            "extra_action", "missing_action")
# features constant within one question (English or not) cannot change its order, so there are none


@dataclass(frozen=True)
class Reranker:
    encoder: str
    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]

    def scores(self, features: np.ndarray) -> np.ndarray:
        """Per candidate a logit (the bias is left out: it does not change the order)."""
        z = (np.atleast_2d(features) - np.array(self.mean)) / np.array(self.scale)
        return z @ np.array(self.weights)

    def save(self, path: Path = MODEL_FILE) -> None:
        path.write_text(json.dumps(asdict(self), indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path = MODEL_FILE) -> "Reranker | None":
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            model = cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in data.items()})
        except (OSError, ValueError, TypeError, AttributeError):
            return None
        sizes = {len(model.features), len(model.mean), len(model.scale), len(model.weights)}
        return model if model.features == FEATURES and sizes == {len(FEATURES)} else None


def fit(features: list[np.ndarray], labels: list[np.ndarray], *, l2: float = 1.0
        ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Listwise fit, one list of candidates per question search: a softmax over the candidates, the
    right ones sharing the target, L2-regularised: (mean, scale, weights). A pointwise logistic model
    over the same features moved dev recall@1 by 0.003 only: it learns what a right answer looks like
    in general, not what beats the other candidates of the same question."""
    from scipy.optimize import minimize  # fitting only: the search never needs it

    x_all = np.concatenate(features)
    mean, scale = x_all.mean(axis=0), x_all.std(axis=0) + 1e-6
    # a question whose answer is not among its candidates teaches nothing about the order
    lists = [((x - mean) / scale, y / y.sum()) for x, y in zip(features, labels) if y.any() and len(y) > 1]

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        value, gradient = 0.5 * l2 * float(w @ w), l2 * w
        for z, target in lists:
            s = z @ w
            p = np.exp(s - s.max())
            p /= p.sum()
            value -= float(target @ np.log(p + 1e-12))
            gradient = gradient + z.T @ (p - target)
        return value, gradient

    weights = minimize(loss, np.zeros(x_all.shape[1]), jac=True, method="L-BFGS-B").x
    return mean, scale, weights


class CandidateFeatures:
    """FEATURES of the candidates of one question, from the scores the search already has."""

    def __init__(self, index):
        self.index = index
        self.lexical = index.lexical
        self._is_name = np.array([p.is_name for p in index.passages], dtype=bool)
        procedures = [index.procedures[i] for i in index.procedure_ids]
        self._curated = np.array([p.origin == "curated" for p in procedures], dtype=np.float64)
        self._levels = np.array([[float(level in (p.level or ())) for level in ("commune", "province", "central")]
                                 for p in procedures], dtype=np.float64)
        self._name_words = np.array([np.log1p(len(p.name.split())) for p in procedures], dtype=np.float64)
        # what each name does to its paper (procedure_actions.yml): "Gia hạn …", "Thôi làm …"
        self._actions_lexicon = default_lexicon()
        self._actions = [self._actions_lexicon.of_name(p.name) for p in procedures]

    def features(self, query_terms: list[str], candidates: list[tuple[int, float, list[int]]],
                 lexical: np.ndarray, dense: np.ndarray, passage_lexical: np.ndarray | None,
                 texts: list[str]) -> np.ndarray:
        """candidates: ProcedureSearch.ranked's (procedure shown, group score, group members); texts:
        the question as searched (as typed, translated), for the actions it asks for."""
        numbers = np.array([c[0] for c in candidates], dtype=np.int64)
        fused = np.array([c[1] for c in candidates], dtype=np.float64)
        top = max(float(fused[0]), 1e-6)
        name_f1 = np.zeros(len(numbers))
        aspect = np.zeros(len(numbers))
        if passage_lexical is not None:
            for k, number in enumerate(numbers.tolist()):
                passages = self.index.passages_of(number)
                values = passage_lexical[passages]
                names = self._is_name[passages]
                name_f1[k] = values[names].max(initial=0.0)
                aspect[k] = values[~names].max(initial=0.0)
        coverage, name_coverage = self._coverage(query_terms, numbers)
        asked = self._actions_lexicon.of_question(texts)
        named = [self._actions[n] for n in numbers.tolist()]
        columns = {
            "fused": fused, "fused_ratio": fused / top, "gap": top - fused,
            "lexical": lexical[numbers].astype(np.float64), "name_f1": name_f1, "aspect_lexical": aspect,
            "dense": dense[numbers].astype(np.float64), "coverage": coverage, "name_coverage": name_coverage,
            "curated": self._curated[numbers], "commune": self._levels[numbers, 0],
            "province": self._levels[numbers, 1], "central": self._levels[numbers, 2],
            "variants": np.log1p([len(c[2]) for c in candidates]), "name_words": self._name_words[numbers],
            "rank": np.log1p(np.arange(len(numbers), dtype=np.float64)),
            # the name does something the question never asked for, or lacks what it asked for
            "extra_action": np.array([len(a - asked) for a in named], dtype=np.float64),
            "missing_action": np.array([len(asked - a) for a in named], dtype=np.float64),
        }
        return np.column_stack([columns[name] for name in FEATURES])

    def _coverage(self, query_terms: list[str], numbers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per candidate, the share of the question's words (weighted by idf) found in its passages
        and in its names. The candidates' few passages are looked up in each word's sorted list of
        passages (a frequent word is in thousands: mapping all of those to procedures cost ~1 ms)."""
        lex = self.lexical
        covered = np.zeros(len(numbers))
        named = np.zeros(len(numbers))
        words = [t for t in dict.fromkeys(query_terms) if "_" not in t and t not in FILLERS]
        spans = [self.index.passages_of(n) for n in numbers.tolist()]
        passages = np.concatenate(spans) if spans else np.zeros(0, dtype=np.int64)
        owner = np.repeat(np.arange(len(numbers)), [len(span) for span in spans])
        is_name = self._is_name[passages]
        total = 0.0
        for word in words:
            j = lex.vocab.get(word)
            if j is None:
                total += lex.unknown_idf
                continue
            idf = float(lex.idf[j])
            total += idf
            held = lex.holding(j, passages)
            covered += idf * (np.bincount(owner[held], minlength=len(numbers)) > 0)
            named += idf * (np.bincount(owner[held & is_name], minlength=len(numbers)) > 0)
        if total <= 0:
            return covered, named
        return covered / total, named / total

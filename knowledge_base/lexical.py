"""BM25 over folded unigrams and bigrams, with a typo-tolerant vocabulary lookup.

Scores are also given normalised by the query's own best possible score, so a threshold can be
calibrated across queries of different lengths.
"""
from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np
from scipy import sparse

from .normalize import FILLERS, fold

K1 = 1.2
B = 0.75
MIN_TYPO_LENGTH = 4
UNKNOWN_BIGRAM_SHARE = 0.5


STOP_BIGRAMS = frozenset({"thu_tuc"})  # "thủ tục": every procedure is one


def terms(tokens: list[str]) -> list[str]:
    bigrams = (f"{a}_{b}" for a, b in zip(tokens, tokens[1:]) if not (a in FILLERS and b in FILLERS))
    return tokens + [b for b in bigrams if b not in STOP_BIGRAMS]


def _deletes(token: str) -> set[str]:
    return {token[:i] + token[i + 1:] for i in range(len(token))}


class LexicalIndex:
    def __init__(self, texts: list[str]):
        docs = [Counter(terms(fold(t))) for t in texts]
        vocab: dict[str, int] = {}
        rows, cols, vals = [], [], []
        lengths = np.array([sum(d.values()) for d in docs], dtype=np.float32)
        avg = float(lengths.mean()) if len(docs) else 1.0
        for i, doc in enumerate(docs):
            norm = K1 * (1 - B + B * lengths[i] / avg)
            for term, tf in doc.items():
                j = vocab.setdefault(term, len(vocab))
                rows.append(i)
                cols.append(j)
                # capped at 1 so a score divided by the query's ideal is the matched share of it
                vals.append(min(1.0, tf * (K1 + 1) / (tf + norm)))
        self.vocab = vocab
        self.matrix = sparse.csr_matrix((vals, (rows, cols)), shape=(len(docs), len(vocab)), dtype=np.float32).tocsc()
        df = np.diff(self.matrix.indptr)
        n = len(docs)
        self.idf = np.log1p((n - df + 0.5) / (df + 0.5)).astype(np.float32)
        self.df = df
        # what a passage "says", for how much of a name a question covers: fillers do not count
        content_idf = self.idf.copy()
        for term, j in vocab.items():
            if term in FILLERS:
                content_idf[j] = 0.0
        presence = self.matrix.copy()
        presence.data[:] = 1.0
        self.passage_ideal = np.asarray(presence @ content_idf, dtype=np.float32).ravel()
        self.unknown_idf = float(np.median(self.idf)) if len(self.idf) else 1.0
        self._typo_map = self._build_typo_map()

    def _build_typo_map(self) -> dict[str, list[str]]:
        """SymSpell-style: every one-letter deletion of a known word points back to that word."""
        table: dict[str, list[str]] = defaultdict(list)
        for term in self.vocab:
            if "_" in term or len(term) < MIN_TYPO_LENGTH - 1:
                continue
            table[term].append(term)
            for d in _deletes(term):
                table[d].append(term)
        return dict(table)

    def correct(self, token: str) -> str:
        """The most frequent known word within one edit of an unknown token, else the token."""
        if token in self.vocab or len(token) < MIN_TYPO_LENGTH or not token.isalpha():
            return token
        candidates = set(self._typo_map.get(token, ()))
        for d in _deletes(token):
            candidates.update(self._typo_map.get(d, ()))
        if not candidates:
            return token
        return max(candidates, key=lambda t: (self.df[self.vocab[t]], t))

    def query_terms(self, query: str) -> list[str]:
        """Unigrams and bigrams of the corrected query; filler words count only inside bigrams."""
        return [t for t in terms([self.correct(t) for t in fold(query)]) if t not in FILLERS]

    def passages_with(self, term: str) -> np.ndarray:
        j = self.vocab.get(term)
        if j is None:
            return np.zeros(0, dtype=np.int32)
        return self.matrix.indices[self.matrix.indptr[j]:self.matrix.indptr[j + 1]]

    def score(self, query_terms: list[str]) -> tuple[np.ndarray, float, np.ndarray]:
        """BM25 of every passage, the best score a passage could reach for this query, and per
        passage the idf of the query terms it contains (to tell how much of a name is covered)."""
        weights = Counter(query_terms)
        scores = np.zeros(self.matrix.shape[0], dtype=np.float32)
        present = np.zeros(self.matrix.shape[0], dtype=np.float32)
        ideal = 0.0
        for term, count in weights.items():
            j = self.vocab.get(term)
            if j is None:
                # an unknown word is something the records do not cover: it lowers the normalised
                # score; an unknown pair of known words may only be an unusual order, so weighs half
                ideal += count * self.unknown_idf * (UNKNOWN_BIGRAM_SHARE if "_" in term else 1.0)
                continue
            idf = float(self.idf[j])
            ideal += count * idf
            start, end = self.matrix.indptr[j], self.matrix.indptr[j + 1]
            rows = self.matrix.indices[start:end]
            scores[rows] += count * idf * self.matrix.data[start:end]
            present[rows] += idf
        return scores, ideal, present

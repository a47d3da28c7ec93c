"""BM25 over folded unigrams and bigrams, with a typo-tolerant vocabulary lookup, and over the same
words with their diacritics for questions typed with them.

Folding lets "lam can cuoc" meet "làm căn cước", but it also merges words: "cảm ơn" would match
"cam kết ... ổn định", "giá vàng" would match "khai báo tạm vắng". So every passage is indexed in both
forms, and a word typed with diacritics is matched in its accented form when the records know that
form; otherwise (a typo, a wrong tone) it falls back to the folded form.

Scores are also given normalised by the query's own best possible score, so a threshold can be
calibrated across queries of different lengths.
"""
from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np
from scipy import sparse

from .normalize import FILLERS, looks_english, search_tokens

K1 = 1.2
B = 0.75
MIN_TYPO_LENGTH = 4
# in context (LexicalIndex.corrected): words from 3 letters, known words seen in at most RARE_DF
# passages, and a correction must form pairs with its neighbours in at least MIN_PAIR_SUPPORT passages
CONTEXT_TYPO_LENGTH = 3
RARE_DF = 2
MIN_PAIR_SUPPORT = 3
UNKNOWN_BIGRAM_SHARE = 0.5


STOP_BIGRAMS = frozenset({"thu_tuc"})  # "thủ tục": every procedure is one


def terms(tokens: list[str]) -> list[str]:
    bigrams = (f"{a}_{b}" for a, b in zip(tokens, tokens[1:]) if not (a in FILLERS and b in FILLERS))
    return tokens + [b for b in bigrams if b not in STOP_BIGRAMS]


def accented_terms(tokens: list[tuple[str, str, bool]]) -> dict[str, str]:
    """Accented unigrams and bigrams, each with the folded term it stands for. Keys contain an
    apostrophe, so they never meet folded terms."""
    out = {key: folded for folded, key, _ in tokens}
    for a, b in zip(tokens, tokens[1:]):
        folded = f"{a[0]}_{b[0]}"
        if not (a[0] in FILLERS and b[0] in FILLERS) and folded not in STOP_BIGRAMS:
            out[f"{a[1]}_{b[1]}"] = folded
    return out


def is_accented(term: str) -> bool:
    return "'" in term


def _deletes(token: str) -> set[str]:
    return {token[:i] + token[i + 1:] for i in range(len(token))}


class LexicalIndex:
    def __init__(self, texts: list[str]):
        docs = []
        folded_of: dict[str, str] = {}
        for text in texts:
            tokens = search_tokens(text)
            accented = accented_terms(tokens)
            folded_of.update(accented)
            keys = [key for _, key, _ in tokens] + [t for t in accented if "_" in t]
            docs.append(Counter(terms([folded for folded, _, _ in tokens]) + keys))
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
        self.matrix.sort_indices()  # each word's passages in order, for `holding`
        df = np.diff(self.matrix.indptr)
        n = len(docs)
        self.idf = np.log1p((n - df + 0.5) / (df + 0.5)).astype(np.float32)
        self.df = df
        # what a passage "says", for how much of a name a question covers: fillers do not count
        # counted once, in the folded form: an accented match is credited with its folded term's idf
        content_idf = self.idf.copy()
        self.coverage_idf = self.idf.copy()
        for term, j in vocab.items():
            if term in FILLERS or is_accented(term):
                content_idf[j] = 0.0
            if is_accented(term) and folded_of.get(term) in vocab:
                self.coverage_idf[j] = self.idf[vocab[folded_of[term]]]
        presence = self.matrix.copy()
        presence.data[:] = 1.0
        self.passage_ideal = np.asarray(presence @ content_idf, dtype=np.float32).ravel()
        self.unknown_idf = float(np.median(self.idf)) if len(self.idf) else 1.0
        self._typo_map = self._build_typo_map()

    def __setstate__(self, state: dict) -> None:
        """Unpickled (a built index): an index pickled before `holding` existed may hold its words'
        passages unsorted; sorting is a no-op on the others."""
        self.__dict__.update(state)
        self.matrix.sort_indices()

    def _build_typo_map(self) -> dict[str, list[str]]:
        """SymSpell-style: every one-letter deletion of a known word points back to that word."""
        table: dict[str, list[str]] = defaultdict(list)
        for term in self.vocab:
            if "_" in term or is_accented(term) or len(term) < MIN_TYPO_LENGTH - 1:
                continue
            table[term].append(term)
            for d in _deletes(term):
                table[d].append(term)
        return dict(table)

    def correct(self, token: str) -> str:
        """The most frequent known word within one edit of an unknown token, else the token."""
        if token in self.vocab or len(token) < MIN_TYPO_LENGTH or not token.isalpha():
            return token
        candidates = self._near(token)
        if not candidates:
            return token
        return max(candidates, key=lambda t: (self.df[self.vocab[t]], t))

    def _near(self, token: str) -> set[str]:
        """Known words within one edit (a deletion, insertion, substitution or swap) of the token."""
        candidates = set(self._typo_map.get(token, ()))
        for d in _deletes(token):
            candidates.update(self._typo_map.get(d, ()))
        candidates.discard(token)
        return candidates

    def corrected(self, folded: list[str]) -> list[str]:
        """The folded words of a question, typos corrected. A word that forms no known pair with its
        neighbours, unknown or rare in the records ("đăg ký khia sinh": dag, khia), becomes the word
        within one edit that forms the most frequent pairs with them (dang: dang_ky; khai: ky_khai,
        khai_sinh), even at three letters, where a word alone has too many neighbours to choose from;
        otherwise an unknown word of four letters or more becomes its most frequent neighbour. A last
        letter doubled in chat style is dropped first."""
        out = [self._unstretched(t) for t in folded]
        for i, token in enumerate(out):
            if (len(token) < CONTEXT_TYPO_LENGTH or not token.isalpha() or token in FILLERS
                    or self._common(token)
                    or self._pair_support(out, i, token) > 0):
                continue
            supported = [(self._pair_support(out, i, c), self.df[self.vocab[c]], c) for c in self._near(token)]
            best = max(supported, default=(0, 0, token))
            if best[0] >= MIN_PAIR_SUPPORT:
                out[i] = best[2]
        return [self.correct(t) for t in out]

    def _unstretched(self, token: str) -> str:
        """A word typed with its last letter doubled, as in chat ("khẩuu", "đượcc", "cóo", "ạa"), when
        the records do not know it (or barely) and know it without the extra letter."""
        if len(token) < 2 or token[-1] != token[-2] or not token.isalpha() or self._common(token):
            return token
        return token[:-1] if self._common(token[:-1]) else token

    def _common(self, token: str) -> bool:
        j = self.vocab.get(token)
        return j is not None and self.df[j] > RARE_DF

    def _pair_support(self, words: list[str], i: int, word: str) -> int:
        """Passages holding the pair of this word with the word before or after it."""
        before = [f"{words[i - 1]}_{word}"] if i > 0 else []
        after = [f"{word}_{words[i + 1]}"] if i + 1 < len(words) else []
        pairs = before + after
        return sum(int(self.df[self.vocab[pair]]) for pair in pairs if pair in self.vocab)

    def query_terms(self, query: str, *, vietnamese: bool | None = None) -> list[str]:
        """Unigrams and bigrams of the corrected query; filler words count only inside bigrams. A word
        typed with diacritics is matched with them when the records know it in that form. `vietnamese`:
        whether the question was asked in Vietnamese (default: it does not look English); a Vietnamese
        translation of an English question keeps English words its glossary lacks."""
        tokens = search_tokens(query)
        use_key = [accented and key in self.vocab for _, key, accented in tokens]
        # English words are not Vietnamese typos: there only unknown words near a known one are corrected
        vietnamese = not looks_english(query) if vietnamese is None else vietnamese
        folded = (self.corrected([f for f, _, _ in tokens]) if vietnamese
                  else [self.correct(f) for f, _, _ in tokens])
        chosen = [key if keyed else f for (_, key, _), keyed, f in zip(tokens, use_key, folded)]
        out = [t for t, f in zip(chosen, folded) if f not in FILLERS]
        for i in range(len(tokens) - 1):
            if folded[i] in FILLERS and folded[i + 1] in FILLERS:
                continue
            bigram = f"{folded[i]}_{folded[i + 1]}"
            if bigram in STOP_BIGRAMS:
                continue
            out.append(f"{chosen[i]}_{chosen[i + 1]}" if use_key[i] and use_key[i + 1] else bigram)
        return out

    def passages_with(self, term: str) -> np.ndarray:
        j = self.vocab.get(term)
        if j is None:
            return np.zeros(0, dtype=np.int32)
        return self._postings(j)

    def _postings(self, j: int) -> np.ndarray:
        """The passages holding vocabulary term `j`, ascending."""
        return self.matrix.indices[self.matrix.indptr[j]:self.matrix.indptr[j + 1]]

    def holding(self, j: int, passages: np.ndarray) -> np.ndarray:
        """Which of these passages hold vocabulary term `j`: each looked up in the term's sorted list
        of passages (a frequent word is in thousands; `np.isin` sorted both, ~40 µs a word)."""
        holders = self._postings(j)
        if len(holders) == 0:
            return np.zeros(len(passages), dtype=bool)
        at = np.minimum(np.searchsorted(holders, passages), len(holders) - 1)
        return holders[at] == passages

    def shares(self, query_terms: list[str]) -> tuple[np.ndarray, np.ndarray] | None:
        """Per passage, the share of the question it matches (BM25 over the question's best possible
        score), and that share's harmonic mean with the share of the passage the question covers: how a
        name matches, both ways ("đăng ký khai sinh" is all of "Đăng ký khai sinh" but only part of "Thủ
        tục đăng ký khai sinh lưu động"). None when the question has nothing to score."""
        passage_scores, ideal, present = self.score(query_terms)
        if ideal <= 0:
            return None
        question_covered = passage_scores / ideal
        passage_covered = np.divide(present, self.passage_ideal, out=np.zeros_like(present),
                                    where=self.passage_ideal > 0)
        both = np.divide(2 * question_covered * passage_covered, question_covered + passage_covered,
                         out=np.zeros_like(present), where=(question_covered + passage_covered) > 0)
        return question_covered, both

    def score(self, query_terms: list[str]) -> tuple[np.ndarray, float, np.ndarray]:
        """BM25 of every passage, the best score a passage could reach for this query, and per
        passage the idf of the query terms it contains (to tell how much of a name is covered)."""
        n = self.matrix.shape[0]
        rows, bm25, coverage = [], [], []
        ideal = 0.0
        for term, count in Counter(query_terms).items():
            j = self.vocab.get(term)
            if j is None:
                # an unknown word is something the records do not cover: it lowers the normalised
                # score; an unknown pair of known words may only be an unusual order, so weighs half
                ideal += count * self.unknown_idf * (UNKNOWN_BIGRAM_SHARE if "_" in term else 1.0)
                continue
            idf = float(self.idf[j])
            ideal += count * idf
            start, end = self.matrix.indptr[j], self.matrix.indptr[j + 1]
            rows.append(self.matrix.indices[start:end])
            bm25.append(np.float32(count * idf) * self.matrix.data[start:end])
            coverage.append(np.full(end - start, self.coverage_idf[j], dtype=np.float32))
        if not rows:
            return np.zeros(n, dtype=np.float32), ideal, np.zeros(n, dtype=np.float32)
        # one pass over all the terms' passages (a question's terms have ~37,000 on the national index)
        rows = np.concatenate(rows)
        scores = np.bincount(rows, np.concatenate(bm25), n).astype(np.float32)
        present = np.bincount(rows, np.concatenate(coverage), n).astype(np.float32)
        return scores, ideal, present


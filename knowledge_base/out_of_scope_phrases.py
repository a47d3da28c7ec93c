"""Phrases of what a question asks that no procedure answers (out_of_scope_phrases.yml): advice, whether
something is lawful, a case's outcome, a scam, a fine's or a price's amount.

The out-of-scope questions (out_of_scope.py) catch questions asked like them as a whole; a question
about a procedure's subject that asks for advice on it ("có nên mua đất chưa có sổ không") is closer to
the procedure's names than to any of them. The phrase is what gives it away. How sure the no-answer model
must be to answer such a question anyway is fitted with the rest of the check (out_of_scope.PHRASE_BELOW).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .normalize import search_tokens
from .yaml_files import read_grouped_texts

PHRASES_FILE = Path(__file__).with_name("out_of_scope_phrases.yml")
MAX_PHRASE_CHARS = 100


class OutOfScopePhrasesError(ValueError):
    """out_of_scope_phrases.yml cannot be used; the message names the file and the kind."""


@dataclass(frozen=True)
class Phrase:
    text: str
    folded: tuple[str, ...]
    keys: tuple[str, ...]  # accented keys (normalize.accent_key): tones count where the question has them


class OutOfScopePhrases:
    def __init__(self, phrases: tuple[Phrase, ...]):
        self.phrases = phrases
        self._by_first: dict[str, list[Phrase]] = {}  # looked up by their first folded word
        for phrase in phrases:
            self._by_first.setdefault(phrase.folded[0], []).append(phrase)

    @classmethod
    def of(cls, texts) -> "OutOfScopePhrases":
        phrases = []
        for text in texts:
            tokens = search_tokens(text)
            if tokens:
                phrases.append(Phrase(text, tuple(t[0] for t in tokens), tuple(t[1] for t in tokens)))
        return cls(tuple(phrases))

    def found(self, text: str) -> str | None:
        """The first phrase the question holds (reading it from the start), as written in the file; None if
        it holds none."""
        tokens = search_tokens(text)
        for start, (first, _, _) in enumerate(tokens):
            for phrase in self._by_first.get(first, ()):
                window = tokens[start:start + len(phrase.folded)]
                if len(window) == len(phrase.folded) and all(
                        folded == phrase.folded[i] and (not accented or key == phrase.keys[i])
                        for i, (folded, key, accented) in enumerate(window)):
                    return phrase.text
        return None


def load_phrases(path: Path = PHRASES_FILE) -> OutOfScopePhrases:
    """The phrases of every kind, in file order; none without the file."""
    return OutOfScopePhrases.of(read_grouped_texts(path, OutOfScopePhrasesError, "kind", "phrases", MAX_PHRASE_CHARS))

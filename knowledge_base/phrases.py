"""Phrase lookup shared by the lexicons of the search (procedure_actions.yml, uncovered_fields.yml).

A `PhraseTable` maps phrases to labels and finds them in a text's tokens left to right, the longest
phrase at each word, a matched phrase using up its words. A phrase written with diacritics matches
the same words typed without them too, as the search does, but typed with diacritics only those
("mở cửa hàng" is not "mờ").
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

import yaml

from .normalize import search_tokens

Phrase = tuple[tuple[str, str], ...]  # per word: folded form, accented key


def phrases(values: object) -> list[Phrase] | None:
    """The phrases of a YAML list of strings, or None when it is not one."""
    if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
        return None
    return [tuple((folded, key) for folded, key, _ in search_tokens(v)) for v in values]


def read_lexicon(path: Path, error: type[ValueError], expected: str) -> dict:
    """The non-empty mapping a lexicon file holds; otherwise `error`, naming the file."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as problem:
        raise error(f"{path}: {problem}") from None
    if not isinstance(data, dict) or not data:
        raise error(f"{path}: expected {expected}")
    return data


def spelled(phrase: Phrase) -> str:
    return " ".join(folded for folded, _ in phrase)


class PhraseTable:
    def __init__(self, labelled: Iterable[tuple[Phrase, str]]):
        owners: dict[Phrase, set[str]] = {}
        for phrase, label in labelled:
            if phrase:
                owners.setdefault(phrase, set()).add(label)
        # by first word (folded), the phrases starting with it with their labels, longest first
        self._table: dict[str, list[tuple[Phrase, frozenset[str]]]] = {}
        for phrase, labels in sorted(owners.items(), key=lambda item: -len(item[0])):
            self._table.setdefault(phrase[0][0], []).append((phrase, frozenset(labels)))

    def find(self, text: str) -> list[tuple[Phrase, frozenset[str]]]:
        """The phrases found in the text, in order, each with its labels."""
        tokens = search_tokens(text)
        found = []
        start = 0
        while start < len(tokens):
            size = 1
            for phrase, labels in self._table.get(tokens[start][0], ()):
                if start + len(phrase) <= len(tokens) and all(
                        _same(w, t) for w, t in zip(phrase, tokens[start:start + len(phrase)])):
                    found.append((phrase, labels))
                    size = len(phrase)
                    break
            start += size
        return found

    def labels(self, text: str) -> frozenset[str]:
        return frozenset(label for _, labels in self.find(text) for label in labels)


def _same(word: tuple[str, str], token: tuple[str, str, bool]) -> bool:
    folded, key = word
    return token[0] == folded and (not token[2] or token[1] == key)

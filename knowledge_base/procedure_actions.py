"""Which actions a procedure name carries and which a question asks for (procedure_actions.yml).

`ActionLexicon.of_name(name)` and `ActionLexicon.of_question(texts)` give sets of kinds ("reissue",
"renew", "end"…): phrases are matched left to right, the longest at each word, and a matched phrase
uses up its words. A phrase written with diacritics matches the same words typed without them too, as
the search does, but typed with diacritics only those ("mở cửa hàng" is not "mờ"); the reranker
(reranker.py) turns the two sets into two features per candidate.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from .normalize import search_tokens

ACTIONS_FILE = Path(__file__).with_name("procedure_actions.yml")


class ActionLexiconError(ValueError):
    """procedure_actions.yml cannot be used; the message names the file and the kind."""


_Phrase = tuple[tuple[str, str], ...]  # per word: folded form, accented key


def _phrases(values: object, where: str) -> list[_Phrase]:
    if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
        raise ActionLexiconError(f"{where}: expected a list of phrases")
    return [tuple((folded, key) for folded, key, _ in search_tokens(v)) for v in values]


class ActionLexicon:
    def __init__(self, kinds: dict[str, tuple[list[_Phrase], list[_Phrase]]]):
        self.kinds = tuple(kinds)
        # per side, the phrases by their first word: one pass takes the longest match at each word
        self._name = self._table({k: v[0] for k, v in kinds.items()})
        self._question = self._table({k: v[1] for k, v in kinds.items()})

    @staticmethod
    def _table(phrases: dict[str, list[_Phrase]]) -> dict[str, list[tuple[_Phrase, frozenset[str]]]]:
        """By first word (folded), the phrases starting with it with their kinds, longest first."""
        owners: dict[_Phrase, set[str]] = {}
        for kind, items in phrases.items():
            for phrase in items:
                owners.setdefault(phrase, set()).add(kind)
        table: dict[str, list[tuple[_Phrase, frozenset[str]]]] = {}
        for phrase, kinds in sorted(owners.items(), key=lambda item: -len(item[0])):
            table.setdefault(phrase[0][0], []).append((phrase, frozenset(kinds)))
        return table

    @classmethod
    def load(cls, path: Path = ACTIONS_FILE) -> "ActionLexicon":
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as error:
            raise ActionLexiconError(f"{path}: {error}") from None
        if not isinstance(data, dict) or not data:
            raise ActionLexiconError(f"{path}: expected kinds, each with name and question phrases")
        kinds = {}
        for kind, entry in data.items():
            if not isinstance(entry, dict) or set(entry) != {"name", "question"}:
                raise ActionLexiconError(f"{path}: {kind}: expected exactly the keys name and question")
            kinds[str(kind)] = (_phrases(entry["name"], f"{path}: {kind}.name"),
                                _phrases(entry["question"], f"{path}: {kind}.question"))
        return cls(kinds)

    def of_name(self, name: str) -> frozenset[str]:
        return _match(self._name, search_tokens(name))

    def of_question(self, texts: list[str]) -> frozenset[str]:
        """The kinds any version of the question (as typed, translated) asks for."""
        found: frozenset[str] = frozenset()
        for text in texts:
            found |= _match(self._question, search_tokens(text))
        return found


def _same(word: tuple[str, str], token: tuple[str, str, bool]) -> bool:
    folded, key = word
    return token[0] == folded and (not token[2] or token[1] == key)


def _match(table: dict[str, list[tuple[_Phrase, frozenset[str]]]],
           tokens: list[tuple[str, str, bool]]) -> frozenset[str]:
    """Left to right, the longest phrase starting at each word; its words are used up."""
    found: set[str] = set()
    start = 0
    while start < len(tokens):
        size = 1
        for phrase, kinds in table.get(tokens[start][0], ()):
            if start + len(phrase) <= len(tokens) and all(
                    _same(w, t) for w, t in zip(phrase, tokens[start:start + len(phrase)])):
                found |= kinds
                size = len(phrase)
                break
        start += size
    return frozenset(found)


@lru_cache(maxsize=1)
def default_lexicon() -> ActionLexicon:
    return ActionLexicon.load()

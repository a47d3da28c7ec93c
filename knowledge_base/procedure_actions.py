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

from .phrases import Phrase, PhraseTable, phrases, read_lexicon

ACTIONS_FILE = Path(__file__).with_name("procedure_actions.yml")


class ActionLexiconError(ValueError):
    """procedure_actions.yml cannot be used; the message names the file and the kind."""


def _phrases(values: object, where: str) -> list[Phrase]:
    found = phrases(values)
    if found is None:
        raise ActionLexiconError(f"{where}: expected a list of phrases")
    return found


class ActionLexicon:
    def __init__(self, kinds: dict[str, tuple[list[Phrase], list[Phrase]]]):
        self.kinds = tuple(kinds)
        self._name = PhraseTable((p, kind) for kind, (names, _) in kinds.items() for p in names)
        self._question = PhraseTable((p, kind) for kind, (_, questions) in kinds.items() for p in questions)

    @classmethod
    def load(cls, path: Path = ACTIONS_FILE) -> "ActionLexicon":
        data = read_lexicon(path, ActionLexiconError, "kinds, each with name and question phrases")
        kinds = {}
        for kind, entry in data.items():
            if not isinstance(entry, dict) or set(entry) != {"name", "question"}:
                raise ActionLexiconError(f"{path}: {kind}: expected exactly the keys name and question")
            kinds[str(kind)] = (_phrases(entry["name"], f"{path}: {kind}.name"),
                                _phrases(entry["question"], f"{path}: {kind}.question"))
        return cls(kinds)

    def of_name(self, name: str) -> frozenset[str]:
        return self._name.labels(name)

    def of_question(self, texts: list[str]) -> frozenset[str]:
        """The kinds any version of the question (as typed, translated) asks for."""
        found: frozenset[str] = frozenset()
        for text in texts:
            found |= self._question.labels(text)
        return found


@lru_cache(maxsize=1)
def default_lexicon() -> ActionLexicon:
    return ActionLexicon.load()

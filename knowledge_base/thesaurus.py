"""Everyday Vietnamese -> official wording (thesaurus_vi.yml), applied to questions at search time.

Citizens name their situation ("khoan giếng", "bố tôi mất", "mở quán"); procedure names use the legal
term ("khai thác nước dưới đất", "khai tử", "hộ kinh doanh"). `Thesaurus.rewrites(question)` gives
versions of the question with such phrases replaced by their official wording; the search scores
them beside the original and keeps the better score per procedure, so a rewrite that does not fit
the question changes nothing.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import yaml

from .normalize import expand_abbreviations, search_tokens, words

THESAURUS_FILE = Path(__file__).with_name("thesaurus_vi.yml")
MAX_REWRITES = 3  # alternatives tried per question (each is one more lexical scoring, ~1 ms)
# Counting words people put inside a phrase ("gộp hai thửa", "tách các thửa"): one of them between two
# words of a phrase does not break the match. Not "ba"/"con"/"mấy" (father, child, máy typed plain).
_INSIDE_WORDS = search_tokens("hai các những cái chiếc một")


class ThesaurusError(ValueError):
    """The thesaurus file cannot be used; the message names the file and the entry."""


@dataclass(frozen=True)
class Entry:
    phrase: tuple[tuple[str, str, bool], ...]  # per word: folded form, accented key, typed with diacritics
    official: tuple[str, ...]  # alternatives, best first


class _UniqueKeyLoader(yaml.SafeLoader):
    """A key written twice is a mistake in a hand-edited file: say so instead of keeping the last."""


def _mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict:
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise ThesaurusError(f"line {key_node.start_mark.line + 1}: {key!r} is written twice")
        seen.add(key)
    return loader.construct_mapping(node)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


class Thesaurus:
    def __init__(self, mapping: dict, *, source: str = "thesaurus"):
        self._by_first: dict[str, list[Entry]] = {}
        for key, value in mapping.items():
            alternatives = [value] if isinstance(value, str) else value
            if not isinstance(key, str) or not isinstance(alternatives, list) or not alternatives or not all(
                    isinstance(a, str) and words(a) for a in alternatives):
                raise ThesaurusError(f"{source}: {key!r}: expected a phrase mapped to a phrase or a list of phrases")
            phrase = tuple(search_tokens(key))
            if not phrase:
                raise ThesaurusError(f"{source}: {key!r}: the phrase has no words")
            entry = Entry(phrase, tuple(" ".join(expand_abbreviations(words(a))) for a in alternatives))
            self._by_first.setdefault(phrase[0][0], []).append(entry)
        for entries in self._by_first.values():  # longest phrase first: "sang tên sổ đỏ" before "sổ đỏ"
            entries.sort(key=lambda e: -len(e.phrase))

    @classmethod
    def load(cls, path: Path = THESAURUS_FILE) -> "Thesaurus":
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader) or {}
        except ThesaurusError as error:
            raise ThesaurusError(f"{path}: {error}") from None
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
            raise ThesaurusError(f"{path}: cannot read the thesaurus ({error})") from None
        if not isinstance(data, dict):
            raise ThesaurusError(f"{path}: expected a mapping of phrases")
        return cls(data, source=str(path))

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_first.values())

    def rewrites(self, question: str) -> list[str]:
        """Versions of the question with everyday phrases replaced by official wording (none when no
        phrase is known). Alternative i of every phrase found goes into rewrite i."""
        texts = expand_abbreviations(words(question))
        tokens = search_tokens(" ".join(texts))
        if len(tokens) != len(texts):  # a token that splits differently: do not guess
            return []
        pieces: list[tuple[str, ...]] = []  # per position, the replacement alternatives or the word itself
        i = changed = 0
        while i < len(tokens):
            entry, end = self._match(tokens, i)
            if entry is None:
                pieces.append((texts[i],))
                i += 1
                continue
            pieces.append(entry.official)
            changed += 1
            i = end
        if not changed:
            return []
        n = min(MAX_REWRITES, max(len(p) for p in pieces))
        typed = " ".join(texts)
        versions = (" ".join(p[min(k, len(p) - 1)] for p in pieces) for k in range(n))
        return [v for v in dict.fromkeys(versions) if v != typed]

    def _match(self, tokens: list[tuple[str, str, bool]], start: int) -> tuple[Entry | None, int]:
        """The longest entry whose phrase starts at `start`, and where its last word ends."""
        for entry in self._by_first.get(tokens[start][0], ()):
            end = _phrase_end(tokens, start, entry.phrase)
            if end is not None:
                return entry, end
        return None, start


def _phrase_end(tokens: list[tuple[str, str, bool]], start: int, phrase: tuple) -> int | None:
    """Position after the phrase matched at `start`, allowing one counting word between two of its words."""
    i = start
    for k, word in enumerate(phrase):
        if i < len(tokens) and _same_word(tokens[i], word):
            i += 1
        elif k > 0 and i + 1 < len(tokens) and _inside_word(tokens[i]) and _same_word(tokens[i + 1], word):
            i += 2
        else:
            return None
    return i


def _inside_word(token: tuple[str, str, bool]) -> bool:
    return token[0].isdigit() or any(_same_word(token, w) for w in _INSIDE_WORDS)


def _same_word(typed: tuple[str, str, bool], phrase: tuple[str, str, bool]) -> bool:
    """Folded forms equal; when both carry diacritics, the diacritics too ("sơ đồ" is not "sổ đỏ")."""
    return typed[0] == phrase[0] and (not (typed[2] and phrase[2]) or typed[1] == phrase[1])


_lock = threading.Lock()
_default: Thesaurus | None = None


def default() -> Thesaurus:
    """The packaged thesaurus, loaded once per process."""
    global _default
    with _lock:
        if _default is None:
            _default = Thesaurus.load()
        return _default

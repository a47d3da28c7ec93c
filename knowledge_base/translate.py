"""English questions in the records' language: a word-for-word glossary translation into Vietnamese.

The imported national-portal records exist only in Vietnamese, and the packaged encoder cannot
bridge English to Vietnamese, so an English question is also searched in Vietnamese. A glossary of
administrative vocabulary (`glossary_en_vi.yml`) is enough for that: the search is lexical, so word
order and grammar do not matter, only that "lost my driving licence" becomes "bị mất giấy phép lái xe".
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from .normalize import looks_english, strip_diacritics

GLOSSARY_FILE = Path(__file__).with_name("glossary_en_vi.yml")
MAX_PHRASE_WORDS = 6
MIN_TYPO_LENGTH = 5  # shorter words have too many neighbours one letter away

_TOKEN = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
# British spellings the glossary may only hold in the American form (and back)
_SPELLINGS = (("isation", "ization"), ("ise", "ize"), ("ised", "ized"), ("ising", "izing"), ("our", "or"),
              ("ence", "ense"), ("tre", "ter"), ("ll", "l"), ("yse", "yze"))


class GlossaryError(ValueError):
    """The glossary file is malformed; the message names the entry."""


class _UniqueKeyLoader(yaml.SafeLoader):
    """YAML keeps the last of two equal keys without a word; in a glossary that hides a mistake."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise GlossaryError(f"line {key_node.start_mark.line + 1}: {key!r} appears twice")
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def tokens(text: str) -> list[str]:
    """Lowercase English words; possessive 's dropped ("driver's licence" → driver licence)."""
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    return [re.sub(r"'s$", "", t) for t in _TOKEN.findall(text)]


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


def _forms(word: str):
    """The word, then its base forms without a plural or -ing/-ed ending, each also in the other spelling."""
    yield word
    bases = [word]
    for suffix, replacements in (("ies", ("y",)), ("es", ("", "e")), ("s", ("",)), ("ied", ("y",)),
                                 ("ed", ("e", "")), ("ing", ("e", ""))):
        if word.endswith(suffix) and len(word) - len(suffix) >= 2:
            stem = word[: -len(suffix)]
            bases += [stem + r for r in replacements]
            if len(stem) >= 3 and stem[-1] == stem[-2] and suffix in ("ed", "ing"):
                bases.append(stem[:-1])  # planned → plan, transferring → transfer
    for base in bases:
        yield base
        for british, american in _SPELLINGS:
            for old, new in ((british, american), (american, british)):
                if base.endswith(old):
                    yield base[: -len(old)] + new


def _base_forms(entries: dict[str, tuple[str, str]]) -> dict[str, str]:
    """One base form for the words of the glossary that are forms of one another: "plots" (in "merge
    plots") and "plot", "licence", "license" and "licensing" each share one, so a question's "plots"
    finds the entry "plot" and "driving licences" the entry "driving license". A form with an entry
    of its own and another meaning ("fishing" beside "fish", "goods" beside "good") keeps its own."""
    single = {key: vietnamese for key, (_, vietnamese) in entries.items() if " " not in key}
    written = sorted({w for key in entries for w in key.split()})
    parent = {w: w for w in written}

    def root(w: str) -> str:
        while parent[w] != w:
            parent[w] = parent[parent[w]]
            w = parent[w]
        return w

    for w in written:
        for form in _forms(w):
            if form != w and form in parent and single.get(w, single.get(form)) == single.get(form, single.get(w)):
                a, b = sorted((root(w), root(form)), key=lambda x: (len(x), x))
                parent[b] = a  # the shortest form stands for the others
    return {w: root(w) for w in written}


@dataclass(frozen=True)
class Glossary:
    phrases: dict[tuple[str, ...], str]  # English words in base form → Vietnamese ("" drops them)
    base: dict[str, str]  # every English word written in the glossary → its base form there
    vietnamese: frozenset[str]  # Vietnamese syllables of the translations, folded: never "corrected" to English
    typo_index: dict[str, tuple[str, ...]]  # one-letter deletions → glossary words

    @classmethod
    def load(cls, path: Path = GLOSSARY_FILE) -> "Glossary":
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)
        except GlossaryError as error:
            raise GlossaryError(f"{path}: {error}") from None
        except (OSError, yaml.YAMLError) as error:
            raise GlossaryError(f"{path}: cannot read the glossary ({error})") from None
        if not isinstance(data, dict):
            raise GlossaryError(f"{path}: expected sections of 'english: vietnamese' entries")
        entries: dict[str, tuple[str, str]] = {}
        for section, items in data.items():
            if section == "ignore":
                items = {word: "" for word in str(items).split()}
            if not isinstance(items, dict):
                raise GlossaryError(f"{path}: {section}: expected 'english: vietnamese' entries")
            for english, vietnamese in items.items():
                key = " ".join(tokens(str(english)))
                if not key or not isinstance(vietnamese, str):
                    raise GlossaryError(f"{path}: {section}: {english!r}: expected English words and a Vietnamese text")
                if key in entries:
                    raise GlossaryError(f"{path}: {section}: {english!r} appears twice")
                entries[key] = (english, vietnamese.strip())
        base = _base_forms(entries)
        phrases: dict[tuple[str, ...], str] = {}
        for key, (english, vietnamese) in entries.items():
            words = tuple(base[w] for w in key.split())
            if phrases.get(words, vietnamese) != vietnamese:
                raise GlossaryError(f"{path}: {english!r} is another form of an entry with another translation")
            phrases[words] = vietnamese
        typo_index: dict[str, set[str]] = {}
        for word in base:
            if word.isalpha() and len(word) >= MIN_TYPO_LENGTH - 1:
                for form in {word} | _deletes(word):
                    typo_index.setdefault(form, set()).add(word)
        return cls(phrases=phrases, base=base,
                   vietnamese=frozenset(strip_diacritics(w) for _, v in entries.values() for w in v.lower().split()),
                   typo_index={k: tuple(sorted(v)) for k, v in typo_index.items()})

    def lemma(self, word: str) -> str:
        """The glossary's base form of a word (itself, its other spelling, or without a plural or
        -ing/-ed ending), or of a glossary word one typo away; otherwise the word unchanged."""
        for form in _forms(word):
            if form in self.base:
                return self.base[form]
        corrected = self._corrected(word)
        return self.base.get(corrected, corrected)

    def _corrected(self, word: str) -> str:
        if (len(word) < MIN_TYPO_LENGTH or not word.isalpha() or word in self.vietnamese):
            return word
        candidates = set(self.typo_index.get(word, ()))
        for form in _deletes(word):
            candidates.update(self.typo_index.get(form, ()))
        candidates = {c for c in candidates if abs(len(c) - len(word)) <= 1}
        # one candidate only: "pasport" is passport, but "lisence" is license or licence (same meaning)
        meanings = {self.phrases.get((self.base[c],)) for c in candidates}
        return min(candidates) if candidates and len(meanings) == 1 else word

    def translate(self, text: str) -> str:
        """Vietnamese words for the English ones the glossary knows, longest phrase first; words it does
        not know are kept (a Vietnamese word typed in, or an English one the records do not cover)."""
        words = [self.lemma(t) for t in tokens(text)]
        out: list[str] = []
        i = 0
        while i < len(words):
            for length in range(min(MAX_PHRASE_WORDS, len(words) - i), 0, -1):
                vietnamese = self.phrases.get(tuple(words[i:i + length]))
                if vietnamese is not None:
                    if vietnamese:
                        out.append(vietnamese)
                    i += length
                    break
            else:
                out.append(words[i])
                i += 1
        return " ".join(out)


@lru_cache(maxsize=1)
def glossary() -> Glossary:
    return Glossary.load()


def english_to_vietnamese(text: str) -> str | None:
    """The Vietnamese search text of an English question; None when the question is not English
    (the test is `normalize.looks_english`, shared with the rest of the search)."""
    if not looks_english(text):
        return None
    return glossary().translate(text) or None


def search_texts(text: str) -> list[str]:
    """What to search for a question: itself, and for an English one also its Vietnamese translation
    (the curated records' English names match the first, every record matches the second)."""
    translation = english_to_vietnamese(text)
    return [text, translation] if translation else [text]

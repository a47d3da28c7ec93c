"""Subjects of fields of government the index holds no procedures of (uncovered_fields.yml).

"xin giấy phép bán thuốc lá" shares "giấy phép bán" with the retail licence for alcohol, and the
no-answer model, which only sees how well the best match covers the question, lets it through. Such a
question names a subject of a field the catalogue does not cover (Industry and Trade here; the
national crawl has no Health, Education, Culture… procedures). When the question names one and none
of the best few procedures mentions it anywhere in its record, the search asks for more certainty
before answering (retrieval.py) and the bot can say which field the question belongs to. A subject
that a procedure does mention stops counting for that procedure, so the list needs no change when the
catalogue grows: a newly imported procedure that names "thuốc lá" answers such questions again.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .normalize import english_words_only, looks_english
from .phrases import PhraseTable, phrases, read_lexicon, spelled

FIELDS_FILE = Path(__file__).with_name("uncovered_fields.yml")


class UncoveredFieldsError(ValueError):
    """uncovered_fields.yml cannot be used; the message names the file and the entry."""


@dataclass(frozen=True)
class Subject:
    phrase: str  # folded, as matched
    field: str  # the field's name, as the bot says it
    field_en: str


class UncoveredFields:
    def __init__(self, fields: dict[str, tuple[str, str, list]]):
        self._table = PhraseTable((p, key) for key, (_, _, items) in fields.items() for p in items)
        self._names = {key: (name, name_en) for key, (name, name_en, _) in fields.items()}

    @classmethod
    def load(cls, path: Path = FIELDS_FILE) -> "UncoveredFields":
        data = read_lexicon(path, UncoveredFieldsError, "fields, each with a field name and phrases")
        fields = {}
        for key, entry in data.items():
            if (not isinstance(entry, dict) or set(entry) != {"field", "field_en", "phrases"}
                    or not all(isinstance(entry[name], str) and entry[name].strip() for name in ("field", "field_en"))):
                raise UncoveredFieldsError(f"{path}: {key}: expected exactly the keys field, field_en (its names) "
                                           "and phrases")
            found = phrases(entry["phrases"])
            if found is None:
                raise UncoveredFieldsError(f"{path}: {key}.phrases: expected a list of phrases")
            fields[str(key)] = (entry["field"], entry["field_en"], found)
        return cls(fields)

    def subjects(self, text: str, english: bool | None = None) -> set[Subject]:
        """`english`: the text is an English question or its Vietnamese translation, which keeps the English
        words its glossary lacks (default: whether the text looks English)."""
        # in an English question a phrase whose folded words are English words is those words:
        # "a factory in an industrial park" is not "in ấn" (printing)
        english = looks_english(text) if english is None else english
        return {Subject(spelled(phrase), *self._names[key]) for phrase, keys in self._table.find(text) for key in keys
                if not (english and english_words_only(spelled(phrase)))}

    def mentioned(self, texts: list[str]) -> set[str]:
        """The phrases (folded) any of the texts mentions: a procedure's passages."""
        return {spelled(phrase) for text in texts for phrase, _ in self._table.find(text)}


@lru_cache(maxsize=1)
def default_fields() -> UncoveredFields:
    return UncoveredFields.load()

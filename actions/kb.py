"""The action server's door to the knowledge base: the same `ProcedureSearch` the CLI uses, loaded
lazily once per process."""
from __future__ import annotations

from typing import Optional

import knowledge_base
from knowledge_base.schema import Procedure


def warm_up() -> None:
    knowledge_base.warm_up()


# the level of government a unit's desk belongs to, as the records name procedure levels
_UNIT_LEVELS = {"commune": "commune", "ward": "commune", "province": "province", "service_centre": "province",
                "department": "province"}


def citizen_level(unit_code: Optional[str]) -> Optional[str]:
    """The level of the unit the citizen is served by (the desk's commune or the province), if known."""
    import units

    unit = units.directory().units.get(unit_code or "")
    return _UNIT_LEVELS.get(unit.kind) if unit else None


def search(text: str, k: int = 5, *, with_rejected: bool = False, unit: Optional[str] = None) -> list:
    """Hits for the question, best first; raises `InvalidQuery` for text that cannot be searched. With the
    citizen's unit, a procedure that exists at several levels is shown at the level of that unit."""
    return knowledge_base.default_search().search(text, k, with_rejected=with_rejected, level=citizen_level(unit))


def outside_scope(text: str, unit: Optional[str] = None) -> Optional[Procedure]:
    """In a deployment that answers only some procedures and reads the national catalogue as its
    background (KB_BACKGROUND_INDEX_DIR): the catalogue's procedure the question is about when this
    deployment does not hold it. None otherwise."""
    search_ = knowledge_base.default_search()
    hit = search_.outside_scope(text, citizen_level(unit))
    return search_.background.index.procedures.get(hit.id) if hit else None


def asked_out_of_scope(text: str) -> bool:
    """Whether the question is asked like one no procedure answers (knowledge_base/out_of_scope.py):
    about no procedure at all, so no procedure is offered for it."""
    return knowledge_base.default_search().asked_out_of_scope(text)


def asks_beyond_procedures(text: str) -> bool:
    """Whether the question asks what no procedure answers, whatever it is about: advice, whether something
    is lawful, a case's outcome, a scam, a fine's or a price's amount (knowledge_base/out_of_scope_phrases.yml)."""
    return knowledge_base.default_search().asks_beyond_procedures(text)


def uncovered_fields(text: str, hits: list, language: str) -> list[str]:
    """The names (in `language`, "vi" or "en") of the fields the catalogue lacks that the question is
    about (knowledge_base/uncovered_fields.yml), when none of its best hits (`search(...,
    with_rejected=True)`) mentions its subject."""
    subjects = knowledge_base.default_search().uncovered_subjects(text, hits)
    return sorted({s.field_en if language == "en" else s.field for s in subjects})


def in_official_words(text: str) -> list[str]:
    """The question rewritten in the official words of its everyday phrases (knowledge_base/thesaurus_vi.yml):
    "người Hàn Quốc" is "người nước ngoài". Empty without such phrases."""
    thesaurus = knowledge_base.default_search().thesaurus
    return thesaurus.rewrites(text) if thesaurus else []


def procedure(procedure_id: Optional[str]) -> Optional[Procedure]:
    if not procedure_id:
        return None
    return knowledge_base.get_procedure(procedure_id)


def invalid_query_error() -> type[Exception]:
    from knowledge_base.retrieval import InvalidQuery

    return InvalidQuery

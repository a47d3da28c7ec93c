"""The action server's door to the knowledge base: the same `ProcedureSearch` the CLI uses, loaded
lazily once per process."""
from __future__ import annotations

from typing import Optional

import knowledge_base
from knowledge_base.schema import Procedure


def warm_up() -> None:
    knowledge_base.warm_up()


def search(text: str, k: int = 5, *, with_rejected: bool = False) -> list:
    """Hits for the question, best first; raises `InvalidQuery` for text that cannot be searched."""
    return knowledge_base.default_search().search(text, k, with_rejected=with_rejected)


def procedure(procedure_id: Optional[str]) -> Optional[Procedure]:
    if not procedure_id:
        return None
    return knowledge_base.get_procedure(procedure_id)


def invalid_query_error() -> type[Exception]:
    from knowledge_base.retrieval import InvalidQuery

    return InvalidQuery

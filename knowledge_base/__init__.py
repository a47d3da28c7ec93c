"""Procedure knowledge base: records, normalisation, hybrid FAISS + BM25 search. No Rasa imports.

Everything that needs procedures calls `search(query, k)` and `get_procedure(id)`; the heavy index
(encoder, FAISS) is loaded once per process, on `warm_up()` or the first call.
"""
from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from .config import Settings
from .schema import Procedure

if TYPE_CHECKING:  # the search stack imports faiss; the schema alone must not need it
    from .retrieval import Hit, ProcedureSearch

__all__ = ["Hit", "InvalidQuery", "Procedure", "get_procedure", "search", "warm_up", "default_search"]

_lock = threading.Lock()
_default: ProcedureSearch | None = None


def __getattr__(name: str):
    if name in ("Hit", "InvalidQuery", "ProcedureSearch"):
        from . import retrieval

        return getattr(retrieval, name)
    raise AttributeError(name)


def default_search() -> "ProcedureSearch":
    global _default
    with _lock:
        if _default is None:
            from .retrieval import load_search

            _default = load_search(Settings.from_env())
        return _default


def is_loaded() -> bool:
    """True once the index is loaded in this process (an action server's readiness)."""
    return _default is not None


def warm_up() -> None:
    """Load the index and run one query so the first citizen does not pay for model start-up."""
    default_search().search("đăng ký khai sinh", 1)


def search(query: str, k: int = 5, *, level: str | None = None) -> list["Hit"]:
    """`level`: the citizen's own level ("commune", "province") when known, to show that variant."""
    return default_search().search(query, k, level=level)


def get_procedure(procedure_id: str) -> Procedure | None:
    return default_search().index.procedures.get(procedure_id)

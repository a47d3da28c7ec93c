"""Readiness checks shared by the processes: can the store be used right now?"""
from __future__ import annotations

from typing import Optional


def database_problem() -> Optional[str]:
    """None when the store answers a query at the expected schema version, else a short reason
    (no connection details: this is shown on /ready)."""
    from sqlalchemy import text

    from store import SchemaNotReady, database

    try:
        db = database()
        db.ensure_schema()
        with db.engine.connect() as connection:
            connection.execute(text("select 1"))
    except SchemaNotReady:
        return "schema behind: run `python -m store upgrade`"
    except Exception as error:
        return f"unreachable ({error.__class__.__name__})"
    return None

"""Logging and listing unanswered questions (for staff to improve the knowledge base)."""
from __future__ import annotations

from typing import Iterable, Optional

from sqlalchemy import select

from .db import database
from .models import MAX_QUESTION_CHARS, UnansweredQuestion
from .text import storable


def _short(value: Optional[str], limit: int) -> Optional[str]:
    return value[:limit] if value else value


def log_unanswered_question(
    text: str,
    *,
    reason: str = "no_match",
    channel: Optional[str] = None,
    unit: Optional[str] = None,
    desk: Optional[str] = None,
    language: Optional[str] = None,
    conversation_id: Optional[str] = None,
    candidates: Iterable[str] = (),
) -> int:
    """Store one question and return its id. Raises on database errors: callers decide."""
    row = UnansweredQuestion(
        text=(storable(text) or "")[:MAX_QUESTION_CHARS],
        reason=reason,
        channel=_short(channel, 64),
        unit=_short(unit, 64),
        desk=_short(desk, 64),
        language=_short(language, 8),
        conversation_id=_short(conversation_id, 128),
        candidates=_short(",".join(candidates), 512) or None,
    )
    with database().session() as session:
        session.add(row)
        session.flush()
        return row.id


def recent_unanswered_questions(limit: int = 50, unit: Optional[str] = None) -> list[UnansweredQuestion]:
    query = select(UnansweredQuestion).order_by(UnansweredQuestion.id.desc()).limit(limit)
    if unit:
        query = query.where(UnansweredQuestion.unit == unit)
    with database().session() as session:
        return list(session.scalars(query))

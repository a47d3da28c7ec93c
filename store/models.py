"""Tables of the application database."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

MAX_QUESTION_CHARS = 4000


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class Base(DeclarativeBase):
    pass


class UnansweredQuestion(Base):
    """Câu hỏi chưa trả lời được: what the bot could not answer, or a question left for staff."""

    __tablename__ = "unanswered_questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    asked_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_utc_now, index=True)
    text: Mapped[str] = mapped_column(Text)
    # "no_match" (nothing found), "not_understood" (NLU fallback), "left_for_staff" (citizen wrote it
    # for a person)
    reason: Mapped[str] = mapped_column(String(32), default="no_match")
    channel: Mapped[Optional[str]] = mapped_column(String(64))
    unit: Mapped[Optional[str]] = mapped_column(String(64), index=True)
    desk: Mapped[Optional[str]] = mapped_column(String(64))
    language: Mapped[Optional[str]] = mapped_column(String(8))
    conversation_id: Mapped[Optional[str]] = mapped_column(String(128))
    # nearest procedures the bot offered, comma-separated ids, so staff see what it thought of
    candidates: Mapped[Optional[str]] = mapped_column(String(512))

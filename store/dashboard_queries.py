"""Listing queries of the staff dashboard beyond the figures of `store.reports`: citizens' comments with
filters, alerts with the rating they came from, and unanswered questions grouped by their folded text.

Every function takes the unit codes the caller may read (`None` only for an admin's "everything" view,
which also shows rows that name no unit); the dashboard's access check decides them. Search text is
bound as a parameter and its LIKE wildcards escaped, so it only ever matches literally.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Optional

from sqlalchemy import and_, func, select, true

from .alerts import fold
from .db import database
from .models import Alert, Rating, UnansweredQuestion
from .reports import Period

MAX_GROUPED_QUESTIONS = 20_000  # read at most this many questions of a period to group them


@dataclass(frozen=True)
class CommentRow:
    rating_id: int
    created_at: dt.datetime
    unit: str
    desk: Optional[str]
    procedure_id: Optional[str]
    channel: Optional[str]
    overall: str
    comment: str


@dataclass(frozen=True)
class PageOf:
    rows: list
    total: int
    page: int
    size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))


def _unit_filter(column, codes: Optional[list[str]]):
    return true() if codes is None else column.in_(codes)


def _period_filter(column, period: Period):
    start, end = period.bounds_utc()
    return and_(column >= start, column < end)


def comments(codes: Optional[list[str]], period: Period, *, level: Optional[str] = None,
             procedure: Optional[str] = None, text: str = "", page: int = 1, size: int = 50) -> PageOf:
    """Ratings with a comment, newest first, filtered by level, procedure and literal text."""
    conditions = [_unit_filter(Rating.unit, codes), _period_filter(Rating.created_at, period),
                  Rating.comment.is_not(None), Rating.comment != ""]
    if level:
        conditions.append(Rating.overall == level)
    if procedure:
        conditions.append(Rating.procedure_id == procedure)
    if text:
        # lower() on both sides: PostgreSQL's LIKE is case-sensitive (SQLite's only folds ASCII)
        conditions.append(func.lower(Rating.comment).contains(text.lower(), autoescape=True))
    where = and_(*conditions)
    with database().session() as session:
        total = session.scalar(select(func.count()).select_from(Rating).where(where))
        rows = session.execute(
            select(Rating.id, Rating.created_at, Rating.unit, Rating.desk, Rating.procedure_id, Rating.channel,
                   Rating.overall, Rating.comment).where(where).order_by(Rating.created_at.desc(), Rating.id.desc())
            .offset((page - 1) * size).limit(size)).all()
    return PageOf(rows=[CommentRow(*row) for row in rows], total=int(total or 0), page=page, size=size)


def comment_procedures(codes: Optional[list[str]], period: Period) -> list[str]:
    """Procedure ids that have comments in the scope (the filter's choices)."""
    with database().session() as session:
        return [p for p in session.scalars(
            select(Rating.procedure_id).where(_unit_filter(Rating.unit, codes),
                                              _period_filter(Rating.created_at, period),
                                              Rating.comment.is_not(None), Rating.procedure_id.is_not(None))
            .distinct().order_by(Rating.procedure_id))]


@dataclass(frozen=True)
class AlertRow:
    id: int
    created_at: dt.datetime
    unit: str
    reasons: list[str]
    status: str
    note: Optional[str]
    updated_at: Optional[dt.datetime]
    conversation_id: str
    overall: Optional[str]
    comment: Optional[str]
    procedure_id: Optional[str]
    dossier_code: Optional[str]
    callback_phone: Optional[str]


def alerts(codes: Optional[list[str]], period: Optional[Period] = None, *, status: Optional[str] = None,
           page: int = 1, size: int = 50) -> PageOf:
    """Alerts with their rating, newest first."""
    conditions = [_unit_filter(Alert.unit, codes)]
    if period is not None:
        conditions.append(_period_filter(Alert.created_at, period))
    if status:
        conditions.append(Alert.status == status)
    where = and_(*conditions)
    with database().session() as session:
        total = session.scalar(select(func.count()).select_from(Alert).where(where))
        rows = session.execute(
            select(Alert, Rating.overall, Rating.comment, Rating.procedure_id, Rating.dossier_code,
                   Rating.callback_phone).outerjoin(Rating, Rating.id == Alert.rating_id).where(where)
            .order_by(Alert.created_at.desc(), Alert.id.desc()).offset((page - 1) * size).limit(size)).all()
    return PageOf(rows=[AlertRow(id=a.id, created_at=a.created_at, unit=a.unit, reasons=a.reasons.split(","),
                                 status=a.status, note=a.note, updated_at=a.updated_at,
                                 conversation_id=a.conversation_id, overall=overall, comment=comment,
                                 procedure_id=procedure, dossier_code=dossier, callback_phone=phone)
                        for a, overall, comment, procedure, dossier, phone in rows],
                  total=int(total or 0), page=page, size=size)


def alert_counts(codes: Optional[list[str]]) -> dict[str, int]:
    with database().session() as session:
        return dict(session.execute(select(Alert.status, func.count()).where(_unit_filter(Alert.unit, codes))
                                    .group_by(Alert.status)).all())


def alert_unit(alert_id: int) -> Optional[str]:
    with database().session() as session:
        return session.scalar(select(Alert.unit).where(Alert.id == alert_id))


@dataclass(frozen=True)
class QuestionGroup:
    """Questions whose folded text is the same (case, diacritics, punctuation and spacing ignored)."""

    key: str
    text: str  # the most recent wording
    count: int
    units: list[str]
    reasons: dict[str, int]
    first_asked: dt.datetime
    last_asked: dt.datetime
    candidates: list[str]  # procedures the bot offered, most frequent first


def grouped_questions(codes: Optional[list[str]], period: Period, *,
                      text: str = "") -> tuple[list[QuestionGroup], bool]:
    """Unanswered questions of the period grouped by folded text, most asked first; True when the period
    held more than MAX_GROUPED_QUESTIONS and only the newest were grouped."""
    conditions = [_period_filter(UnansweredQuestion.asked_at, period)]
    if codes is not None:
        conditions.append(UnansweredQuestion.unit.in_(codes))
    if text:
        conditions.append(func.lower(UnansweredQuestion.text).contains(text.lower(), autoescape=True))
    with database().session() as session:
        rows = session.execute(
            select(UnansweredQuestion.text, UnansweredQuestion.unit, UnansweredQuestion.reason,
                   UnansweredQuestion.asked_at, UnansweredQuestion.candidates)
            .where(*conditions).order_by(UnansweredQuestion.asked_at.desc(), UnansweredQuestion.id.desc())
            .limit(MAX_GROUPED_QUESTIONS + 1)).all()
    truncated = len(rows) > MAX_GROUPED_QUESTIONS
    groups: dict[str, dict] = {}
    for question, unit, reason, asked_at, candidates in rows[:MAX_GROUPED_QUESTIONS]:
        key = fold(question)
        if not key:
            continue
        group = groups.setdefault(key, {"text": question, "count": 0, "units": {}, "reasons": {},
                                        "first": asked_at, "last": asked_at, "candidates": {}})
        group["count"] += 1
        group["first"] = min(group["first"], asked_at)
        if unit:
            group["units"][unit] = group["units"].get(unit, 0) + 1
        group["reasons"][reason] = group["reasons"].get(reason, 0) + 1
        for candidate in filter(None, (candidates or "").split(",")):
            group["candidates"][candidate] = group["candidates"].get(candidate, 0) + 1
    result = [QuestionGroup(key=key, text=g["text"], count=g["count"],
                            units=sorted(g["units"], key=lambda u: -g["units"][u]), reasons=g["reasons"],
                            first_asked=g["first"], last_asked=g["last"],
                            candidates=sorted(g["candidates"], key=lambda c: -g["candidates"][c])[:5])
              for key, g in groups.items()]
    result.sort(key=lambda g: (-g.count, -g.last_asked.timestamp(), g.key))
    return result, truncated

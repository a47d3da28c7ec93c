"""Storing a citizen's rating, with its alert, in one transaction.

The duplicate rule: one rating per dossier and sender. Submitting again for the same dossier code from
the same conversation updates that rating (the latest answers count, once; `revisions` counts the
updates, `created_at` stays the first submission's). A one-dossier link is bound to the first
conversation that submits with it; any other conversation using it is refused (`AlreadyRated`).
Ratings without a dossier code are separate visits and are all kept.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Optional

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from . import scoring
from .alerts import alert_reasons, redact_personal_data
from .db import database
from .models import (AGENCY_INDICATORS, CITIZEN_INDICATORS, MAX_COMMENT_CHARS, OVERALL_LEVELS, SIPAS_ASPECTS,
                     Alert, Rating, SurveyInvitation)
from .text import storable


class AlreadyRated(Exception):
    """This one-dossier link was already used by another conversation."""


@dataclass
class RatingInput:
    unit: str
    overall: str  # very_satisfied | satisfied | dissatisfied
    conversation_id: str
    desk: Optional[str] = None
    dossier_code: Optional[str] = None
    procedure_id: Optional[str] = None
    channel: Optional[str] = None
    language: Optional[str] = None
    invitation_id: Optional[int] = None
    citizen: dict[str, Optional[int]] = field(default_factory=dict)  # contacts, bodies, publicity, attitude: 2/1/0
    sipas: dict[str, Optional[int]] = field(default_factory=dict)  # access … feedback: 1–5
    comment: Optional[str] = None
    callback_phone: Optional[str] = None

    def check(self) -> None:
        if self.overall not in OVERALL_LEVELS:
            raise ValueError(f"overall must be one of {OVERALL_LEVELS}")
        for key, value in self.citizen.items():
            if key not in CITIZEN_INDICATORS or value not in (None, 0, 1, 2):
                raise ValueError(f"citizen indicator {key}={value!r}")
        for key, value in self.sipas.items():
            if key not in SIPAS_ASPECTS or value not in (None, 1, 2, 3, 4, 5):
                raise ValueError(f"SIPAS aspect {key}={value!r}")
        if not self.conversation_id:
            raise ValueError("a rating needs the conversation id")


@dataclass(frozen=True)
class SubmitResult:
    rating_id: int
    updated: bool  # True when this replaced the sender's earlier rating of the same dossier
    alert_id: Optional[int]
    alert_reasons: tuple[str, ...]


def _apply(row: Rating, data: RatingInput) -> None:
    row.unit = data.unit[:64]
    row.desk = (data.desk or None) and data.desk[:64]
    row.dossier_code = data.dossier_code
    row.procedure_id = (data.procedure_id or None) and data.procedure_id[:128]
    row.channel = (data.channel or None) and data.channel[:32]
    row.language = (data.language or None) and data.language[:8]
    row.invitation_id = data.invitation_id
    for key in CITIZEN_INDICATORS:
        setattr(row, f"citizen_{key}", data.citizen.get(key))
    for key in SIPAS_ASPECTS:
        setattr(row, f"sipas_{key}", data.sipas.get(key))
    row.overall = data.overall
    comment = (storable(data.comment) or "").strip()
    row.comment = redact_personal_data(comment[:MAX_COMMENT_CHARS]) if comment else None
    row.callback_phone = data.callback_phone


def _submit_once(data: RatingInput) -> SubmitResult:
    now = dt.datetime.now(dt.timezone.utc)
    with database().session() as session:
        invitation = None
        if data.invitation_id is not None:
            invitation = session.get(SurveyInvitation, data.invitation_id, with_for_update=True)
            if invitation is None or invitation.unit != data.unit:
                raise ValueError("the rating does not match its invitation")
            # the signed invitation says which desk and procedure were served, whatever the conversation says
            data.desk = invitation.desk or data.desk
            data.procedure_id = invitation.procedure_id or data.procedure_id
            if invitation.kind == "dossier":
                if invitation.used_by and invitation.used_by != data.conversation_id:
                    raise AlreadyRated(invitation.dossier_code)
                data.dossier_code = invitation.dossier_code
        existing = None
        if data.dossier_code:
            existing = session.scalars(select(Rating).where(
                Rating.dossier_code == data.dossier_code, Rating.conversation_id == data.conversation_id)
                .with_for_update()).first()
        row = existing or Rating(conversation_id=data.conversation_id[:128], created_at=now, revisions=0)
        _apply(row, data)
        if existing is not None:
            row.revisions = (row.revisions or 0) + 1
            row.updated_at = now
        else:
            session.add(row)
        session.flush()
        if invitation is not None and invitation.kind == "dossier" and not invitation.used_by:
            invitation.used_by, invitation.used_at = data.conversation_id[:128], now

        reasons = tuple(alert_reasons(data.overall, data.citizen.get("attitude"), data.comment))
        alert_id = None
        if reasons:
            alert = session.scalars(select(Alert).where(Alert.rating_id == row.id)).first()
            if alert is None:
                alert = Alert(unit=row.unit, rating_id=row.id, conversation_id=row.conversation_id,
                              reasons=",".join(reasons), status="new", created_at=now)
                session.add(alert)
            else:  # an updated rating keeps its alert (and its handling status), with the new reasons
                alert.reasons = ",".join(sorted(set(alert.reasons.split(",")) | set(reasons)))
                alert.updated_at = now
            session.flush()
            alert_id = alert.id
        return SubmitResult(rating_id=row.id, updated=existing is not None, alert_id=alert_id, alert_reasons=reasons)


def submit_rating(data: RatingInput) -> SubmitResult:
    """Store the rating (and its alert) in one transaction, committed when this returns; raises on any
    failure, with nothing written. A concurrent first submission of the same dossier by the same sender
    loses the unique-constraint race and is retried as the update it is."""
    data.check()
    try:
        return _submit_once(data)
    except IntegrityError:
        return _submit_once(data)


AGENCY_COLUMNS = {key: f"agency_{key}" for key in AGENCY_INDICATORS}


def record_agency_assessment(rating_id: int, **points: Optional[int]) -> None:
    """The agency's own 2/1/0 assessment of the dossier ("đánh giá kép"), e.g. from the one-stop software:
    record_agency_assessment(12, total_time=2, step_time=2, one_stop=2, feedback=1, online=2)."""
    for key, value in points.items():
        if key not in AGENCY_COLUMNS or value not in (None, 0, 1, 2):
            raise ValueError(f"agency indicator {key}={value!r}")
    with database().session() as session:
        row = session.get(Rating, rating_id)
        if row is None:
            raise LookupError(f"no rating {rating_id}")
        for key, value in points.items():
            setattr(row, AGENCY_COLUMNS[key], value)


def rating_points(row: Rating) -> dict:
    """A stored rating's points: citizen, agency, resolved, the 18-point total and the citizen part."""
    citizen = {key: getattr(row, f"citizen_{key}") for key in CITIZEN_INDICATORS}
    agency = {key: getattr(row, f"agency_{key}") for key in AGENCY_INDICATORS}
    resolved = scoring.resolved_points(citizen, agency)
    return {"citizen": citizen, "agency": agency, "resolved": resolved,
            "total": scoring.total_score(resolved), "citizen_score": scoring.citizen_score(citizen)}


def get_rating(rating_id: int) -> Optional[Rating]:
    with database().session() as session:
        return session.get(Rating, rating_id)

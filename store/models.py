"""Tables of the application database. Alembic migrations (`store/migrations/`) own the schema:
a change here needs a new revision (`python -m store revision "what changed"`)."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import (Boolean, CheckConstraint, DateTime, ForeignKey, Index, Integer, SmallInteger, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

MAX_QUESTION_CHARS = 4000
MAX_COMMENT_CHARS = 2000

OVERALL_LEVELS = ("very_satisfied", "satisfied", "dissatisfied")
ALERT_STATUSES = ("new", "in_progress", "handled")
CITIZEN_INDICATORS = ("contacts", "bodies", "publicity", "attitude")
AGENCY_INDICATORS = ("total_time", "step_time", "contacts", "bodies", "one_stop", "publicity", "attitude",
                     "feedback", "online")
SIPAS_ASPECTS = ("access", "procedure", "officials", "result", "feedback")
STAFF_ROLES = ("staff", "supervisor", "admin")


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class UTCDateTime(TypeDecorator):
    """An instant, stored in UTC and read back timezone-aware on every backend. SQLite keeps no offset,
    so a local time written as-is would compare wrongly against UTC period bounds."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:  # naive values are taken as UTC
            return value if dialect.name == "sqlite" else value.replace(tzinfo=dt.timezone.utc)
        value = value.astimezone(dt.timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None else value.astimezone(dt.timezone.utc)


class Base(DeclarativeBase):
    pass


class UnansweredQuestion(Base):
    """Câu hỏi chưa trả lời được: what the bot could not answer, or a question left for staff."""

    __tablename__ = "unanswered_questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    asked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=_utc_now, index=True)
    text: Mapped[str] = mapped_column(Text)
    # "no_match" (nothing found), "not_understood" (NLU fallback), "other_field" (about a field the
    # catalogue has no procedures of: knowledge_base/uncovered_fields.yml), "outside_scope" (about a
    # procedure of the national catalogue this deployment does not hold: knowledge_base/scope.py),
    # "not_a_procedure" (asked like questions no procedure answers: knowledge_base/out_of_scope.py),
    # "beyond_procedures" (asks for advice, a judgement or an amount: knowledge_base/out_of_scope_phrases.yml),
    # "left_for_staff" (citizen wrote it for a person)
    reason: Mapped[str] = mapped_column(String(32), default="no_match")
    channel: Mapped[Optional[str]] = mapped_column(String(64))
    unit: Mapped[Optional[str]] = mapped_column(String(64), index=True)
    desk: Mapped[Optional[str]] = mapped_column(String(64))
    language: Mapped[Optional[str]] = mapped_column(String(8))
    conversation_id: Mapped[Optional[str]] = mapped_column(String(128))
    # nearest procedures the bot offered, comma-separated ids, so staff see what it thought of
    candidates: Mapped[Optional[str]] = mapped_column(String(512))


class SurveyInvitation(Base):
    """Phiếu khảo sát đã phát: one survey link or QR code generated for a desk or for one dossier.
    Every row counts as a survey issued."""

    __tablename__ = "survey_invitations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=_utc_now, index=True)
    kind: Mapped[str] = mapped_column(String(16))  # "dossier" (one use) or "desk" (a poster, many uses)
    unit: Mapped[str] = mapped_column(String(64), index=True)
    desk: Mapped[Optional[str]] = mapped_column(String(64))
    dossier_code: Mapped[Optional[str]] = mapped_column(String(64), index=True)
    procedure_id: Mapped[Optional[str]] = mapped_column(String(128))
    channel: Mapped[Optional[str]] = mapped_column(String(32))  # where the link was given: qr, telegram, sms…
    # a dossier link is bound to the first conversation that submits a rating with it
    used_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime)
    used_by: Mapped[Optional[str]] = mapped_column(String(128))

    __table_args__ = (CheckConstraint("kind in ('dossier', 'desk')", name="ck_invitation_kind"),)


class Rating(Base):
    """Phiếu đánh giá đã thu: one citizen's assessment of one visit (and dossier, when known).

    Citizen indicators (Decree 61/2018 Art. 31 as amended by Decree 107/2021) hold 2/1/0 points, NULL when
    skipped; `agency_*` hold the agency's own assessment of the same dossier ("đánh giá kép"), filled by
    the one-stop software or staff, NULL until then. SIPAS aspects hold 1–5."""

    __tablename__ = "ratings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=_utc_now, index=True)
    updated_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime)
    revisions: Mapped[int] = mapped_column(Integer, default=0)  # times the same sender re-rated the dossier
    unit: Mapped[str] = mapped_column(String(64), index=True)
    desk: Mapped[Optional[str]] = mapped_column(String(64))
    dossier_code: Mapped[Optional[str]] = mapped_column(String(64))
    procedure_id: Mapped[Optional[str]] = mapped_column(String(128), index=True)
    channel: Mapped[Optional[str]] = mapped_column(String(32))
    language: Mapped[Optional[str]] = mapped_column(String(8))
    conversation_id: Mapped[str] = mapped_column(String(128))
    invitation_id: Mapped[Optional[int]] = mapped_column(ForeignKey("survey_invitations.id"), index=True)

    citizen_contacts: Mapped[Optional[int]] = mapped_column(SmallInteger)
    citizen_bodies: Mapped[Optional[int]] = mapped_column(SmallInteger)
    citizen_publicity: Mapped[Optional[int]] = mapped_column(SmallInteger)
    citizen_attitude: Mapped[Optional[int]] = mapped_column(SmallInteger)

    agency_total_time: Mapped[Optional[int]] = mapped_column(SmallInteger)
    agency_step_time: Mapped[Optional[int]] = mapped_column(SmallInteger)
    agency_contacts: Mapped[Optional[int]] = mapped_column(SmallInteger)
    agency_bodies: Mapped[Optional[int]] = mapped_column(SmallInteger)
    agency_one_stop: Mapped[Optional[int]] = mapped_column(SmallInteger)
    agency_publicity: Mapped[Optional[int]] = mapped_column(SmallInteger)
    agency_attitude: Mapped[Optional[int]] = mapped_column(SmallInteger)
    agency_feedback: Mapped[Optional[int]] = mapped_column(SmallInteger)
    agency_online: Mapped[Optional[int]] = mapped_column(SmallInteger)

    overall: Mapped[str] = mapped_column(String(16))

    sipas_access: Mapped[Optional[int]] = mapped_column(SmallInteger)
    sipas_procedure: Mapped[Optional[int]] = mapped_column(SmallInteger)
    sipas_officials: Mapped[Optional[int]] = mapped_column(SmallInteger)
    sipas_result: Mapped[Optional[int]] = mapped_column(SmallInteger)
    sipas_feedback: Mapped[Optional[int]] = mapped_column(SmallInteger)

    comment: Mapped[Optional[str]] = mapped_column(Text)
    callback_phone: Mapped[Optional[str]] = mapped_column(String(20))  # only when offered for a call-back

    __table_args__ = (
        # the duplicate rule: one rating per dossier and sender (a second submission updates it)
        UniqueConstraint("dossier_code", "conversation_id", name="uq_ratings_dossier_sender"),
        CheckConstraint("overall in ('very_satisfied', 'satisfied', 'dissatisfied')", name="ck_rating_overall"),
        *(CheckConstraint(f"citizen_{n} between 0 and 2", name=f"ck_rating_citizen_{n}") for n in CITIZEN_INDICATORS),
        *(CheckConstraint(f"agency_{n} between 0 and 2", name=f"ck_rating_agency_{n}") for n in AGENCY_INDICATORS),
        *(CheckConstraint(f"sipas_{n} between 1 and 5", name=f"ck_rating_sipas_{n}") for n in SIPAS_ASPECTS),
        Index("ix_ratings_unit_created", "unit", "created_at"),
    )


class Alert(Base):
    """Cảnh báo: a "Không hài lòng" rating or a report of abusive treatment, for the unit's leaders."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=_utc_now, index=True)
    unit: Mapped[str] = mapped_column(String(64), index=True)
    rating_id: Mapped[int] = mapped_column(ForeignKey("ratings.id", ondelete="CASCADE"), index=True)
    conversation_id: Mapped[str] = mapped_column(String(128))  # the conversation to read in the tracker store
    reasons: Mapped[str] = mapped_column(String(128))  # comma-separated: dissatisfied, abusive_treatment
    status: Mapped[str] = mapped_column(String(16), default="new")
    note: Mapped[Optional[str]] = mapped_column(Text)
    updated_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime)

    __table_args__ = (CheckConstraint("status in ('new', 'in_progress', 'handled')", name="ck_alert_status"),)


class StaffAccount(Base):
    """Tài khoản cán bộ: who may sign in to the dashboard, with a role and the unit it belongs to.
    staff see their unit, a supervisor the unit and everything under it, an admin everything."""

    __tablename__ = "staff_accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(16))
    unit: Mapped[str] = mapped_column(String(64), index=True)
    password_hash: Mapped[str] = mapped_column(String(256))  # argon2id, with its parameters
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=_utc_now)
    last_login_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime)

    __table_args__ = (CheckConstraint("role in ('staff', 'supervisor', 'admin')", name="ck_staff_role"),)


class StaffSession(Base):
    """A signed-in browser. The cookie carries a random id; only its hash is stored, and deleting the row
    (logout, account disabled) ends the session in every process at once."""

    __tablename__ = "staff_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 hex of the cookie's id
    account_id: Mapped[int] = mapped_column(ForeignKey("staff_accounts.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=_utc_now)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)


class LoginThrottle(Base):
    """Failed sign-ins counted per key ("user:<name>" or "addr:<client address>") in the database, so
    several dashboard processes agree on who is locked out and until when."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_start: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    locked_until: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime)

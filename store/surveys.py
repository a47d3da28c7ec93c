"""Survey links: each link or QR code printed for a desk or for one dossier is an invitation (counted
as a survey issued) identified by a short signed token.

A token is `1` + a 16-character HMAC-SHA256 tag (96 bits, key `SURVEY_SECRET`) + the invitation id,
at most 64 characters of [A-Za-z0-9_-], so it fits a Telegram deep link (`/start <token>`) and a widget
URL (`?survey=<token>`). The tag covers the id and the invitation's unit, desk, dossier and procedure as
stored, so a token cannot be made up, and neither the link nor the row can be changed to rate another
unit. Channels hand it to Rasa as `/start_rating{"survey_token":"<token>"}`. No Rasa imports here.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import os
import re
from dataclasses import dataclass
from typing import Optional
from urllib.parse import quote

from .db import database, is_production
from .models import SurveyInvitation

TOKEN_VERSION = "1"
TAG_CHARS = 16
MAX_TOKEN_CHARS = 64
_TOKEN = re.compile(rf"^{TOKEN_VERSION}([A-Za-z0-9_-]{{{TAG_CHARS}}})([1-9][0-9]{{0,18}})$")
# Dev-only key so a laptop works without configuration; refused when APP_ENV=production.
DEV_SECRET = "dev-only-survey-secret-do-not-use-in-production"
MIN_SECRET_CHARS = 32
# Mã hồ sơ on the receipt, e.g. H12.34-250701-0001 or 000.00.12.H12-250701-0001
DOSSIER_CODE = re.compile(r"^(?=.*\d)[A-Z0-9][A-Z0-9.\-_/]{3,39}$")


class InvalidToken(ValueError):
    """The token is malformed, forged, altered, or names no invitation."""


class SecretNotConfigured(RuntimeError):
    pass


def survey_secret() -> bytes:
    """The signing key: `SURVEY_SECRET`, or the dev key outside production."""
    secret = os.environ.get("SURVEY_SECRET", "")
    if is_production():
        if not secret or secret == DEV_SECRET or len(secret) < MIN_SECRET_CHARS:
            raise SecretNotConfigured(f"APP_ENV=production needs SURVEY_SECRET (at least {MIN_SECRET_CHARS} "
                                      "random characters, e.g. `openssl rand -base64 48`)")
    return (secret or DEV_SECRET).encode()


def check_settings() -> None:
    """Call at start-up: refuses to run in production with a missing or default secret."""
    survey_secret()


def normalise_dossier_code(text: Optional[str]) -> Optional[str]:
    """The dossier code in upper case, or None when it does not look like one."""
    code = re.sub(r"\s+", "", (text or "")).upper()
    return code if DOSSIER_CODE.match(code) else None


@dataclass(frozen=True)
class InvitationClaims:
    """What a valid token stands for."""

    invitation_id: int
    kind: str  # "dossier" or "desk"
    unit: str
    desk: Optional[str]
    dossier_code: Optional[str]
    procedure_id: Optional[str]
    channel: Optional[str]
    used_by: Optional[str]  # the conversation that already rated with this dossier link


@dataclass(frozen=True)
class Invitation:
    claims: InvitationClaims
    token: str
    issued_at: dt.datetime

    def telegram_link(self, bot_username: str) -> str:
        return f"https://t.me/{bot_username.lstrip('@')}?start={self.token}"

    def widget_url(self, base_url: str) -> str:
        separator = "&" if "?" in base_url else "?"
        return f"{base_url}{separator}survey={quote(self.token)}"


def _signed_text(invitation_id: int, unit: str, desk: Optional[str], dossier_code: Optional[str],
                 procedure_id: Optional[str]) -> bytes:
    fields = [f"survey-invitation:v{TOKEN_VERSION}", str(invitation_id), unit, desk or "", dossier_code or "",
              procedure_id or ""]
    return "\x1f".join(fields).encode()


def _tag(row: SurveyInvitation) -> str:
    digest = hmac.new(survey_secret(), _signed_text(row.id, row.unit, row.desk, row.dossier_code, row.procedure_id),
                      hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:12]).decode()  # 12 bytes -> 16 characters, no padding


def _claims(row: SurveyInvitation) -> InvitationClaims:
    return InvitationClaims(invitation_id=row.id, kind=row.kind, unit=row.unit, desk=row.desk,
                            dossier_code=row.dossier_code, procedure_id=row.procedure_id, channel=row.channel,
                            used_by=row.used_by)


def issue_invitation(unit: str, desk: Optional[str] = None, dossier_code: Optional[str] = None,
                     procedure_id: Optional[str] = None, channel: Optional[str] = None) -> Invitation:
    """Persist one invitation (a survey issued) and return it with its token. A dossier code makes it a
    one-dossier link; without one it is a desk link (a poster) that many citizens may use."""
    import units

    if unit not in units.directory():
        raise ValueError(f"unknown unit {unit!r}")
    code = None
    if dossier_code is not None:
        code = normalise_dossier_code(dossier_code)
        if code is None:
            raise ValueError(f"{dossier_code!r} does not look like a dossier code")
    survey_secret()  # fail before writing anything when the key is not configured
    row = SurveyInvitation(kind="dossier" if code else "desk", unit=unit, desk=(desk or None) and desk[:64],
                           dossier_code=code, procedure_id=(procedure_id or None) and procedure_id[:128],
                           channel=(channel or None) and channel[:32])
    with database().session() as session:
        session.add(row)
        session.flush()
        token = f"{TOKEN_VERSION}{_tag(row)}{row.id}"
        assert len(token) <= MAX_TOKEN_CHARS
        return Invitation(claims=_claims(row), token=token, issued_at=row.issued_at)


def read_token(token: object) -> InvitationClaims:
    """The invitation a token stands for; raises InvalidToken for anything else."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN_CHARS:
        raise InvalidToken("not a survey token")
    match = _TOKEN.match(token.strip())
    if not match:
        raise InvalidToken("not a survey token")
    tag, invitation_id = match.group(1), int(match.group(2))
    with database().session() as session:
        row = session.get(SurveyInvitation, invitation_id)
        if row is None or not hmac.compare_digest(tag, _tag(row)):
            raise InvalidToken("unknown or altered survey token")
        return _claims(row)


def desk_invitation(unit: str, desk: str, channel: str = "poster") -> Invitation:
    """The link printed on a desk's poster: the desk's existing poster invitation, or a new one. Printing
    the poster again (PNG, then PDF, then a replacement) is the same survey issued, not another."""
    from sqlalchemy import select

    with database().session() as session:
        row = session.scalars(select(SurveyInvitation).where(
            SurveyInvitation.kind == "desk", SurveyInvitation.unit == unit, SurveyInvitation.desk == desk,
            SurveyInvitation.channel == channel, SurveyInvitation.procedure_id.is_(None))
            .order_by(SurveyInvitation.id.desc()).limit(1)).first()
        if row is not None:
            return Invitation(claims=_claims(row), token=f"{TOKEN_VERSION}{_tag(row)}{row.id}", issued_at=row.issued_at)
    return issue_invitation(unit, desk=desk, channel=channel)

"""What makes a rating an alert for the unit, and keeping personal data out of comments.

An alert is raised by "Không hài lòng", by the citizen choosing "gây phiền hà, nhũng nhiễu" for the
officers' attitude, or by a comment that reports abusive treatment (harassment, asking for money,
rudeness). Listing, status changes and notes are here too, for the dashboard.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Optional

from sqlalchemy import select

from .db import database
from .models import ALERT_STATUSES, Alert

# Folded (no diacritics, lower-case) phrases that report abusive treatment in a comment.
ABUSE_PHRASES = (
    "nhung nhieu", "hach dich", "cua quyen", "gay kho de", "gay kho khan", "gay phien ha", "phien ha",
    "voi tien", "doi tien", "xin tien", "doi boi duong", "tien boi duong", "tien cafe", "tien ca phe",
    "phong bi", "boi duong them", "tien ngoai", "chi ngoai", "lot tay",
    "quat nat", "quat thao", "chui boi", "chui mang", "xuc pham", "tho lo", "coc can", "vo van hoa", "lang ma",
    "de doa", "ngam doi", "moc ngoac", "tieu cuc", "thieu ton trong",
    "bribe", "harass", "rude", "insult", "asked for money", "demanded money", "extort",
)
_ABUSE = re.compile(r"\b(?:" + "|".join(re.escape(p) for p in ABUSE_PHRASES) + r")\b")

_PHONE = re.compile(r"(?<!\d)(?:\+?84|0)(?:[\s.\-]?\d){8,10}(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_ID_NUMBER = re.compile(r"(?<!\d)\d{12}(?!\d)")  # số định danh cá nhân / căn cước
REDACTED = "[đã ẩn]"


def fold(text: str) -> str:
    """Lower-case, without Vietnamese diacritics, single spaces."""
    text = unicodedata.normalize("NFKD", (text or "").lower().replace("đ", "d"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w+]+", " ", text).split())


def is_abusive(comment: Optional[str]) -> bool:
    return bool(comment) and bool(_ABUSE.search(fold(comment)))


def alert_reasons(overall: str, attitude_points: Optional[int] = None, comment: Optional[str] = None) -> list[str]:
    reasons = []
    if overall == "dissatisfied":
        reasons.append("dissatisfied")
    if attitude_points == 0 or is_abusive(comment):
        reasons.append("abusive_treatment")
    return reasons


def redact_personal_data(comment: str) -> str:
    """Phone numbers, e-mail addresses and 12-digit identity numbers removed from free text: a phone
    number is kept only where the citizen gives it for a call-back."""
    comment = _EMAIL.sub(REDACTED, comment)
    comment = _PHONE.sub(REDACTED, comment)
    return _ID_NUMBER.sub(REDACTED, comment)


def normalise_phone(text: str) -> Optional[str]:
    """A Vietnamese phone number as 0XXXXXXXXX (mobile 10 digits, landline 11), or None."""
    digits = re.sub(r"[\s.\-()]", "", text or "")
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    if re.fullmatch(r"0[35789]\d{8}", digits) or re.fullmatch(r"02\d{9}", digits):
        return digits
    return None


# ------------------------------------------------------------------ staff side (dashboard)
def list_alerts(units: Optional[list[str]] = None, status: Optional[str] = None, limit: int = 100) -> list[Alert]:
    query = select(Alert).order_by(Alert.id.desc()).limit(max(1, min(limit, 1000)))
    if units is not None:
        query = query.where(Alert.unit.in_(units))
    if status:
        query = query.where(Alert.status == status)
    with database().session() as session:
        return list(session.scalars(query))


def update_alert(alert_id: int, status: str, note: Optional[str] = None) -> Alert:
    """Move an alert through new → in_progress → handled, with a handling note."""
    if status not in ALERT_STATUSES:
        raise ValueError(f"status must be one of {', '.join(ALERT_STATUSES)}")
    with database().session() as session:
        alert = session.get(Alert, alert_id)
        if alert is None:
            raise LookupError(f"no alert {alert_id}")
        alert.status = status
        if note is not None:
            alert.note = note[:4000]
        alert.updated_at = dt.datetime.now(dt.timezone.utc)
        return alert

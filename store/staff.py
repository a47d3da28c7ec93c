"""Staff accounts of the dashboard (tài khoản cán bộ): creating, listing, disabling, password checks with
argon2id, signed-in sessions, and login throttling.

Throttling counts failed sign-ins per username and per client address in the database (not in process
memory), so every dashboard process behind one entry point agrees. A username is locked for
`LOCKOUT` after `USER_FAILURES` failures within `WINDOW`; an address after `ADDRESS_FAILURES` (higher: a
desk's office may share one address). A success clears the username's count, never the address's, so
one valid account cannot be used to reset an address that is guessing others' passwords.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Optional

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from .db import database
from .models import STAFF_ROLES, LoginThrottle, StaffAccount, StaffSession

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_CHARS = 256  # argon2 would hash a megabyte happily; a form field should not ask it to
WINDOW = dt.timedelta(minutes=15)
LOCKOUT = dt.timedelta(minutes=15)
USER_FAILURES = 5
ADDRESS_FAILURES = 30
SESSION_LIFETIME = dt.timedelta(hours=12)

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verified when the username is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not-a-real-password-just-equal-timing")


class AccountError(ValueError):
    """A request to create or change an account that cannot be honoured; `code` names the reason."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(detail or code)
        self.code = code


@dataclass(frozen=True)
class StaffUser:
    """What the dashboard needs to know about a signed-in account."""

    id: int
    username: str
    display_name: str
    role: str
    unit: str
    active: bool
    created_at: dt.datetime
    last_login_at: Optional[dt.datetime]


@dataclass(frozen=True)
class LoginResult:
    user: Optional[StaffUser]  # set on success
    locked_for: Optional[dt.timedelta] = None  # set when throttled (the password was not even checked)

    @property
    def ok(self) -> bool:
        return self.user is not None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _user(row: StaffAccount) -> StaffUser:
    return StaffUser(id=row.id, username=row.username, display_name=row.display_name, role=row.role, unit=row.unit,
                     active=row.active, created_at=row.created_at, last_login_at=row.last_login_at)


def normalise_username(text: object) -> Optional[str]:
    name = text.strip().lower() if isinstance(text, str) else ""
    return name if USERNAME.match(name) else None


def generate_password() -> str:
    """A random password to hand out once (about 96 bits, no look-alike characters)."""
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4))


def check_password(password: object) -> str:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_CHARS:
        raise AccountError("password_too_short")
    if len(password) > MAX_PASSWORD_CHARS:
        raise AccountError("password_too_long")
    return password


def create_account(username: str, role: str, unit: str, password: str, display_name: Optional[str] = None) -> StaffUser:
    import units

    name = normalise_username(username)
    if name is None:
        raise AccountError("bad_username", f"{username!r}: 3–64 lower-case letters, digits, '.', '_' or '-'")
    if role not in STAFF_ROLES:
        raise AccountError("bad_role", f"role must be one of {', '.join(STAFF_ROLES)}")
    if unit not in units.directory():
        raise AccountError("unknown_unit", f"unknown unit {unit!r}")
    check_password(password)
    display = (display_name or "").strip()[:128] or name
    row = StaffAccount(username=name, display_name=display, role=role, unit=unit,
                       password_hash=_hasher.hash(password), active=True, created_at=_now())
    try:
        with database().session() as session:
            session.add(row)
            session.flush()
            return _user(row)
    except IntegrityError:
        raise AccountError("username_taken", f"{name} already exists") from None


def get_account(username: str) -> Optional[StaffUser]:
    name = normalise_username(username)
    if name is None:
        return None
    with database().session() as session:
        row = session.scalars(select(StaffAccount).where(StaffAccount.username == name)).first()
        return _user(row) if row else None


def list_accounts() -> list[StaffUser]:
    with database().session() as session:
        return [_user(r) for r in session.scalars(select(StaffAccount).order_by(StaffAccount.unit,
                                                                                StaffAccount.username))]


def set_active(username: str, active: bool) -> StaffUser:
    """Disable (or re-enable) an account; disabling ends its sessions at once."""
    name = normalise_username(username)
    with database().session() as session:
        row = session.scalars(select(StaffAccount).where(StaffAccount.username == name)).first() if name else None
        if row is None:
            raise AccountError("unknown_account", f"no account {username!r}")
        row.active = active
        if not active:
            session.execute(delete(StaffSession).where(StaffSession.account_id == row.id))
        return _user(row)


def set_password(username: str, password: str) -> None:
    check_password(password)
    name = normalise_username(username)
    with database().session() as session:
        row = session.scalars(select(StaffAccount).where(StaffAccount.username == name)).first() if name else None
        if row is None:
            raise AccountError("unknown_account", f"no account {username!r}")
        row.password_hash = _hasher.hash(password)
        session.execute(delete(StaffSession).where(StaffSession.account_id == row.id))


# ------------------------------------------------------------------ throttling
def _throttle_keys(username: str, address: Optional[str]) -> list[tuple[str, int]]:
    keys = [(f"user:{username[:150]}", USER_FAILURES)]
    if address:
        keys.append((f"addr:{address[:150]}", ADDRESS_FAILURES))
    return keys


def locked_for(username: str, address: Optional[str], now: Optional[dt.datetime] = None) -> Optional[dt.timedelta]:
    """How long sign-in stays refused for this username or address (None: not locked)."""
    now = now or _now()
    keys = [k for k, _ in _throttle_keys(username, address)]
    with database().session() as session:
        rows = session.scalars(select(LoginThrottle).where(LoginThrottle.key.in_(keys))).all()
    waits = [row.locked_until - now for row in rows if row.locked_until and row.locked_until > now]
    return max(waits) if waits else None


def _record_failure(session, key: str, limit: int, now: dt.datetime) -> None:
    row = session.get(LoginThrottle, key, with_for_update=True)
    if row is None:
        row = LoginThrottle(key=key, failures=0, window_start=now)
        session.add(row)
    if now - row.window_start > WINDOW:
        row.failures, row.window_start = 0, now
    row.failures += 1
    if row.failures >= limit:
        row.locked_until = now + LOCKOUT
        row.failures, row.window_start = 0, now  # a new window starts after the lockout


def record_failure(username: str, address: Optional[str], now: Optional[dt.datetime] = None) -> None:
    now = now or _now()
    for attempt in range(2):  # two processes creating the same row: the loser retries as an update
        try:
            with database().session() as session:
                for key, limit in _throttle_keys(username, address):
                    _record_failure(session, key, limit, now)
            return
        except IntegrityError:
            if attempt:
                raise


def authenticate(username: object, password: object, address: Optional[str] = None,
                 now: Optional[dt.datetime] = None) -> LoginResult:
    """Check a sign-in. Throttled requests are refused before the password is looked at; a disabled or
    unknown account fails exactly like a wrong password."""
    now = now or _now()
    name = normalise_username(username) or (username.strip().lower()[:64] if isinstance(username, str) else "")
    wait = locked_for(name, address, now)
    if wait is not None:
        return LoginResult(None, locked_for=wait)
    good = isinstance(password, str) and 0 < len(password) <= MAX_PASSWORD_CHARS
    with database().session() as session:
        row = session.scalars(select(StaffAccount).where(StaffAccount.username == name)).first() if name else None
        try:
            _hasher.verify(row.password_hash if row is not None else _DUMMY_HASH, password if good else "\0")
            verified = good and row is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            verified = False
        if verified and row.active:
            if _hasher.check_needs_rehash(row.password_hash):
                row.password_hash = _hasher.hash(password)
            row.last_login_at = now
            session.execute(delete(LoginThrottle).where(LoginThrottle.key == f"user:{name}"))
            return LoginResult(_user(row))
    record_failure(name or "-", address, now)
    return LoginResult(None)


# ------------------------------------------------------------------ sessions
def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def start_session(user: StaffUser, now: Optional[dt.datetime] = None) -> str:
    """A new random session id for the cookie; only its hash is stored."""
    now = now or _now()
    session_id = secrets.token_urlsafe(32)
    with database().session() as session:
        session.execute(delete(StaffSession).where(StaffSession.expires_at <= now))  # housekeeping
        session.add(StaffSession(id_hash=_hash(session_id), account_id=user.id, created_at=now,
                                 expires_at=now + SESSION_LIFETIME))
    return session_id


def session_user(session_id: object, now: Optional[dt.datetime] = None) -> Optional[StaffUser]:
    """The active account signed in with this session id, or None (unknown, expired, or disabled)."""
    if not isinstance(session_id, str) or not 20 <= len(session_id) <= 100:
        return None
    now = now or _now()
    with database().session() as session:
        row = session.execute(select(StaffSession, StaffAccount)
                              .join(StaffAccount, StaffAccount.id == StaffSession.account_id)
                              .where(StaffSession.id_hash == _hash(session_id))).first()
        if row is None or row.StaffSession.expires_at <= now or not row.StaffAccount.active:
            return None
        return _user(row.StaffAccount)


def end_session(session_id: object) -> None:
    if isinstance(session_id, str):
        with database().session() as session:
            session.execute(delete(StaffSession).where(StaffSession.id_hash == _hash(session_id)))

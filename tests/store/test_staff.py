"""Staff accounts on SQLite and PostgreSQL: creation rules, argon2 verification, throttling per username
and per address (kept in the database), sessions ended by logout and by disabling the account."""
from __future__ import annotations

import datetime as dt

import pytest

from store import staff

NOW = dt.datetime(2026, 3, 10, 8, 0, tzinfo=dt.timezone.utc)
PASSWORD = "mot-mat-khau-dai"


def test_accounts_are_created_listed_and_disabled(db):
    user = staff.create_account("Lan.Nguyen", "staff", "demo-xa-song-xanh", PASSWORD, "Nguyễn Thị Lan")
    assert (user.username, user.role, user.unit, user.active) == ("lan.nguyen", "staff", "demo-xa-song-xanh", True)
    with pytest.raises(staff.AccountError) as taken:
        staff.create_account("lan.nguyen", "admin", "demo-province", PASSWORD)
    assert taken.value.code == "username_taken"
    for args, code in [(("x", "staff", "demo-hcc", PASSWORD), "bad_username"),
                       (("<b>hi</b>", "staff", "demo-hcc", PASSWORD), "bad_username"),
                       (("minh", "root", "demo-hcc", PASSWORD), "bad_role"),
                       (("minh", "staff", "nowhere", PASSWORD), "unknown_unit"),
                       (("minh", "staff", "demo-hcc", "short"), "password_too_short"),
                       (("minh", "staff", "demo-hcc", "x" * 1000), "password_too_long")]:
        with pytest.raises(staff.AccountError) as error:
            staff.create_account(*args)
        assert error.value.code == code
    assert [u.username for u in staff.list_accounts()] == ["lan.nguyen"]
    assert "argon2id" in _hash_of("lan.nguyen")
    assert staff.set_active("lan.nguyen", False).active is False
    assert not staff.authenticate("lan.nguyen", PASSWORD, "10.0.0.1").ok


def _hash_of(username: str) -> str:
    from sqlalchemy import select

    import store
    from store.models import StaffAccount

    with store.database().session() as session:
        return session.scalar(select(StaffAccount.password_hash).where(StaffAccount.username == username))


def test_password_verification_and_last_login(db):
    staff.create_account("minh", "supervisor", "demo-province", PASSWORD)
    assert not staff.authenticate("minh", "sai-mat-khau-roi", "10.0.0.1", NOW).ok
    assert not staff.authenticate("khong-co", PASSWORD, "10.0.0.1", NOW).ok
    assert not staff.authenticate("minh", None, "10.0.0.1", NOW).ok
    result = staff.authenticate(" MINH ", PASSWORD, "10.0.0.1", NOW)
    assert result.ok and result.user.role == "supervisor"
    assert staff.get_account("minh").last_login_at == NOW


def test_a_username_is_locked_after_five_failures_whatever_the_address(db):
    staff.create_account("minh", "staff", "demo-hcc", PASSWORD)
    for i in range(staff.USER_FAILURES):
        assert staff.authenticate("minh", "wrong-password", f"10.0.0.{i}",
                                  NOW + dt.timedelta(seconds=i)).locked_for is None
    locked = staff.authenticate("minh", PASSWORD, "10.9.9.9", NOW + dt.timedelta(minutes=1))
    assert not locked.ok and locked.locked_for is not None  # even the right password is not checked
    later = NOW + dt.timedelta(seconds=staff.USER_FAILURES) + staff.LOCKOUT + dt.timedelta(seconds=1)
    assert staff.authenticate("minh", PASSWORD, "10.9.9.9", later).ok


def test_failures_outside_the_window_do_not_add_up(db):
    staff.create_account("minh", "staff", "demo-hcc", PASSWORD)
    for i in range(staff.USER_FAILURES * 2):
        when = NOW + i * (staff.WINDOW / (staff.USER_FAILURES - 2))  # at most four in any window
        assert staff.authenticate("minh", "wrong-password", "10.0.0.1", when).locked_for is None


def test_an_address_guessing_many_names_is_locked_and_a_success_does_not_reset_it(db):
    staff.create_account("minh", "staff", "demo-hcc", PASSWORD)
    for i in range(staff.ADDRESS_FAILURES - 1):
        staff.authenticate(f"user{i}", "wrong-password", "203.0.113.5", NOW)
    assert staff.authenticate("minh", PASSWORD, "203.0.113.5", NOW).ok
    staff.authenticate("user-last", "wrong-password", "203.0.113.5", NOW)
    assert staff.authenticate("minh", PASSWORD, "203.0.113.5", NOW).locked_for is not None
    assert staff.authenticate("minh", PASSWORD, "198.51.100.7", NOW).ok  # another address is not affected


def test_sessions_end_on_logout_expiry_and_disabling(db):
    user = staff.create_account("minh", "staff", "demo-hcc", PASSWORD)
    first, second = staff.start_session(user, NOW), staff.start_session(user, NOW)
    assert staff.session_user(first, NOW).username == "minh"
    staff.end_session(first)
    assert staff.session_user(first, NOW) is None
    assert staff.session_user(second, NOW + staff.SESSION_LIFETIME) is None
    assert staff.session_user(second, NOW).username == "minh"
    staff.set_active("minh", False)
    assert staff.session_user(second, NOW) is None
    assert staff.session_user("x" * 40, NOW) is None and staff.session_user(None, NOW) is None

"""Shared data and helpers of the dashboard tests (a module of its own: `conftest` is a name every test
folder uses, so tests import from here). The known month of ratings repeats the figures of
tests/store/test_reports.py, worked out by hand, with comments, alerts and unanswered questions."""
from __future__ import annotations

import datetime as dt
import re

from starlette.testclient import TestClient

import store
from store import staff

PASSWORD = "mat-khau-thu-nghiem"
VN = dt.timezone(dt.timedelta(hours=7))
ACCOUNTS = {  # username: (role, unit)
    "admin": ("admin", "demo-province"),
    "lanh-dao-tinh": ("supervisor", "demo-province"),
    "can-bo-xa": ("staff", "demo-xa-song-xanh"),
    "can-bo-phuong": ("staff", "demo-phuong-trung-tam"),
    "lanh-dao-hcc": ("supervisor", "demo-hcc"),
}
INJECTED_COMMENT = '<script>alert("x")</script><img src=x onerror=alert(1)> thái độ "tốt" & nhanh'


def local(day: int, hour: int = 9, minute: int = 0, month: int = 3) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=VN).astimezone(dt.timezone.utc)


def _rating(session, when, unit, overall, conversation, *, citizen=None, agency=None, dossier=None, procedure=None,
            channel="telegram", invitation=None, sipas_access=None, comment=None) -> int:
    row = store.Rating(created_at=when, unit=unit, overall=overall, conversation_id=conversation, dossier_code=dossier,
                       procedure_id=procedure, channel=channel, revisions=0, invitation_id=invitation,
                       sipas_access=sipas_access, comment=comment)
    for key, value in (citizen or {}).items():
        setattr(row, f"citizen_{key}", value)
    for key, value in (agency or {}).items():
        setattr(row, f"agency_{key}", value)
    session.add(row)
    session.flush()
    return row.id


def _invitation(session, when, unit, dossier=None) -> int:
    row = store.SurveyInvitation(issued_at=when, unit=unit, kind="dossier" if dossier else "desk", dossier_code=dossier)
    session.add(row)
    session.flush()
    return row.id


def fill_known_month(database) -> dict[str, int]:
    """March 2026, as in tests/store/test_reports.py, plus comments, alerts and unanswered questions."""
    all_two = {"contacts": 2, "bodies": 2, "publicity": 2, "attitude": 2}
    ids = {}
    with database.session() as s:
        d1 = _invitation(s, local(1), "demo-xa-song-xanh", "D1")
        d2 = _invitation(s, local(2), "demo-xa-song-xanh", "D2")
        _invitation(s, local(3), "demo-xa-song-xanh", "D9")
        _invitation(s, local(4), "demo-xa-song-xanh")
        _invitation(s, local(1, month=4), "demo-xa-song-xanh", "D10")
        _rating(s, local(5), "demo-xa-song-xanh", "very_satisfied", "a", citizen=all_two, dossier="D1",
                agency={"total_time": 2, "step_time": 2, "one_stop": 2, "feedback": 2, "online": 2},
                procedure="dang-ky-khai-sinh", invitation=d1, sipas_access=5, comment="Cán bộ hướng dẫn rất tận tình")
        _rating(s, local(6), "demo-xa-song-xanh", "satisfied", "b", dossier="D2", channel="webchat",
                citizen={"contacts": 2, "bodies": 1, "publicity": 2, "attitude": 1},
                agency={"total_time": 2, "step_time": 1, "one_stop": 2, "feedback": 1, "online": 1},
                procedure="dang-ky-khai-sinh", invitation=d2, sipas_access=4, comment=INJECTED_COMMENT)
        bad = _rating(s, local(7), "demo-xa-song-xanh", "dissatisfied", "c",
                      citizen={"contacts": 0, "bodies": 0, "publicity": 1, "attitude": 0}, sipas_access=2,
                      comment="Phải đi lại 3 lần, 100% không hài lòng; x' OR '1'='1")
        _rating(s, local(31, 23, 30), "demo-xa-song-xanh", "very_satisfied", "f", citizen=all_two)
        _rating(s, local(1, 0, 10, month=4), "demo-xa-song-xanh", "dissatisfied", "g")
        _rating(s, dt.datetime(2026, 2, 28, 23, 59, tzinfo=VN), "demo-xa-song-xanh", "dissatisfied", "h")
        _rating(s, local(8), "demo-phuong-trung-tam", "satisfied", "d", citizen=all_two, dossier="D3",
                procedure="dang-ky-ket-hon", channel="webchat", comment="Bí mật của phường Trung Tâm")
        other_bad = _rating(s, local(9), "demo-phuong-trung-tam", "dissatisfied", "e", dossier="D3",
                            procedure="dang-ky-ket-hon", channel="webchat", comment="Phường chậm trễ")
        hcc = _rating(s, local(10), "demo-hcc", "satisfied", "i", dossier="D4")
        alert = store.Alert(created_at=local(7, 10), unit="demo-xa-song-xanh", rating_id=bad, conversation_id="c",
                            reasons="dissatisfied,abusive_treatment", status="new")
        other_alert = store.Alert(created_at=local(9, 10), unit="demo-phuong-trung-tam", rating_id=other_bad,
                                  conversation_id="e", reasons="dissatisfied", status="new")
        hcc_alert = store.Alert(created_at=local(10, 10), unit="demo-hcc", rating_id=hcc, conversation_id="i",
                                reasons="abusive_treatment", status="in_progress")
        s.add_all([alert, other_alert, hcc_alert])
        for when, text, unit in [(local(3), "Làm sổ hồng mất bao lâu?", "demo-xa-song-xanh"),
                                 (local(4), "lam so hong mat bao lau", "demo-xa-song-xanh"),
                                 (local(5), "LÀM SỔ HỒNG mất bao lâu ??", "demo-xa-song-xanh"),
                                 (local(6), "đăng ký nuôi chó", "demo-xa-song-xanh"),
                                 (local(6), "câu hỏi riêng của phường", "demo-phuong-trung-tam")]:
            s.add(store.UnansweredQuestion(asked_at=when, text=text, unit=unit, reason="no_match",
                                           candidates="cap-giay-chung-nhan-lan-dau"))
        s.flush()
        ids.update(alert=alert.id, other_alert=other_alert.id, hcc_alert=hcc_alert.id)
    return ids


def make_accounts() -> None:
    for username, (role, unit) in ACCOUNTS.items():
        staff.create_account(username, role, unit, PASSWORD, f"Cán bộ {username}")


def make_app(**settings):
    from bot.dashboard.app import create_dashboard
    from bot.dashboard.settings import DashboardSettings
    from bot.webchat.app import create_app
    from bot.webchat.settings import WebchatSettings

    dashboard = create_dashboard(DashboardSettings(secret="s" * 48, **settings))
    return create_app(WebchatSettings(rasa_url="http://127.0.0.1:9", rasa_timeout=1), dashboard=dashboard)


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def sign_in(client: TestClient, username: str, password: str = PASSWORD, next_path: str = "/reports"):
    token = csrf_of(client.get("/dashboard/login").text)
    return client.post("/dashboard/login", data={"csrf": token, "username": username, "password": password,
                                                 "next": next_path}, follow_redirects=False)

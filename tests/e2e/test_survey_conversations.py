"""Whole satisfaction surveys over REST with both servers running, checking the rows they leave in
the database: free text, buttons, signed links, cancel, pause and resume, answers not understood, a
forged link, a replayed link, the duplicate rule and alerts."""
from __future__ import annotations

import json
import uuid

import pytest
import sqlalchemy as sa

import store
import units

pytestmark = pytest.mark.e2e

COMMUNE = units.directory().get("demo-xa-song-xanh")


def text_of(replies: list[dict]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def payloads(replies: list[dict]) -> list[str]:
    return [b["payload"] for r in replies for b in r.get("buttons") or []]


def answer(value: str) -> str:
    return "/survey_answer" + json.dumps({"answer": value}, separators=(",", ":"))


@pytest.fixture
def db(servers, monkeypatch):
    """The servers' database, opened in this process too (to issue links and read rows)."""
    monkeypatch.setenv("DATABASE_URL", servers.database_url)
    store.reset_database()
    yield store.database()
    store.reset_database()


@pytest.fixture
def citizen(servers):
    """A new conversation on the citizen channel, from the commune's desk."""
    sender = f"e2e-survey-{uuid.uuid4().hex[:8]}"

    def say(text, *, unit=COMMUNE.code, sender_id=None):
        metadata = {"channel": "webchat", "unit": unit, "desk": "quay-2", "language": "vi"} if unit else None
        return servers.say(sender_id or sender, text, channel="citizen" if unit else "rest", metadata=metadata)

    say.sender = sender
    return say


def ratings_of(db, sender: str) -> list:
    with db.session() as session:
        return list(session.scalars(sa.select(store.Rating).where(store.Rating.conversation_id == sender)))


def alerts_of(db, sender: str) -> list:
    with db.session() as session:
        return list(session.scalars(sa.select(store.Alert).where(store.Alert.conversation_id == sender)))


def test_a_whole_survey_in_free_text(citizen, db):
    replies = citizen("tôi vừa nộp hồ sơ xong, muốn góp ý")
    assert "không hỏi thông tin cá nhân" in text_of(replies) and COMMUNE.name in text_of(replies)
    assert "mã hồ sơ" in text_of(replies)  # the unit came from the channel: next is the dossier code
    assert "thủ tục nào" in text_of(citizen("H12.34-250701-0001"))
    assert "mấy lần" in text_of(citizen("đăng ký khai sinh"))
    assert "bao nhiêu cơ quan" in text_of(citizen("1 lần"))
    assert "công khai" in text_of(citizen("mot co quan"))
    assert "Thái độ" in text_of(citizen("có, đầy đủ"))
    assert "Nhìn chung" in text_of(citizen("cán bộ lịch sự, tận tình"))
    assert "5 khía cạnh" in text_of(citizen("rat hai long"))
    assert "Việc tiếp cận" in text_of(citizen("có"))
    for level in ("5", "4 điểm", "bình thường", "rất hài lòng"):
        citizen(level)
    assert "góp ý" in text_of(citizen("4"))
    thanks = text_of(citizen("Nên có thêm ghế ngồi chờ"))
    [row] = ratings_of(db, citizen.sender)
    assert f"DG-{row.id}" in thanks and "Cảm ơn" in thanks
    assert (row.unit, row.desk, row.dossier_code, row.procedure_id, row.channel) == (
        COMMUNE.code, "quay-2", "H12.34-250701-0001", "dang-ky-khai-sinh", "webchat")
    assert (row.citizen_contacts, row.citizen_bodies, row.citizen_publicity, row.citizen_attitude, row.overall) == (
        2, 2, 2, 2, "very_satisfied")
    assert (row.sipas_access, row.sipas_procedure, row.sipas_officials, row.sipas_result, row.sipas_feedback) == (
        5, 4, 3, 5, 4)
    assert row.comment == "Nên có thêm ghế ngồi chờ" and row.callback_phone is None
    assert not alerts_of(db, citizen.sender)


def test_a_dossier_link_with_buttons_unhappy_then_an_alert(servers, db):
    from store.surveys import issue_invitation

    invitation = issue_invitation(COMMUNE.code, desk="quay-2", dossier_code="H12-E2E-1",
                                  procedure_id="dang-ky-ket-hon", channel="qr")
    sender = f"e2e-tg-{uuid.uuid4().hex[:8]}"

    def say(text):
        return servers.say(sender, text, channel="citizen", metadata={"channel": "telegram"})

    replies = say(f'/start_rating{{"survey_token":"{invitation.token}"}}')
    assert COMMUNE.name in text_of(replies) and answer("3+") in payloads(replies)  # straight to question 1
    for value in ("3+", "2", "none", "bad"):
        replies = say(answer(value))
    assert answer("dissatisfied") in payloads(replies)
    say(answer("dissatisfied"))
    say(answer("no"))
    assert "gọi lại" in text_of(say("cán bộ đòi tiền bồi dưỡng mới làm nhanh"))
    final = text_of(say("0912 345 678"))
    [row] = ratings_of(db, sender)
    [alert] = alerts_of(db, sender)
    assert (row.invitation_id, row.dossier_code, row.procedure_id, row.overall, row.citizen_contacts,
            row.citizen_attitude, row.callback_phone, row.channel) == (
        invitation.claims.invitation_id, "H12-E2E-1", "dang-ky-ket-hon", "dissatisfied", 0, 0, "0912345678", "telegram")
    assert (alert.unit, alert.rating_id, alert.status, set(alert.reasons.split(","))) == (
        COMMUNE.code, row.id, "new", {"dissatisfied", "abusive_treatment"})
    assert f"PA-{alert.id}" in final and COMMUNE.hotline in final

    # the same link from another account: refused, nothing stored for it
    other = f"e2e-other-{uuid.uuid4().hex[:8]}"
    refused = servers.say(other, f'/start_rating{{"survey_token":"{invitation.token}"}}', channel="citizen",
                          metadata={"channel": "telegram"})
    assert "đã được đánh giá" in text_of(refused)
    assert not ratings_of(db, other)

    # the same citizen again: the rating is updated, not counted twice
    say(f'/start_rating{{"survey_token":"{invitation.token}"}}')
    for value in ("1", "1", "full", "good", "satisfied", "no", "skip"):
        replies = say(answer(value))
    assert "cập nhật" in text_of(replies)
    [row] = ratings_of(db, sender)
    assert (row.overall, row.revisions, row.citizen_contacts) == ("satisfied", 1, 2)


def test_a_forged_link_is_refused_and_the_survey_asks_instead(servers, db):
    sender = f"e2e-forged-{uuid.uuid4().hex[:8]}"
    replies = servers.say(sender, '/start_rating{"survey_token":"1AAAAAAAAAAAAAAAA1"}')
    assert "không hợp lệ" in text_of(replies)
    assert any('"demo-' in p for p in payloads(replies))  # the unit is asked, nothing taken from the link
    servers.say(sender, "hủy")
    assert not ratings_of(db, sender)


def test_cancel_saves_nothing(citizen, db):
    citizen("tôi muốn đánh giá")
    citizen(answer("skip"))
    citizen(answer("skip"))
    citizen("2 lần")
    assert "Đã hủy" in text_of(citizen("thôi"))
    assert not ratings_of(db, citizen.sender)
    assert "hộ chiếu" in text_of(citizen("phí làm hộ chiếu bao nhiêu?")).lower()


def test_pause_ask_something_else_then_resume(citizen, db):
    citizen("danh gia dich vu")
    citizen("không có mã")
    citizen("bỏ qua")
    citizen("1 lan")
    paused = citizen("để sau")
    assert "tạm dừng" in text_of(paused) and "/resume_rating" in payloads(paused)
    assert "kết hôn" in text_of(citizen("đăng ký kết hôn cần giấy tờ gì?")).lower()
    resumed = text_of(citizen("tiếp tục đánh giá"))
    assert "làm tiếp" in resumed and "bao nhiêu cơ quan" in resumed  # question 1 is not asked again
    for text in ("1", "day du", "binh thuong", "hài lòng", "không", "không có"):
        citizen(text)
    [row] = ratings_of(db, citizen.sender)
    assert (row.citizen_contacts, row.citizen_bodies, row.citizen_publicity, row.citizen_attitude, row.overall,
            row.dossier_code, row.procedure_id, row.comment) == (2, 2, 2, 1, "satisfied", None, None, None)


def test_answers_not_understood_are_asked_twice_then_skipped(citizen, db):
    citizen("tôi muốn đánh giá")
    citizen("không có")
    citizen("bỏ qua")
    assert "chưa hiểu" in text_of(citizen("trời hôm nay đẹp quá"))
    assert "chưa hiểu" in text_of(citizen("???"))
    skipped = text_of(citizen("abc xyz"))
    assert "bỏ qua câu này" in skipped and "bao nhiêu cơ quan" in skipped
    for text in ("1", "đầy đủ", "tận tình", "hài lòng", "không", "không có"):
        citizen(text)
    [row] = ratings_of(db, citizen.sender)
    assert (row.citizen_contacts, row.citizen_bodies, row.overall) == (None, 2, "satisfied")


def test_an_overall_answer_never_understood_ends_the_survey(citizen, db):
    citizen("tôi muốn đánh giá")
    for text in ("không có", "bỏ qua", "1", "1", "đầy đủ", "tận tình"):
        citizen(text)
    citizen("???")
    citizen("!!!")
    assert "dừng phiếu" in text_of(citizen("zzz"))
    assert not ratings_of(db, citizen.sender)


def test_a_conversation_without_a_unit_chooses_one_with_buttons(servers, db):
    sender = f"e2e-nounit-{uuid.uuid4().hex[:8]}"
    replies = servers.say(sender, "tôi muốn đánh giá")
    assert answer("demo-hcc") in payloads(replies)
    servers.say(sender, "phường Bến Cảng")
    for text in ("không có", "bỏ qua", "1", "1", "đầy đủ", "tận tình", "rất hài lòng", "không", "không có"):
        servers.say(sender, text)
    [row] = ratings_of(db, sender)
    assert (row.unit, row.channel) == ("demo-phuong-ben-cang", "rest")

"""Signed survey links cannot be made up, edited, or replayed for another unit, desk or dossier, and a
one-dossier link used by one conversation cannot be used by another (SQLite and PostgreSQL)."""
from __future__ import annotations

import string
import threading

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import store
from store.ratings import AlreadyRated, RatingInput, submit_rating
from store.surveys import TAG_CHARS, TOKEN_VERSION, InvalidToken, issue_invitation, read_token

pytestmark = pytest.mark.usefixtures("db")

TOKEN_ALPHABET = string.ascii_letters + string.digits + "_-"


def rating(unit: str, conversation: str, invitation_id=None, **extra) -> RatingInput:
    return RatingInput(unit=unit, overall="satisfied", conversation_id=conversation, invitation_id=invitation_id,
                       **extra)


def count_ratings() -> int:
    with store.database().session() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(store.Rating))


@settings(max_examples=150, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tag=st.text(TOKEN_ALPHABET, min_size=TAG_CHARS, max_size=TAG_CHARS),
       invitation=st.sampled_from([1, 2, 3]), junk=st.text(TOKEN_ALPHABET, max_size=64))
def test_well_formed_tokens_with_a_made_up_tag_are_refused(tag, invitation, junk):
    if not count_invitations():
        for unit in ("demo-hcc", "demo-xa-song-xanh", "demo-phuong-trung-tam"):
            issue_invitation(unit, desk="quay-1")
    for candidate in (f"{TOKEN_VERSION}{tag}{invitation}", junk):
        with pytest.raises(InvalidToken):
            read_token(candidate)


def count_invitations() -> int:
    with store.database().session() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(store.SurveyInvitation))


def test_every_one_character_change_of_a_real_token_is_refused():
    token = issue_invitation("demo-xa-song-xanh", desk="quay-2", dossier_code="H12.34-250701-0001").token
    issue_invitation("demo-hcc", desk="quay-1")  # a second row, so that an edited id can name a real one
    changed = 0
    for position in range(len(token)):
        for replacement in "0A1z_-9":
            if replacement == token[position]:
                continue
            candidate = token[:position] + replacement + token[position + 1:]
            if candidate == token:
                continue
            with pytest.raises(InvalidToken):
                read_token(candidate)
            changed += 1
    assert changed > 6 * len(token)
    for shortened in (token[:-1], token[1:], token + "0", " " + token + "\x00"):
        with pytest.raises(InvalidToken):
            read_token(shortened)


def test_a_tag_cannot_be_moved_to_another_invitation():
    mine = issue_invitation("demo-xa-song-xanh", desk="quay-2", dossier_code="H12-0001").token
    other = issue_invitation("demo-phuong-trung-tam", desk="quay-2", dossier_code="H12-0002").token
    split = 1 + TAG_CHARS
    for forged in (mine[:split] + other[split:], other[:split] + mine[split:]):
        with pytest.raises(InvalidToken):
            read_token(forged)


@pytest.mark.parametrize("column, value", [
    ("unit", "demo-hcc"), ("desk", "quay-9"), ("dossier_code", "H12-9999"), ("procedure_id", "cap-ho-chieu"),
])
def test_each_bound_field_edited_in_the_database_breaks_the_token(column, value):
    invitation = issue_invitation("demo-xa-song-xanh", desk="quay-2", dossier_code="H12-0003",
                                  procedure_id="dang-ky-khai-sinh")
    with store.database().session() as session:
        setattr(session.get(store.SurveyInvitation, invitation.claims.invitation_id), column, value)
    with pytest.raises(InvalidToken):
        read_token(invitation.token)


def test_an_invitation_cannot_rate_another_unit():
    claims = read_token(issue_invitation("demo-xa-song-xanh", desk="quay-1").token)
    with pytest.raises(ValueError, match="does not match"):
        submit_rating(rating("demo-phuong-trung-tam", "web-aaaaaaaaaaaaaaaa", claims.invitation_id))
    with pytest.raises(ValueError, match="does not match"):
        submit_rating(rating("demo-xa-song-xanh", "web-aaaaaaaaaaaaaaaa", 987654))  # no such invitation
    assert count_ratings() == 0


def test_a_rating_through_an_invitation_keeps_the_invitations_desk_dossier_and_procedure():
    claims = read_token(issue_invitation("demo-xa-song-xanh", desk="quay-2", dossier_code="H12-0004",
                                         procedure_id="dang-ky-khai-sinh").token)
    result = submit_rating(rating("demo-xa-song-xanh", "web-bbbbbbbbbbbbbbbb", claims.invitation_id,
                                  desk="quay-7", dossier_code="H12-7777", procedure_id="cap-ho-chieu"))
    with store.database().session() as session:
        row = session.get(store.Rating, result.rating_id)
        assert (row.desk, row.dossier_code, row.procedure_id) == ("quay-2", "H12-0004", "dang-ky-khai-sinh")


def test_a_dossier_link_belongs_to_the_first_conversation_that_rates_with_it():
    token = issue_invitation("demo-xa-song-xanh", dossier_code="H12-0005").token
    claims = read_token(token)
    first = submit_rating(rating("demo-xa-song-xanh", "tg-4242", claims.invitation_id))
    assert read_token(token).used_by == "tg-4242"  # what the survey action checks before starting
    with pytest.raises(AlreadyRated):
        submit_rating(rating("demo-xa-song-xanh", "web-cccccccccccccccc", claims.invitation_id))
    again = submit_rating(rating("demo-xa-song-xanh", "tg-4242", claims.invitation_id, comment="sửa lại"))
    assert again.rating_id == first.rating_id and again.updated
    assert count_ratings() == 1


def test_two_conversations_racing_with_one_dossier_link_store_one_rating(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no row locks: its writers are serialised anyway")
    claims = read_token(issue_invitation("demo-xa-song-xanh", dossier_code="H12-0006").token)
    outcomes: list[str] = []
    start = threading.Barrier(4)

    def submit(conversation: str) -> None:
        start.wait()
        try:
            submit_rating(rating("demo-xa-song-xanh", conversation, claims.invitation_id))
            outcomes.append("stored")
        except AlreadyRated:
            outcomes.append("refused")

    threads = [threading.Thread(target=submit, args=(f"web-racer{n}-0123456789",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["refused", "refused", "refused", "stored"]
    assert count_ratings() == 1


def test_a_comment_with_control_characters_is_stored_not_lost():
    """PostgreSQL refuses NUL in text: a pasted control character used to make the rating unsaveable."""
    result = submit_rating(rating("demo-hcc", "web-dddddddddddddddd", comment="tốt\x00 lắm\x07\ud83d"))
    with store.database().session() as session:
        assert session.get(store.Rating, result.rating_id).comment == "tốt lắm\ufffd"


def test_a_database_error_message_carries_no_rating_values(monkeypatch):
    """The action server logs a failed save with its exception: the message must not hold the comment
    or the call-back phone (SQLAlchemy's [parameters: …] part)."""
    from store import ratings

    def broken_apply(row, data):
        original(row, data)
        row.overall = "x" * 100_000 if database_url_is_postgres() else None  # too long / NOT NULL

    original = ratings._apply
    monkeypatch.setattr(ratings, "_apply", broken_apply)
    with pytest.raises(sa.exc.SQLAlchemyError) as failure:
        submit_rating(rating("demo-hcc", "web-eeeeeeeeeeeeeeee", comment="Nguyễn Văn An gọi 0912345678",
                             callback_phone="0912345678"))
    assert "0912345678" not in str(failure.value) and "Nguyễn" not in str(failure.value)
    assert count_ratings() == 0


def database_url_is_postgres() -> bool:
    return store.database().engine.dialect.name == "postgresql"

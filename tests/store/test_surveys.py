"""Signed survey links: issued, read back, and refused when forged, edited or misused."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

import store
from store import surveys
from store.surveys import InvalidToken, issue_invitation, read_token

pytestmark = pytest.mark.usefixtures("db")


def test_a_dossier_link_reads_back_its_claims_and_counts_as_issued():
    invitation = issue_invitation("demo-xa-song-xanh", desk="quay-2", dossier_code=" h12.34-250701-0001 ",
                                  procedure_id="dang-ky-khai-sinh", channel="qr")
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,64}", invitation.token)
    claims = read_token(invitation.token)
    assert (claims.kind, claims.unit, claims.desk, claims.dossier_code, claims.procedure_id, claims.channel) == (
        "dossier", "demo-xa-song-xanh", "quay-2", "H12.34-250701-0001", "dang-ky-khai-sinh", "qr")
    with store.database().session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(store.SurveyInvitation)) == 1


def test_a_desk_link_has_no_dossier():
    claims = read_token(issue_invitation("demo-hcc", desk="quay-huong-dan").token)
    assert (claims.kind, claims.dossier_code) == ("desk", None)


def test_tokens_fit_a_telegram_deep_link_even_with_long_fields_and_big_ids():
    invitation = issue_invitation("demo-hcc", desk="d" * 64, dossier_code="A1" + "9" * 38, procedure_id="p" * 128)
    assert len(invitation.token) <= 64
    assert len(f"1{'A' * 16}{9_223_372_036_854_775_807}") <= 64
    assert invitation.telegram_link("@TthcBot") == f"https://t.me/TthcBot?start={invitation.token}"
    assert invitation.widget_url("https://x.vn/chat") == f"https://x.vn/chat?survey={invitation.token}"


@pytest.mark.parametrize("forged", [
    "", "abc", "1" + "A" * 16 + "1", "2" + "A" * 16 + "1", "1" + "A" * 16, "x" * 65, None, 42,
    '1AAAAAAAAAAAAAAAA1"}', "../../etc/passwd", "1AAAAAAAAAAAAAAAA01",
])
def test_made_up_tokens_are_refused(forged):
    issue_invitation("demo-hcc")
    with pytest.raises(InvalidToken):
        read_token(forged)


def test_an_edited_token_is_refused():
    mine = issue_invitation("demo-xa-song-xanh", dossier_code="H12-0001").token
    other = issue_invitation("demo-phuong-trung-tam", dossier_code="H12-0002").token
    flipped = mine[:5] + ("A" if mine[5] != "A" else "B") + mine[6:]
    with pytest.raises(InvalidToken):
        read_token(flipped)
    with pytest.raises(InvalidToken):  # my tag, the other invitation's id: "rate another unit"
        read_token(mine[:17] + other[17:])


def test_a_row_edited_in_the_database_no_longer_matches_its_token():
    invitation = issue_invitation("demo-xa-song-xanh", dossier_code="H12-0003")
    with store.database().session() as session:
        session.get(store.SurveyInvitation, invitation.claims.invitation_id).unit = "demo-hcc"
    with pytest.raises(InvalidToken):
        read_token(invitation.token)


def test_a_token_signed_with_another_key_is_refused(monkeypatch):
    token = issue_invitation("demo-hcc").token
    monkeypatch.setenv("SURVEY_SECRET", "another-secret-of-enough-length-0123456789")
    with pytest.raises(InvalidToken):
        read_token(token)


def test_unknown_units_and_odd_dossier_codes_are_refused():
    with pytest.raises(ValueError, match="unknown unit"):
        issue_invitation("no-such-unit")
    with pytest.raises(ValueError, match="dossier code"):
        issue_invitation("demo-hcc", dossier_code="<script>")


@pytest.mark.parametrize("secret", [None, surveys.DEV_SECRET, "short"])
def test_production_refuses_a_missing_default_or_short_secret(monkeypatch, secret):
    monkeypatch.setenv("APP_ENV", "production")
    if secret is None:
        monkeypatch.delenv("SURVEY_SECRET", raising=False)
    else:
        monkeypatch.setenv("SURVEY_SECRET", secret)
    with pytest.raises(surveys.SecretNotConfigured):
        surveys.check_settings()


def test_production_accepts_a_real_secret(monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SURVEY_SECRET", "k" * 48)
    surveys.check_settings()

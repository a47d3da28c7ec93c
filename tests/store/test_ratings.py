"""Submitting ratings: one transaction with its alert, the duplicate rule, bound dossier links, and
nothing half-saved on failure."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

import store
from store import alerts, ratings
from store.ratings import AlreadyRated, RatingInput, submit_rating
from store.surveys import issue_invitation

pytestmark = pytest.mark.usefixtures("db")

GOOD = {"contacts": 2, "bodies": 2, "publicity": 2, "attitude": 2}


class BrokenAlert(store.Alert):
    """An alert whose insert fails after the rating row was flushed."""

    def __init__(self, **kwargs):
        raise RuntimeError("disk full")


def count(model) -> int:
    with store.database().session() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(model))


def rating(**overrides) -> RatingInput:
    values = dict(unit="demo-xa-song-xanh", overall="satisfied", conversation_id="c-1", citizen=dict(GOOD),
                  channel="telegram", language="vi")
    values.update(overrides)
    return RatingInput(**values)


def test_a_rating_is_stored_with_its_answers():
    result = submit_rating(rating(dossier_code="H12-1", procedure_id="dang-ky-khai-sinh",
                                  sipas={"access": 5, "officials": 4}, comment="Cán bộ nhiệt tình"))
    assert not result.updated and result.alert_id is None
    row = ratings.get_rating(result.rating_id)
    assert (row.unit, row.overall, row.citizen_attitude, row.sipas_access, row.sipas_result) == (
        "demo-xa-song-xanh", "satisfied", 2, 5, None)
    assert ratings.rating_points(row)["citizen_score"] == 8 and ratings.rating_points(row)["total"] is None


def test_same_dossier_same_sender_updates_instead_of_counting_twice():
    first = submit_rating(rating(dossier_code="H12-2", overall="dissatisfied"))
    second = submit_rating(rating(dossier_code="H12-2", overall="very_satisfied"))
    assert second.updated and second.rating_id == first.rating_id and count(store.Rating) == 1
    row = ratings.get_rating(first.rating_id)
    assert (row.overall, row.revisions, row.updated_at is not None) == ("very_satisfied", 1, True)
    # the alert raised by the first answer stays for staff (its status is theirs to change)
    assert count(store.Alert) == 1


def test_other_senders_and_visits_without_a_dossier_are_separate_ratings():
    submit_rating(rating(dossier_code="H12-3"))
    submit_rating(rating(dossier_code="H12-3", conversation_id="c-2"))
    submit_rating(rating())
    submit_rating(rating())
    assert count(store.Rating) == 4


def test_a_dossier_link_is_bound_to_the_first_sender():
    invitation = issue_invitation("demo-xa-song-xanh", dossier_code="H12-4")
    claims = invitation.claims
    submit_rating(rating(invitation_id=claims.invitation_id))
    again = submit_rating(rating(invitation_id=claims.invitation_id, overall="very_satisfied"))
    assert again.updated
    with pytest.raises(AlreadyRated):
        submit_rating(rating(invitation_id=claims.invitation_id, conversation_id="someone-else"))
    with pytest.raises(ValueError, match="invitation"):  # the link's unit, not another
        submit_rating(rating(invitation_id=claims.invitation_id, unit="demo-hcc"))
    assert count(store.Rating) == 1
    assert ratings.get_rating(again.rating_id).dossier_code == "H12-4"


def test_a_desk_link_serves_many_citizens():
    invitation = issue_invitation("demo-hcc", desk="quay-huong-dan")
    for sender in ("a", "b", "c"):
        submit_rating(rating(unit="demo-hcc", invitation_id=invitation.claims.invitation_id, conversation_id=sender))
    assert count(store.Rating) == 3


@pytest.mark.parametrize("overrides, reasons", [
    ({"overall": "dissatisfied"}, ("dissatisfied",)),
    ({"citizen": {**GOOD, "attitude": 0}}, ("abusive_treatment",)),
    ({"comment": "Cán bộ gợi ý phải bồi dưỡng thêm mới làm nhanh"}, ("abusive_treatment",)),
    ({"comment": "can bo hach dich, quat nat nguoi dan", "overall": "dissatisfied"},
     ("dissatisfied", "abusive_treatment")),
    ({"comment": "Rất tốt, cảm ơn"}, ()),
])
def test_alerts(overrides, reasons):
    result = submit_rating(rating(**overrides))
    assert result.alert_reasons == reasons
    listed = alerts.list_alerts(units=["demo-xa-song-xanh"])
    assert len(listed) == (1 if reasons else 0)
    if reasons:
        assert (listed[0].rating_id, listed[0].conversation_id, listed[0].status) == (result.rating_id, "c-1", "new")


def test_alert_handling():
    alert_id = submit_rating(rating(overall="dissatisfied")).alert_id
    alerts.update_alert(alert_id, "in_progress", "Đã gọi lại cho công dân")
    [alert] = alerts.list_alerts(status="in_progress")
    assert alert.note == "Đã gọi lại cho công dân"
    with pytest.raises(ValueError):
        alerts.update_alert(alert_id, "deleted")


def test_a_failure_while_saving_leaves_nothing_half_saved(monkeypatch):
    invitation = issue_invitation("demo-xa-song-xanh", dossier_code="H12-5")

    monkeypatch.setattr(ratings, "Alert", BrokenAlert)
    with pytest.raises(RuntimeError):
        submit_rating(rating(overall="dissatisfied", invitation_id=invitation.claims.invitation_id))
    assert count(store.Rating) == 0 and count(store.Alert) == 0
    with store.database().session() as session:
        assert session.get(store.SurveyInvitation, invitation.claims.invitation_id).used_by is None


def test_personal_data_is_kept_out_of_comments_and_only_an_offered_phone_is_stored():
    result = submit_rating(rating(comment="Gọi tôi 0912 345 678 hoặc a.b@mail.vn, CCCD 001234567890",
                                  callback_phone="0912345678"))
    row = ratings.get_rating(result.rating_id)
    assert "0912" not in row.comment and "@" not in row.comment and "001234567890" not in row.comment
    assert row.callback_phone == "0912345678"


@pytest.mark.parametrize("text, phone", [
    ("0912 345 678", "0912345678"), ("+84 912.345.678", "0912345678"), ("84912345678", "0912345678"),
    ("0203 3825 555", "02033825555"), ("12345", None), ("0112345678", None), ("gọi tôi nhé", None),
])
def test_phone_numbers(text, phone):
    assert alerts.normalise_phone(text) == phone


def test_bad_input_is_refused_before_anything_is_written():
    for bad in (rating(overall="ok"), rating(citizen={"contacts": 3}), rating(sipas={"access": 0}),
                rating(conversation_id="")):
        with pytest.raises(ValueError):
            submit_rating(bad)
    assert count(store.Rating) == 0


def test_agency_assessment_completes_the_eighteen_points():
    rating_id = submit_rating(rating(citizen={"contacts": 2, "bodies": 1, "publicity": 2, "attitude": 2})).rating_id
    ratings.record_agency_assessment(rating_id, total_time=2, step_time=2, one_stop=2, feedback=1, online=2,
                                     bodies=2)
    points = ratings.rating_points(ratings.get_rating(rating_id))
    assert points["total"] == 16 and points["resolved"]["bodies"] == 1 and points["agency"]["bodies"] == 2
    with pytest.raises(ValueError):
        ratings.record_agency_assessment(rating_id, online=3)

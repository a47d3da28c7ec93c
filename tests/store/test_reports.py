"""Report queries on a hand-made month of ratings whose figures were worked out by hand."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

import store
from store.reports import Period, compare_units, monthly_trend, unit_report

VN = dt.timezone(dt.timedelta(hours=7))
MARCH = Period.month(2026, 3)
ALL_TWO = {"contacts": 2, "bodies": 2, "publicity": 2, "attitude": 2}


def local(day: int, hour: int = 9, minute: int = 0, month: int = 3) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=VN).astimezone(dt.timezone.utc)


def add_rating(session, when, unit, overall, conversation, *, citizen=None, agency=None, dossier=None,
               procedure=None, channel="telegram", invitation=None, sipas_access=None, updated=None):
    row = store.Rating(created_at=when, updated_at=updated, unit=unit, overall=overall, conversation_id=conversation,
                       dossier_code=dossier, procedure_id=procedure, channel=channel, revisions=0,
                       invitation_id=invitation, sipas_access=sipas_access)
    for key, value in (citizen or {}).items():
        setattr(row, f"citizen_{key}", value)
    for key, value in (agency or {}).items():
        setattr(row, f"agency_{key}", value)
    session.add(row)


def add_invitation(session, when, unit, dossier=None) -> int:
    row = store.SurveyInvitation(issued_at=when, unit=unit, kind="dossier" if dossier else "desk", dossier_code=dossier)
    session.add(row)
    session.flush()
    return row.id


@pytest.fixture
def month_of_ratings(db):
    with db.session() as s:
        d1 = add_invitation(s, local(1), "demo-xa-song-xanh", "D1")
        d2 = add_invitation(s, local(2), "demo-xa-song-xanh", "D2")
        add_invitation(s, local(3), "demo-xa-song-xanh", "D9")  # never answered
        add_invitation(s, local(4), "demo-xa-song-xanh")  # a desk poster
        add_invitation(s, local(1, month=4), "demo-xa-song-xanh", "D10")  # next month
        add_rating(s, local(5), "demo-xa-song-xanh", "very_satisfied", "a", citizen=ALL_TWO, dossier="D1",
                   agency={"total_time": 2, "step_time": 2, "one_stop": 2, "feedback": 2, "online": 2},
                   procedure="dang-ky-khai-sinh", invitation=d1, sipas_access=5)  # 18 points
        add_rating(s, local(6), "demo-xa-song-xanh", "satisfied", "b", dossier="D2", channel="webchat",
                   citizen={"contacts": 2, "bodies": 1, "publicity": 2, "attitude": 1},
                   agency={"total_time": 2, "step_time": 1, "one_stop": 2, "feedback": 1, "online": 1},
                   procedure="dang-ky-khai-sinh", invitation=d2, sipas_access=4)  # 2+1+2+1+2+2+1+1+1 = 13
        add_rating(s, local(7), "demo-xa-song-xanh", "dissatisfied", "c",
                   citizen={"contacts": 0, "bodies": 0, "publicity": 1, "attitude": 0}, sipas_access=2)
        add_rating(s, local(31, 23, 30), "demo-xa-song-xanh", "very_satisfied", "f", citizen=ALL_TWO)  # last evening
        add_rating(s, local(1, 0, 10, month=4), "demo-xa-song-xanh", "dissatisfied", "g")  # April, 00:10 local
        add_rating(s, dt.datetime(2026, 2, 28, 23, 59, tzinfo=VN), "demo-xa-song-xanh", "dissatisfied", "h")
        add_rating(s, local(8), "demo-phuong-trung-tam", "satisfied", "d", citizen=ALL_TWO, dossier="D3",
                   procedure="dang-ky-ket-hon", channel="webchat")
        add_rating(s, local(9), "demo-phuong-trung-tam", "dissatisfied", "e", dossier="D3",
                   procedure="dang-ky-ket-hon", channel="webchat")  # same dossier, another sender, later
        add_rating(s, local(10), "demo-hcc", "satisfied", "i", dossier="D4")
    yield


def test_a_commune_month(month_of_ratings):
    report = unit_report("demo-xa-song-xanh", MARCH)
    assert report.units == ["demo-xa-song-xanh"]
    assert (report.issued, report.returned, str(report.response_rate)) == (4, 4, "100.00 % (4/4)")
    assert (report.dossier_issued, report.dossier_returned, str(report.dossier_response_rate)) == (
        3, 2, "66.67 % (2/3)")
    assert report.levels == {"very_satisfied": 2, "satisfied": 1, "dissatisfied": 1}
    assert str(report.sipas_index) == "75.00 % (3/4)"
    assert str(report.satisfied_dossiers) == "100.00 % (2/2)"
    assert (report.scored, report.average_score, report.grade.label) == (2, 15.5, "Xuất sắc")
    assert report.average_citizen_score == 5.75  # (8 + 6 + 1 + 8) / 4
    contacts = next(i for i in report.indicators if i.key == "contacts")
    assert (contacts.letter, contacts.citizen, contacts.citizen_average) == ("c", {2: 3, 1: 0, 0: 1}, 1.5)
    online = next(i for i in report.indicators if i.key == "online")
    assert (online.citizen, online.agency, online.agency_average) == ({}, {2: 1, 1: 1, 0: 0}, 1.5)
    assert report.sipas_aspect_levels["access"] == {1: 0, 2: 1, 3: 0, 4: 1, 5: 1}
    assert str(report.sipas_aspects["access"]) == "66.67 % (2/3)"
    procedures = {row.key: row for row in report.by_procedure}
    assert (procedures["dang-ky-khai-sinh"].returned, str(procedures["dang-ky-khai-sinh"].satisfaction),
            procedures["dang-ky-khai-sinh"].average_score) == (2, "100.00 % (2/2)", 15.5)
    assert (procedures[None].returned, str(procedures[None].satisfaction), procedures[None].average_score) == (
        2, "50.00 % (1/2)", None)
    assert {row.key: row.returned for row in report.by_channel} == {"telegram": 3, "webchat": 1}


def test_the_province_counts_everything_under_it(month_of_ratings):
    report = unit_report("demo-province", MARCH)
    assert {"demo-province", "demo-hcc", "demo-xa-song-xanh", "demo-phuong-trung-tam"} <= set(report.units)
    assert report.returned == 7
    assert report.levels == {"very_satisfied": 2, "satisfied": 3, "dissatisfied": 2}
    assert (report.sipas_index.numerator, report.sipas_index.denominator, report.sipas_index.percent) == (
        5, 7, Decimal("71.43"))
    # dossiers: D1 very, D2 satisfied, D3 (latest: dissatisfied), D4 satisfied
    assert str(report.satisfied_dossiers) == "75.00 % (3/4)"
    assert unit_report("demo-province", MARCH, include_children=False).returned == 0


def test_periods(month_of_ratings):
    assert unit_report("demo-xa-song-xanh", Period.month(2026, 4)).returned == 1
    assert unit_report("demo-xa-song-xanh", Period.quarter(2026, 1)).returned == 5  # with 28 February
    assert unit_report("demo-xa-song-xanh", Period.year(2026)).returned == 6
    assert unit_report("demo-xa-song-xanh", Period(dt.date(2026, 3, 31), dt.date(2026, 3, 31))).returned == 1
    empty = unit_report("demo-xa-doi-thong", MARCH)
    assert (empty.returned, empty.average_score, empty.grade, str(empty.sipas_index)) == (0, None, None, "– (0/0)")


def test_trend_and_ranking(month_of_ratings):
    trend = monthly_trend("demo-xa-song-xanh", 2026)
    assert [(m, n) for m, n, _ in trend if n] == [(2, 1), (3, 4), (4, 1)]
    ranking = compare_units(["demo-phuong-trung-tam", "demo-xa-song-xanh", "demo-xa-doi-thong"], MARCH)
    assert [r.unit for r in ranking] == ["demo-xa-song-xanh", "demo-phuong-trung-tam", "demo-xa-doi-thong"]


def test_bad_requests_are_refused(db):
    with pytest.raises(ValueError):
        Period(dt.date(2026, 3, 2), dt.date(2026, 3, 1))
    with pytest.raises(ValueError):
        Period.quarter(2026, 5)
    with pytest.raises(ValueError):
        Period(dt.date(1900, 1, 1), dt.date(2026, 1, 1))
    with pytest.raises(LookupError):
        unit_report("<script>", MARCH)
    assert Period.month(2026, 12) == Period(dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    assert Period.quarter(2026, 1) == Period(dt.date(2026, 1, 1), dt.date(2026, 3, 31))

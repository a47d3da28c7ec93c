"""The demo command on SQLite and PostgreSQL: marked rows, the real code paths (alerts), --reset and
--if-empty leave real data alone, and the reports over the demo data make sense."""
from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

import store
from store import demo
from store.__main__ import main as store_command
from store.demo import DemoRefused, fill_demo_data, has_demo_data, remove_demo_data, run_demo
from store.ratings import RatingInput, submit_rating
from store.reports import Period, monthly_trend, unit_report
from store.surveys import issue_invitation

TODAY = dt.date(2026, 3, 20)
MEMORY_DISK = Path("/dev/shm")


@pytest.fixture
def database_url(database_url):
    """conftest's databases, with the SQLite file on tmpfs where there is one: the demo commits once per
    rating, as the survey does, and waiting for the disk on each commit was most of these tests' time."""
    if not database_url.startswith("sqlite") or not MEMORY_DISK.is_dir():
        yield database_url
        return
    with tempfile.TemporaryDirectory(dir=MEMORY_DISK) as folder:
        yield f"sqlite:///{folder}/app.db"

SCALE = 0.25  # a quarter of the real volume keeps each fill around a second


def fill(**kwargs):
    return fill_demo_data(2, today=TODAY, scale=SCALE, **kwargs)


def rows(model):
    with store.database().session() as session:
        return list(session.scalars(select(model)))


def add_real_data():
    invitation = issue_invitation("demo-xa-song-xanh", desk="quay-2", dossier_code="H12-0001", channel="qr")
    result = submit_rating(RatingInput(unit="demo-xa-song-xanh", overall="dissatisfied", conversation_id="web-real",
                                       dossier_code="H12-0001", invitation_id=invitation.claims.invitation_id,
                                       channel="webchat", comment="Chờ quá lâu"))
    store.log_unanswered_question("Câu hỏi thật", conversation_id="web-real", unit="demo-xa-song-xanh")
    return result


def test_demo_rows_are_marked_and_realistic(db):
    summary = fill()
    assert summary.ratings > 20 and summary.alerts > 0 and summary.questions > 0
    assert (summary.start, summary.end) == (dt.date(2026, 2, 1), TODAY)

    ratings, invitations = rows(store.Rating), rows(store.SurveyInvitation)
    alerts, questions = rows(store.Alert), rows(store.UnansweredQuestion)
    assert len(ratings) == summary.ratings and len(alerts) == summary.alerts
    assert all(r.conversation_id.startswith("demo-") for r in ratings)
    assert all(a.conversation_id.startswith("demo-") for a in alerts)
    assert all(q.conversation_id.startswith("demo-") for q in questions)
    assert all(i.channel.startswith("demo-") for i in invitations)
    assert all(i.dossier_code.startswith("DEMO-") for i in invitations if i.kind == "dossier")
    assert {i.kind for i in invitations} == {"desk", "dossier"}

    # several units, all under demo-province (a parent with children)
    assert len({r.unit for r in ratings}) >= 5
    import units

    assert {r.unit for r in ratings} <= set(units.directory().descendants("demo-province")) - {"demo-province"}
    assert {r.channel for r in ratings} == {"qr", "webchat", "telegram"}
    assert {r.overall for r in ratings} == {"very_satisfied", "satisfied", "dissatisfied"}
    curated = {p.stem for p in demo.CURATED_RECORDS.glob("*.yml")}
    assert {r.procedure_id for r in ratings if r.procedure_id} <= curated
    assert any(r.agency_total_time is not None for r in ratings)
    assert any(r.citizen_attitude is not None for r in ratings)
    assert any(r.sipas_officials is not None for r in ratings)
    assert any(r.comment and "<script>" in r.comment for r in ratings)  # stored verbatim; pages escape it
    assert not any(r.comment and "0912 345 678" in r.comment for r in ratings)  # the store redacted it
    assert any(r.revisions for r in ratings) or summary.ratings < 50

    # alerts exactly as the survey raises them: every "Không hài lòng" has one, and it is the rating's
    by_rating = {a.rating_id: a for a in alerts}
    for rating in ratings:
        if rating.overall == "dissatisfied":
            assert "dissatisfied" in by_rating[rating.id].reasons
    assert any("abusive_treatment" in a.reasons for a in alerts)
    assert {a.status for a in alerts} >= {"handled"}

    # every timestamp lies in the demo's months, none in the future
    start = dt.datetime(2026, 1, 31, 17, tzinfo=dt.timezone.utc)  # 1 Feb 00:00 in Vietnam
    end = dt.datetime(2026, 3, 20, 17, tzinfo=dt.timezone.utc)
    for moment in [r.created_at for r in ratings] + [a.created_at for a in alerts] + [q.asked_at for q in questions]:
        assert start <= moment < end
    assert all(r.created_at >= i.issued_at for r in ratings for i in invitations if r.invitation_id == i.id)


def test_the_same_seed_gives_the_same_data(db):
    def snapshot():
        return sorted((r.unit, r.overall, r.created_at, r.channel, r.procedure_id, r.comment or "")
                      for r in rows(store.Rating))

    fill()
    first = snapshot()
    remove_demo_data()
    fill()
    assert snapshot() == first


def test_another_seed_plans_other_data():
    import random

    import units

    def plan(seed):
        data = demo._data()
        unit_list = [(units.directory().units[code], profile) for code, profile in data["units"].items()]
        now = dt.datetime(2026, 3, 20, 16, tzinfo=dt.timezone.utc)
        return [(v.unit, v.when, v.overall) for v in demo._plan(random.Random(seed), data, unit_list,
                                                                 [(2026, 2), (2026, 3)], TODAY, now, SCALE)]

    assert plan(1) == plan(1) and plan(1) != plan(2)


def test_reset_and_remove_touch_only_demo_rows(db):
    real = add_real_data()
    assert not has_demo_data()
    fill()
    assert has_demo_data()
    message = run_demo(2, reset=True, today=TODAY, scale=SCALE)
    assert message.startswith("removed earlier demo data")
    removed = remove_demo_data()
    assert removed["ratings"] > 0 and removed["alerts"] > 0
    assert not has_demo_data()
    ratings, alerts = rows(store.Rating), rows(store.Alert)
    assert [r.conversation_id for r in ratings] == ["web-real"]
    assert [a.rating_id for a in alerts] == [real.rating_id]
    assert [i.dossier_code for i in rows(store.SurveyInvitation)] == ["H12-0001"]
    assert [q.text for q in rows(store.UnansweredQuestion)] == ["Câu hỏi thật"]


def test_if_empty_and_refusals(db, monkeypatch, capsys):
    add_real_data()
    assert run_demo(2, if_empty=True) == "the database already has ratings: no demo data added"
    assert not has_demo_data()
    fill()
    with pytest.raises(DemoRefused, match="--reset"):
        run_demo(2)  # a second fill would double the demo
    with pytest.raises(ValueError, match="months"):
        run_demo(0, reset=True)
    assert has_demo_data()  # a refused command removed nothing

    monkeypatch.setenv("APP_ENV", "production")
    with pytest.raises(DemoRefused, match="production"):
        run_demo(2, reset=True)
    assert store_command(["demo", "--reset"]) == 1
    assert "--force" in capsys.readouterr().err
    assert has_demo_data()


def test_if_empty_fills_an_empty_database_from_the_command(db, capsys, monkeypatch):
    monkeypatch.setattr(demo, "fill_demo_data", lambda months, seed, today, scale: fill_demo_data(
        months, seed=seed, today=TODAY, scale=SCALE))
    assert store_command(["demo", "--if-empty", "--months", "2"]) == 0
    assert "demo data for 7 units" in capsys.readouterr().out
    assert has_demo_data()


def test_reports_over_demo_data_are_sane(db):
    summary = fill()
    period = Period(dt.date(2026, 2, 1), TODAY)
    report = unit_report("demo-province", period)  # the parent adds up its children
    assert report.returned == summary.ratings
    assert sum(report.levels.values()) == report.returned
    assert 0 < report.response_rate.percent <= 100
    assert 0 < report.dossier_response_rate.percent < 100
    assert 60 <= report.sipas_index.percent < 100
    assert report.satisfied_dossiers.denominator > 0
    assert report.scored > 0 and 9 <= report.average_score <= 18 and report.grade is not None
    assert {g.key for g in report.by_channel} == {"qr", "webchat", "telegram"}
    assert sum(g.returned for g in report.by_procedure) == report.returned
    assert all(rate.denominator > 0 for rate in report.sipas_aspects.values())

    child = unit_report("demo-phuong-trung-tam", period)
    assert 0 < child.returned < report.returned
    trend = {month: returned for month, returned, _ in monthly_trend("demo-province", 2026)}
    assert trend[2] > 0 and trend[3] > 0 and trend[1] == trend[4] == 0
    with store.database().session() as session:
        demo_questions = session.scalar(select(func.count()).select_from(store.UnansweredQuestion))
    assert demo_questions == summary.questions

"""The application database: unanswered questions."""
from __future__ import annotations

import pytest

import store


@pytest.fixture(autouse=True)
def database(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'app.db'}")
    store.reset_database()
    yield
    store.reset_database()


def test_tables_are_created_on_first_use_and_questions_listed_newest_first():
    first = store.log_unanswered_question("câu hỏi 1", channel="rest", unit="demo-hcc")
    second = store.log_unanswered_question("câu hỏi 2", channel="telegram", unit="demo-xa-song-xanh",
                                           reason="left_for_staff", candidates=["a", "b"])
    rows = store.recent_unanswered_questions()
    assert [r.id for r in rows] == [second, first]
    assert (rows[0].reason, rows[0].candidates, rows[0].asked_at is not None) == ("left_for_staff", "a,b", True)
    assert [r.text for r in store.recent_unanswered_questions(unit="demo-hcc")] == ["câu hỏi 1"]


def test_long_text_and_metadata_are_truncated_not_refused():
    store.log_unanswered_question("x" * 20_000, channel="c" * 500)
    [row] = store.recent_unanswered_questions()
    assert len(row.text) == 4000 and len(row.channel) == 64


def test_relative_sqlite_path_is_under_the_repository(monkeypatch, tmp_path):
    from store.db import REPO_ROOT, Database

    database = Database("sqlite:///var/test-relative.db")
    try:
        assert database.url.database == str(REPO_ROOT / "var" / "test-relative.db")
    finally:
        database.engine.dispose()

"""The unanswered-question log, on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest

import store

pytestmark = pytest.mark.usefixtures("db")


def test_questions_are_listed_newest_first_and_by_unit():
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


def test_relative_sqlite_path_is_under_the_repository():
    from store.db import REPO_ROOT, Database

    database = Database("sqlite:///var/test-relative.db")
    try:
        assert database.url.database == str(REPO_ROOT / "var" / "test-relative.db")
    finally:
        database.engine.dispose()

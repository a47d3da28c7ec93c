"""The laptop default's SQLite file on a disk that fills up: a real 1 MB tmpfs mounted for the test (root
only), filled until the kernel answers ENOSPC. The survey's submit action tells the citizen the rating
was not saved (and offers "Gửi lại"), nothing half-written remains, the ratings committed before are
intact, and once space is freed the same answers are saved — once."""
from __future__ import annotations

import asyncio
import errno
import os
import subprocess

import pytest
import sqlalchemy as sa
import yaml
from rasa_sdk.executor import CollectingDispatcher

from bench.production_stack import REPO_ROOT

SURVEY = {"survey_unit": "demo-xa-song-xanh", "survey_dossier": "H12-DISK-1", "survey_procedure": "dang-ky-khai-sinh",
          "survey_contacts": "1", "survey_bodies": "1", "survey_publicity": "full", "survey_attitude": "good",
          "survey_overall": "satisfied", "survey_more": "no", "survey_comment": "Ghi chú " + "x" * 1500,
          "channel": "webchat", "language": "vi", "unit": "demo-xa-song-xanh"}


@pytest.fixture
def small_disk(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    mount = tmp_path / "disk"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


def fill(path) -> int:
    """Write zeros to `path` until the disk is full; returns the bytes written."""
    written = 0
    with open(path, "wb", buffering=0) as filler:
        block = b"\0" * 4096
        while True:
            try:
                written += filler.write(block)
            except OSError as error:
                assert error.errno == errno.ENOSPC
                return written


def submit(sender: str):
    from action_helpers_production import make_tracker

    from actions import survey

    domain = yaml.safe_load((REPO_ROOT / "domain.yml").read_text(encoding="utf-8"))
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(SURVEY, sender)
    events = asyncio.run(survey.ActionSubmitSurvey().run(dispatcher, tracker, domain))
    return [m.get("response") for m in dispatcher.messages], events


def test_a_full_disk_loses_no_rating_and_service_resumes_when_space_is_freed(small_disk, monkeypatch):
    import store

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{small_disk / 'app.db'}")
    monkeypatch.delenv("APP_ENV", raising=False)
    store.reset_database()
    try:
        said, _ = submit("web-before-the-disk-filled-1")
        assert said == ["utter_survey_thanks"]
        fill(small_disk / "filler")

        said, events = submit("web-while-the-disk-is-full")
        assert said == ["utter_survey_not_saved"]  # "chưa lưu được … bấm Gửi lại", with the unit's hotline
        assert {"event": "slot", "name": "survey_paused", "value": True, "timestamp": None} in events

        store.reset_database()  # a fresh connection, as another process would open
        with store.database().session() as session:
            assert session.scalar(sa.text("pragma integrity_check")) == "ok"
            senders = session.scalars(sa.select(store.Rating.conversation_id)).all()
        assert senders == ["web-before-the-disk-filled-1"]  # committed before: intact; the failed one: absent

        (small_disk / "filler").unlink()
        said, _ = submit("web-while-the-disk-is-full")  # "Gửi lại": the same answers
        assert said == ["utter_survey_thanks"]
        with store.database().session() as session:
            rows = session.scalars(sa.select(store.Rating).order_by(store.Rating.id)).all()
        print(f"\n[disk full] submissions confirmed: 2; rows stored: {len(rows)}")
        assert [(r.conversation_id, r.revisions) for r in rows] == [
            ("web-before-the-disk-filled-1", 0), ("web-while-the-disk-is-full", 0)]
    finally:
        store.reset_database()

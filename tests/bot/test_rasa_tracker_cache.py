"""bot/rasa_tracker_cache.py: a conversation lent back live is exactly the tracker Rasa's store would
rebuild (in memory from its JSON; SQL from its rows, on SQLite and on the real PostgreSQL server), and is
never lent twice. Runs in the Rasa environment (a subprocess), where the patched Rasa lives."""
from __future__ import annotations

import json
import os
import subprocess
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot import rasa_tracker_cache

REPO = Path(__file__).resolve().parents[2]
RASA_PYTHON = REPO / ".venvs" / "rasa" / "bin" / "python"

_SCENARIOS = r"""
import asyncio, json, os
from rasa.core.tracker_store import InMemoryTrackerStore, SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered, BotUttered

backend = os.environ["BACKEND"]
domain = Domain.load("domain.yml")
if backend == "memory":
    store = InMemoryTrackerStore(domain)
elif backend == "sqlite":
    store = SQLTrackerStore(domain, dialect="sqlite", db=os.environ["SQLITE_FILE"])
else:
    store = SQLTrackerStore(domain, dialect="postgresql", host="127.0.0.1", port=5432, db="test",
                            username="postgres", query={"options": "-csearch_path=" + os.environ["SCHEMA"]})
rebuild = type(store)._retrieve  # Rasa's own, kept before the patch
rasa_query = getattr(type(store), "_event_query", None)
from bot import rasa_tracker_cache
rasa_tracker_cache.install_session_query()
rasa_tracker_cache.install()
log = []

def same(a, b):
    return (a.as_dialogue().as_dict() == b.as_dialogue().as_dict() and a.current_state() == b.current_state()
            and {k: v.value for k, v in a.slots.items()} == {k: v.value for k, v in b.slots.items()}
            and a.active_loop == b.active_loop and a.latest_message.text == b.latest_message.text)

async def check(step, *, lent_expected, previous=None, all_sessions=False):
    got = await store._retrieve("citizen", all_sessions)
    expected = await rebuild(store, "citizen", all_sessions)
    rows_equal = True
    if rasa_query is not None:  # SQL: the session's rows found as Rasa's query finds them, in order
        with store.session_scope() as session:
            for every in (False, True):
                rows_equal &= ([e.id for e in store._event_query(session, "citizen", every)]
                               == [e.id for e in rasa_query(store, session, "citizen", every)])
    log.append({"step": step, "equal": same(got, expected) and rows_equal, "lent": got is previous,
                "lent_expected": lent_expected, "events": len(got.events)})
    return got

def turn(tracker, text, reply, language=None):
    tracker.update(UserUttered(text, {"name": "ask_procedure", "confidence": 0.9}))
    if language:
        tracker.update(SlotSet("language", language))
    tracker.update(ActionExecuted("action_answer"))
    tracker.update(BotUttered(reply))
    tracker.update(ActionExecuted("action_listen"))

async def main():
    assert await store._retrieve("citizen", False) is None
    tracker = store.init_tracker("citizen")
    for event in (ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")):
        tracker.update(event)
    turn(tracker, "xin chào", "Xin chào")
    await store.save(tracker)
    # SQL: Rasa reads a session from its SessionStarted row on, so the action_session_start row written
    # before it is not read back, and the new conversation's first read is Rasa's rebuild
    t = await check("after a save", lent_expected=backend == "memory", previous=tracker)
    for n in range(30):
        turn(t, f"câu hỏi {n}", f"trả lời {n}", language="en" if n % 7 == 3 else None)
        if n == 12:
            await store.save(t)  # the same tracker saved twice in one turn (Rasa saves, then saves again)
        await store.save(t)
        t = await check(f"turn {n}", lent_expected=True, previous=t)
    # a second read before the next save (an API read) gets Rasa's rebuilt tracker
    second = await check("read twice", lent_expected=False, previous=t)
    assert second is not t
    turn(t, "thế phí bao nhiêu", "phí ...")  # the first reader's turn goes on and is saved
    await store.save(t)
    t = await check("after the first reader saved", lent_expected=True, previous=t)
    # a turn that fails halfway: its events were never saved and must not be seen
    t.update(UserUttered("lỗi giữa chừng", {"name": "ask_procedure", "confidence": 0.9}))
    t = await check("after an unsaved turn", lent_expected=False, previous=t)
    await store.save(t)
    await check("all sessions", lent_expected=False, previous=t, all_sessions=True)  # read only: nothing lent
    t = await check("after a read of all sessions", lent_expected=True, previous=t)
    # a new session: Rasa gives the last session only, through its own path
    for event in (ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")):
        t.update(event)
    turn(t, "xin chào lại", "Xin chào")
    await store.save(t)
    t2 = await check("a second session", lent_expected=False, previous=t)
    await store.save(t2)
    await check("within the second session", lent_expected=True, previous=t2)

asyncio.run(main())
print(json.dumps(log))
"""


POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def store_env(request, tmp_path):
    if request.param != "postgresql":
        yield {"BACKEND": request.param, "SQLITE_FILE": str(tmp_path / "rasa.db")}
        return
    schema = f"test_{uuid.uuid4().hex[:12]}"
    try:
        admin = sa.create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        with admin.begin() as connection:
            connection.execute(sa.text(f'create schema "{schema}"'))
    except Exception as error:
        pytest.skip(f"no PostgreSQL server answers at {POSTGRES_URL} ({type(error).__name__})")
    try:
        yield {"BACKEND": "postgresql", "SCHEMA": schema}
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'drop schema "{schema}" cascade'))
        admin.dispose()


@pytest.mark.skipif(not RASA_PYTHON.exists(), reason="the Rasa environment is not set up")
def test_a_live_tracker_is_what_rasa_would_rebuild_and_is_lent_once(store_env):
    done = subprocess.run([str(RASA_PYTHON), "-c", _SCENARIOS], capture_output=True, text=True, cwd=REPO,
                          timeout=600, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), **store_env,
                                            "TF_CPP_MIN_LOG_LEVEL": "3", "RASA_TELEMETRY_ENABLED": "false"})
    assert done.returncode == 0, done.stderr[-3000:]
    steps = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(steps) == 38
    for step in steps:
        assert step["equal"], step
        assert step["lent"] == step["lent_expected"], step


@pytest.mark.parametrize("value, expected", [(None, True), ("1", True), ("0", False)])
def test_the_setting_comes_from_the_environment(value, expected):
    assert rasa_tracker_cache.enabled({} if value is None else {"RASA_LIVE_TRACKERS": value}) is expected


def test_a_wrong_setting_is_refused_with_its_name():
    with pytest.raises(ValueError, match="RASA_LIVE_TRACKERS"):
        rasa_tracker_cache.enabled({"RASA_LIVE_TRACKERS": "yes"})

"""What reading and saving one conversation costs Rasa's tracker stores as the conversation grows, with
the live trackers of bot/rasa_tracker_cache.py and with Rasa's own rebuild, side by side in one
process: the in-memory store (laptop), SQL on SQLite, and SQL on the PostgreSQL server (production).
Prints p50 ms of a turn's retrieve + save at a few conversation lengths and the ratio; it never fails
on a stopwatch. Runs in Rasa's environment:

    .venvs/rasa/bin/python bench/tracker_store.py                # 200 turns, ~1 minute
    .venvs/rasa/bin/python bench/tracker_store.py --turns 60 --reps 5

A turn here is six events (user message with intent, a slot now and then, the action, the bot's
reply, action_listen), as a question turn of this assistant writes. "Rasa's rebuild" is the same
patched store with its live tracker dropped before the read, so both go through the same code but
for the lending. PostgreSQL: TEST_POSTGRES_URL's server (default 127.0.0.1:5432, database test, user
postgres), in a schema of its own that is dropped at the end; skipped when no server answers.
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")


def stores(tmp: Path):
    import sqlalchemy as sa
    from rasa.core.tracker_store import InMemoryTrackerStore, SQLTrackerStore
    from rasa.shared.core.domain import Domain

    domain = Domain.load(str(REPO / "domain.yml"))
    yield "in memory (laptop)", InMemoryTrackerStore(domain)
    yield "SQL on SQLite", SQLTrackerStore(domain, dialect="sqlite", db=str(tmp / "rasa.db"))
    url = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test").replace("+psycopg", "")
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    try:
        admin = sa.create_engine(url, connect_args={"connect_timeout": 3})
        with admin.begin() as connection:
            connection.execute(sa.text(f'create schema "{schema}"'))
    except Exception as error:  # no server: say so and go on
        print(f"SQL on PostgreSQL: skipped, no server answers at {url} ({type(error).__name__})")
        return
    try:
        parsed = sa.engine.make_url(url)
        yield "SQL on PostgreSQL (production)", SQLTrackerStore(
            domain, dialect="postgresql", host=parsed.host, port=parsed.port or 5432, db=parsed.database,
            username=parsed.username, password=parsed.password, query={"options": f"-csearch_path={schema}"})
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'drop schema "{schema}" cascade'))
        admin.dispose()


def turn(tracker, n: int) -> None:
    from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered

    tracker.update(UserUttered(f"câu hỏi số {n} về thủ tục làm căn cước", {"name": "ask_procedure", "confidence": 0.9},
                               parse_data={"intent": {"name": "ask_procedure", "confidence": 0.9}, "entities": [],
                                           "text": f"câu hỏi số {n}"}, metadata={"channel": "webchat", "unit": "x"}))
    if n % 3 == 0:
        tracker.update(SlotSet("procedure_id", f"proc-{n}"))
    tracker.update(ActionExecuted("action_answer"))
    tracker.update(BotUttered("Thủ tục … " * 20, {"buttons": [{"title": "Phí", "payload": "/ask_aspect"}]}))
    tracker.update(ActionExecuted("action_listen"))


async def measure(store, turns: int, reps: int, checkpoints: list[int]) -> list[tuple[int, float, float, int]]:
    from rasa.shared.core.events import ActionExecuted, SessionStarted

    sender = f"bench-{uuid.uuid4().hex[:8]}"
    tracker = store.init_tracker(sender)
    for event in (ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")):
        tracker.update(event)
    await store.save(tracker)
    tracker = await store.retrieve(sender)
    rows = []
    for n in range(1, turns + 1):
        turn(tracker, n)
        await store.save(tracker)
        tracker = await store.retrieve(sender)
        if n in checkpoints:
            live, rebuilt = [], []
            for _ in range(reps):  # interleaved: a change in the machine's load hits both alike
                for samples, drop in ((live, False), (rebuilt, True)):
                    if drop:
                        store.__dict__.get("_live_trackers", {}).pop(sender, None)
                    start = time.perf_counter()
                    tracker = await store.retrieve(sender)
                    await store.save(tracker)
                    samples.append(time.perf_counter() - start)
            tracker = await store.retrieve(sender)
            rows.append((n, statistics.median(live) * 1000, statistics.median(rebuilt) * 1000, len(tracker.events)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--reps", type=int, default=15)
    args = parser.parse_args()
    import rasa

    from bot import rasa_tracker_cache

    rasa_tracker_cache.install_session_query()
    rasa_tracker_cache.install()
    checkpoints = sorted({c for c in (1, 20, 50, 100, 200, args.turns) if c <= args.turns})
    print(f"tracker store benchmark, {dt.datetime.now():%Y-%m-%dT%H:%M}, Rasa {rasa.__version__}, "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; a turn's retrieve + save, p50 of {args.reps}")
    with tempfile.TemporaryDirectory() as tmp:
        for name, store in stores(Path(tmp)):
            print(f"\n== {name}")
            print(f"{'turns':>6} {'events':>7} {'live ms':>9} {'Rasa rebuild ms':>16} {'live / rebuild':>15}")
            for n, live, rebuilt, events in asyncio.run(measure(store, args.turns, args.reps, checkpoints)):
                print(f"{n:>6} {events:>7} {live:>9.2f} {rebuilt:>16.2f} {live / rebuilt:>15.2f}")
    print(f"\nload average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()

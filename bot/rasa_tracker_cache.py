"""Keeps conversations live between turns instead of re-reading them from the tracker store.

Rasa 3.6's `InMemoryTrackerStore` keeps each conversation as JSON and, at every message, parses it
and replays every event into a new tracker (`deserialise_tracker`), then splits it into sessions:
~20-30 ms of a turn at the 200th turn of one conversation, growing with its length. Here `save`
still writes the same JSON (so everything that reads the store sees what Rasa would) and also keeps
the tracker object it was given; the next `retrieve` of that conversation lends that object back
instead of rebuilding it, when it is exactly what Rasa would rebuild:

- nothing was added to it since it was saved (same number of events) and the stored JSON is still
  the one written with it;
- it holds one conversation session (otherwise Rasa returns the last session only: its own path);
- it is lent once per save: a second `retrieve` before the next `save` (an API read, a turn that
  failed halfway) gets Rasa's rebuilt tracker, so no two callers share an object and events of a
  turn that was never saved are never seen.

The production profile's SQL tracker store (PostgreSQL, shared by the replicas) reads the session's
rows, parses each and replays them at every message. There `save` still inserts the new rows as Rasa
does (after counting the session's stored rows, as Rasa does); when no new session started among the
rows it added, the tracker holds exactly the session's rows, and the conversation's row count and
highest row id are noted (an index lookup). `retrieve` asks for those two figures again and lends the
tracker back only when they are unchanged (so another replica's turn or rows removed lead to Rasa's
own rebuild), under the same once-per-save rule.

Rasa's SQL query for a session's rows puts the session's start (the latest SessionStarted row's
timestamp) in a subquery joined to every row; PostgreSQL, seeing few rows in its statistics (a new
table, a new deployment), runs that subquery once per row: 51 ms for the count of an 870-event
session, quadratic in its length. `install_session_query` looks the start up first (one index scan)
and filters the rows by it: the same rows, in the same order.

Both are installed by `bot.rasa_server.install()`: the session query always, the live trackers when
`RASA_LIVE_TRACKERS` is not 0 (default on), and not for a store with an event broker (its `save`
reads the store itself).
"""
from __future__ import annotations

import os
from typing import Any, Callable, Dict


def enabled(env: Dict[str, str] | None = None) -> bool:
    """RASA_LIVE_TRACKERS: 1 (default) keeps trackers live between turns, 0 leaves Rasa's way."""
    value = (os.environ if env is None else env).get("RASA_LIVE_TRACKERS", "1").strip()
    if value not in ("0", "1"):
        raise ValueError(f"RASA_LIVE_TRACKERS must be 0 or 1, not {value}")
    return value == "1"


def _one_session(tracker: Any) -> bool:
    """The condition under which Rasa's in-memory _retrieve returns the rebuilt tracker whole."""
    from rasa.shared.core import events
    from rasa.shared.core.constants import ACTION_SESSION_START_NAME

    return len(events.split_events(tracker.events, events.ActionExecuted, {"action_name": ACTION_SESSION_START_NAME},
                                   include_splitting_event=True)) <= 1


def _keep(store: Any, tracker: Any, mark: Any) -> None:
    """Note the tracker just saved, with what shows the store still holds what was saved (`mark`)."""
    store.__dict__.setdefault("_live_trackers", {})[tracker.sender_id] = (tracker, len(tracker.events), mark)


def _lend(store: Any, sender_id: str, still_saved: Callable[[Any], bool]) -> Any:
    """The conversation's saved tracker if it is still what Rasa would rebuild, else None. Lent once:
    the next caller before a save gets Rasa's rebuild."""
    live = store.__dict__.get("_live_trackers")
    entry = live.pop(sender_id, None) if live else None
    if entry is None:
        return None
    tracker, count, mark = entry
    return tracker if len(tracker.events) == count and _one_session(tracker) and still_saved(mark) else None


def install() -> None:
    from rasa.core.tracker_store import InMemoryTrackerStore

    original_save = InMemoryTrackerStore.save
    original_retrieve = InMemoryTrackerStore._retrieve

    async def save(self: Any, tracker: Any) -> None:
        await original_save(self, tracker)
        if self.event_broker is None:
            _keep(self, tracker, self.store[tracker.sender_id])  # the JSON written for it

    async def _retrieve(self: Any, sender_id: str, fetch_all_sessions: bool) -> Any:
        if not fetch_all_sessions:
            tracker = _lend(self, sender_id, lambda stored: self.store.get(sender_id) is stored)
            if tracker is not None:
                return tracker
        return await original_retrieve(self, sender_id, fetch_all_sessions)

    InMemoryTrackerStore.save = save
    InMemoryTrackerStore._retrieve = _retrieve
    _install_for_sql()


def _install_for_sql() -> None:
    import itertools

    import sqlalchemy as sa
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.events import SessionStarted

    original_save = SQLTrackerStore.save
    original_retrieve = SQLTrackerStore._retrieve

    def _additional_events(self: Any, session: Any, tracker: Any) -> Any:
        # Rasa's own (it stores the events past the rows its latest session has), noting that count
        stored = self._event_query(session, tracker.sender_id, fetch_events_from_all_sessions=False).count()
        self.__dict__.setdefault("_session_rows", {})[tracker.sender_id] = stored
        return itertools.islice(tracker.events, stored, len(tracker.events))

    def rows_of(self: Any, sender_id: str) -> tuple:
        """How many rows the conversation has and the highest row id (an index lookup)."""
        with self.session_scope() as session:
            count, last = session.query(sa.func.count(self.SQLEvent.id), sa.func.max(self.SQLEvent.id)).filter(
                self.SQLEvent.sender_id == sender_id).one()
        return int(count), last

    async def save(self: Any, tracker: Any) -> None:
        await original_save(self, tracker)
        stored = self.__dict__.get("_session_rows", {}).pop(tracker.sender_id, None)
        if self.event_broker is None and stored is not None:
            # the rows of the latest session were the tracker's first `stored` events (Rasa's save relies
            # on it) and the rest were just added, so they are all of the tracker's events, unless a new
            # session started among those added (then Rasa reads from that SessionStarted row on)
            added = itertools.islice(tracker.events, stored, None)
            if not any(isinstance(event, SessionStarted) for event in added):
                _keep(self, tracker, rows_of(self, tracker.sender_id))

    async def _retrieve(self: Any, sender_id: str, fetch_events_from_all_sessions: bool) -> Any:
        if not fetch_events_from_all_sessions:
            # nobody (another replica, a clean-up) wrote or removed this conversation's rows since
            tracker = _lend(self, sender_id, lambda rows: rows_of(self, sender_id) == rows)
            if tracker is not None:
                return tracker
        return await original_retrieve(self, sender_id, fetch_events_from_all_sessions)

    SQLTrackerStore._additional_events = _additional_events
    SQLTrackerStore.save = save
    SQLTrackerStore._retrieve = _retrieve


def install_session_query() -> None:
    """The SQL store finds a session's rows with the session's start looked up first (see above)."""
    import sqlalchemy as sa
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.events import SessionStarted

    def _event_query(self: Any, session: Any, sender_id: str, fetch_events_from_all_sessions: bool) -> Any:
        # Rasa's rows, with the latest session's start looked up first instead of inside the query
        query = session.query(self.SQLEvent).filter(self.SQLEvent.sender_id == sender_id)
        if not fetch_events_from_all_sessions:
            start = session.query(sa.func.max(self.SQLEvent.timestamp)).filter(
                self.SQLEvent.sender_id == sender_id, self.SQLEvent.type_name == SessionStarted.type_name).scalar()
            if start is not None:
                query = query.filter(self.SQLEvent.timestamp >= start)
        return query.order_by(self.SQLEvent.id)

    SQLTrackerStore._event_query = _event_query

"""action_session_start and action_track_context: channel metadata and language on the tracker."""
from __future__ import annotations

import asyncio

from rasa_sdk.events import ActionExecuted, SessionStarted, SlotSet

from actions.session import ActionSessionStart, ActionTrackContext

from action_helpers import make_tracker


def test_session_start_keeps_the_channel_metadata(dispatcher, domain):
    metadata = {"channel": "telegram", "unit": "demo-xa-song-xanh", "desk": "quay-1", "language": "en"}
    tracker = make_tracker(None, slots={"session_started_metadata": metadata})
    events = asyncio.run(ActionSessionStart().run(dispatcher, tracker, domain))
    assert events[0] == SessionStarted()
    assert events[-1] == ActionExecuted("action_listen")
    assert {e["name"]: e["value"] for e in events if e["event"] == "slot"} == {
        "channel": "telegram", "unit": "demo-xa-song-xanh", "desk": "quay-1", "language": "en",
        "declared_language": "en"}


def test_session_start_without_metadata_uses_defaults(dispatcher, domain):
    events = asyncio.run(ActionSessionStart().run(dispatcher, make_tracker(None), domain))
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert slots["unit"] == "demo-hcc" and slots["language"] == "vi" and slots["channel"] == "rest"


def test_each_message_updates_unit_and_language(dispatcher, domain):
    tracker = make_tracker("how do I get a passport", metadata={"unit": "demo-phuong-trung-tam"},
                           slots={"unit": "demo-hcc", "language": "vi", "channel": "citizen"})
    events = asyncio.run(ActionTrackContext().run(dispatcher, tracker, domain))
    assert SlotSet("unit", "demo-phuong-trung-tam") in events
    assert SlotSet("language", "en") in events
    assert all(e["event"] == "slot" for e in events)


def test_unknown_unit_and_odd_metadata_are_ignored(dispatcher, domain):
    tracker = make_tracker("xin chào", metadata={"unit": "no-such-unit", "desk": {"x": 1}},
                           slots={"unit": "demo-xa-song-xanh", "language": "vi"})
    events = asyncio.run(ActionTrackContext().run(dispatcher, tracker, domain))
    assert not any(e["name"] in ("unit", "desk") for e in events)


def test_a_short_message_keeps_the_language(dispatcher, domain):
    tracker = make_tracker("ok", slots={"language": "en"})
    events = asyncio.run(ActionTrackContext().run(dispatcher, tracker, domain))
    assert SlotSet("language", "vi") not in events


def test_a_language_switch_on_the_channel_takes_effect_at_once(dispatcher, domain):
    # the widget's English switch: the next message is a button payload, which tells no language
    tracker = make_tracker("/choose_aspect", metadata={"language": "en"},
                           slots={"language": "vi", "declared_language": "vi"})
    events = asyncio.run(ActionTrackContext().run(dispatcher, tracker, domain))
    assert SlotSet("language", "en") in events and SlotSet("declared_language", "en") in events


def test_an_unchanged_declared_language_does_not_override_the_conversation(dispatcher, domain):
    # a Telegram user whose app is in English but who chats in Vietnamese, then types "ok"
    tracker = make_tracker("ok", metadata={"language": "en"}, slots={"language": "vi", "declared_language": "en"})
    events = asyncio.run(ActionTrackContext().run(dispatcher, tracker, domain))
    assert SlotSet("language", "en") not in events


def test_what_the_citizen_writes_beats_a_switch(dispatcher, domain):
    tracker = make_tracker("làm căn cước ở đâu", metadata={"language": "en"},
                           slots={"language": "vi", "declared_language": "vi"})
    events = asyncio.run(ActionTrackContext().run(dispatcher, tracker, domain))
    assert SlotSet("language", "en") not in events

"""Conversation context: which channel, unit, desk and language a conversation belongs to.

Set at session start from the first message's metadata and refreshed on every message by
`action_track_context` (the custom slot mapping of those slots), so every reply can use them.
"""
from __future__ import annotations

from typing import Any, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

import units

from .language import SUPPORTED, VIETNAMESE, detect_language

CONTEXT_SLOTS = ("channel", "unit", "desk", "language")
_MAX_VALUE = 64


def _clean(value: Any) -> Optional[str]:
    if isinstance(value, str) and value.strip():
        return value.strip()[:_MAX_VALUE]
    return None


def context_from(metadata: Optional[dict], tracker: Tracker, text: Optional[str], *,
                 declared_first: bool = False) -> dict[str, Optional[str]]:
    """The context slots for this message: metadata wins, then what the conversation had.

    Language: what the citizen writes decides; when the text does not tell ("ok", a button), the
    conversation's language stays, and the channel's declared language (metadata) comes next — or
    first at the start of a session and when it changed (the citizen pressed a language switch)."""
    metadata = metadata if isinstance(metadata, dict) else {}
    directory = units.directory()
    unit = _clean(metadata.get("unit"))
    if unit not in directory:
        unit = tracker.get_slot("unit") if tracker.get_slot("unit") in directory else directory.default_code
    said = detect_language(text)
    declared = (_clean(metadata.get("language")) or "")[:2].lower()
    current = tracker.get_slot("language")
    switched = declared in SUPPORTED and declared != tracker.get_slot("declared_language")
    order = [said, declared, current] if declared_first or switched else [said, current, declared]
    language = next((lang for lang in order if lang in SUPPORTED), VIETNAMESE)
    return {
        "channel": _clean(metadata.get("channel")) or tracker.get_slot("channel")
        or _clean(tracker.get_latest_input_channel()),
        "unit": unit,
        "desk": _clean(metadata.get("desk")) or tracker.get_slot("desk"),
        "language": language,
        "declared_language": declared if declared in SUPPORTED else tracker.get_slot("declared_language"),
    }


class ActionSessionStart(Action):
    def name(self) -> str:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        metadata = tracker.get_slot("session_started_metadata") or {}
        context = context_from(metadata, tracker, None, declared_first=True)
        events: list[EventType] = [SessionStarted()]
        events += [SlotSet(name, value) for name, value in context.items()]
        events.append(ActionExecuted("action_listen"))
        return events


class ActionTrackContext(Action):
    """Runs after every user message (custom slot mapping) and updates the context slots."""

    def name(self) -> str:
        return "action_track_context"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        message = tracker.latest_message or {}
        context = context_from(message.get("metadata"), tracker, message.get("text"))
        return [SlotSet(name, value) for name, value in context.items() if tracker.get_slot(name) != value]

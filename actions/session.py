"""Conversation context: which channel, unit, desk and language a conversation belongs to.

Set at session start from the first message's metadata and refreshed on every message, so every reply
can use them: by `action_track_context` (the custom slot mapping of those slots, one more action-server
call) for the turns Rasa answers from the domain alone, and by the action itself (`keeps_context`) for
the turns an action answers anyway: questions, fallback and handoff (`CONTEXT_IN_ACTION_INTENTS`, the
mapping's `not_intent` in domain.yml).
"""
from __future__ import annotations

import functools
from typing import Any, Awaitable, Callable, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

import units

from . import messages
from .language import SUPPORTED, VIETNAMESE, detect_language

CONTEXT_SLOTS = ("channel", "unit", "desk", "language")
# Turns whose rule runs an action that keeps the context itself; Rasa skips action_track_context for
# them (the `not_intent` of the context slots' mapping in domain.yml, which a test keeps equal to this).
CONTEXT_IN_ACTION_INTENTS = ("ask_procedure", "ask_aspect", "choose_procedure", "out_of_scope", "nlu_fallback",
                             "request_human")
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


def update_context(tracker: Tracker) -> list[EventType]:
    """The context slots the latest message changes, as events for Rasa; also applied to this request's
    tracker, so that what the action reads and says already uses them."""
    message = tracker.latest_message or {}
    context = context_from(message.get("metadata"), tracker, message.get("text"))
    changed = {name: value for name, value in context.items() if tracker.get_slot(name) != value}
    tracker.slots.update(changed)
    return [SlotSet(name, value) for name, value in changed.items()]


Run = Callable[[Any, CollectingDispatcher, Tracker, dict], Awaitable[list[EventType]]]


def keeps_context(run: Run) -> Run:
    """For an action's `run`: bring the context up to date first (a no-op when action_track_context
    already did this turn). When that switches the language, the action's messages are rendered here,
    because Rasa would render them with the tracker as it was before this action's events."""

    @functools.wraps(run)
    async def run_with_context(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: dict) -> list[EventType]:
        context_events = update_context(tracker)
        first = len(dispatcher.messages)
        events = await run(self, dispatcher, tracker, domain)
        if any(event.get("name") == "language" for event in context_events):
            messages.render_here(dispatcher.messages[first:], domain, tracker.slots)
        return context_events + list(events or [])

    return run_with_context


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
    """Runs after a user message (custom slot mapping) whose turn no action answers, and updates the
    context slots before Rasa renders its reply."""

    def name(self) -> str:
        return "action_track_context"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        return update_context(tracker)

"""Helpers shared by the action tests: offline trackers and what a citizen would read."""
from __future__ import annotations

from typing import Any, Optional

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher


def make_tracker(text: Optional[str] = "", *, intent: str = "ask_procedure", slots: Optional[dict] = None,
                 entities: Optional[list] = None, metadata: Optional[dict] = None,
                 channel: str = "rest", sender: str = "citizen-1") -> Tracker:
    """A tracker whose latest message is `text`, as Rasa would send it to the action server."""
    message: dict[str, Any] = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "entities": entities or [],
        "metadata": metadata or {},
    }
    events = [{"event": "user", "text": text, "parse_data": message, "input_channel": channel,
               "metadata": metadata or {}}]
    all_slots = {"procedure_id": None, "channel": None, "unit": None, "desk": None, "language": None,
                 "staff_question": None, "session_started_metadata": None}
    all_slots.update(slots or {})
    return Tracker(sender, all_slots, message, events, False, None, {}, "action_listen")


def responses(dispatcher: CollectingDispatcher) -> list[str]:
    return [m.get("response") for m in dispatcher.messages]


def message(dispatcher: CollectingDispatcher, response: str) -> dict:
    return next(m for m in dispatcher.messages if m.get("response") == response)


def rendered(domain: dict, dispatcher: CollectingDispatcher, lang: str = "vi") -> str:
    """All messages as the citizen would read them (rendered like Rasa does)."""
    from actions import messages

    out = []
    for m in dispatcher.messages:
        values = {k: v for k, v in m.items() if k not in ("response", "buttons", "text")}
        out.append(messages.render(domain, m["response"], lang, **values) if m.get("response") else m.get("text") or "")
    return "\n---\n".join(out)

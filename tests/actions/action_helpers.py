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
    # the context a conversation has by its first message (session start), so an action that brings
    # the context up to date itself changes nothing unless the test says otherwise
    all_slots = {"procedure_id": None, "channel": channel, "unit": "demo-hcc", "desk": None, "language": "vi",
                 "staff_question": None, "session_started_metadata": None}
    all_slots.update(slots or {})
    return Tracker(sender, all_slots, message, events, False, None, {}, "action_listen")


def response_name(message: dict) -> Optional[str]:
    """The domain response a message is: named for Rasa to render (`response`), or already rendered
    by the action because it switched the language (`utter_action`, as Rasa marks what it renders)."""
    return message.get("response") or message.get("utter_action")


def responses(dispatcher: CollectingDispatcher) -> list[str]:
    return [response_name(m) for m in dispatcher.messages]


def message(dispatcher: CollectingDispatcher, response: str) -> dict:
    return next(m for m in dispatcher.messages if response_name(m) == response)


def rendered(domain: dict, dispatcher: CollectingDispatcher, lang: str = "vi") -> str:
    """All messages as the citizen would read them (rendered like Rasa does)."""
    from actions import messages

    out = []
    for m in dispatcher.messages:
        values = {k: v for k, v in m.items() if k not in ("response", "buttons", "text")}
        out.append(messages.render(domain, m["response"], lang, **values) if m.get("response") else m.get("text") or "")
    return "\n---\n".join(out)

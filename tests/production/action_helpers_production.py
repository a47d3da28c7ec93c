"""A tracker as Rasa sends it to the action server, with the survey's slots filled."""
from __future__ import annotations

from rasa_sdk import Tracker


def make_tracker(slots: dict, sender: str) -> Tracker:
    message = {"text": "/survey_answer", "intent": {"name": "survey_answer", "confidence": 1.0}, "entities": [],
               "metadata": {}}
    events = [{"event": "user", "text": "/survey_answer", "parse_data": message, "input_channel": "citizen"}]
    return Tracker(sender, dict(slots), message, events, False, None, {}, "action_listen")

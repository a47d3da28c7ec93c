"""The citizen channel: the REST webhook plus the conversation's context.

POST /webhooks/citizen/webhook with
    {"sender": "...", "message": "...", "metadata": {"channel", "unit", "desk", "language"}}
answers like Rasa's REST channel (a JSON list of messages). The metadata travels with the message and
the action server keeps it on the tracker (slots channel, unit, desk, language), so the widget and
Telegram front ends get the unit's own contact details and the citizen's language.

Each reply also names the domain response it came from (`"response": "utter_not_found"`), so the entry
point can count could-not-answer turns without knowing the dialogue's texts (ops/metrics.py).
"""
from __future__ import annotations

import logging
from typing import Any, Dict, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request

logger = logging.getLogger(__name__)

METADATA_KEYS = ("channel", "unit", "desk", "language")
MAX_METADATA_VALUE = 64
MAX_SENDER = 128


class CitizenOutput(CollectingOutputChannel):
    """Rasa's REST collector, keeping the response name Rasa passes along with each message."""

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        before = len(self.messages)
        await super().send_response(recipient_id, dict(message))
        if message.get("utter_action"):
            for sent in self.messages[before:]:
                sent["response"] = message["utter_action"]


class CitizenInput(RestInput):
    @classmethod
    def name(cls) -> Text:
        return "citizen"

    @staticmethod
    def _body(request: Request) -> Dict[Text, Any]:
        try:
            body = request.json
        except Exception:  # malformed JSON: treated as an empty message, answered politely
            return {}
        return body if isinstance(body, dict) else {}

    async def _extract_sender(self, req: Request) -> Optional[Text]:
        sender = self._body(req).get("sender")
        if isinstance(sender, (int, float)):
            sender = str(sender)
        return sender[:MAX_SENDER] if isinstance(sender, str) and sender.strip() else "anonymous"

    def _extract_message(self, req: Request) -> Optional[Text]:
        message = self._body(req).get("message")
        return message if isinstance(message, str) else ""

    def _extract_input_channel(self, req: Request) -> Text:
        return self.name()

    def get_metadata(self, request: Request) -> Optional[Dict[Text, Any]]:
        """Only the known context keys, as short strings; anything else is dropped."""
        raw = self._body(request).get("metadata")
        if not isinstance(raw, dict):
            return {}
        return {
            key: raw[key].strip()[:MAX_METADATA_VALUE]
            for key in METADATA_KEYS
            if isinstance(raw.get(key), str) and raw[key].strip()
        }

    def blueprint(self, on_new_message):
        """Rasa's REST endpoints (GET /, POST /webhook; no streaming), answering through the collector
        above so each reply names its response."""
        blueprint = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request):
            return response.json({"status": "ok"})

        @blueprint.route("/webhook", methods=["POST"])
        async def receive(request: Request):
            collector = CitizenOutput()
            try:
                await on_new_message(UserMessage(
                    self._extract_message(request), collector, await self._extract_sender(request),
                    input_channel=self._extract_input_channel(request), metadata=self.get_metadata(request)))
            except Exception:  # as Rasa's REST channel: whatever was collected is answered; no message text logged
                logger.exception("a citizen turn failed")
            return response.json(collector.messages)

        return blueprint

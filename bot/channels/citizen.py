"""The citizen channel: the REST webhook plus the conversation's context.

POST /webhooks/citizen/webhook with
    {"sender": "...", "message": "...", "metadata": {"channel", "unit", "desk", "language"}}
answers like Rasa's REST channel (a JSON list of messages). The metadata travels with the message and
the action server keeps it on the tracker (slots channel, unit, desk, language), so the widget and
Telegram front ends get the unit's own contact details and the citizen's language.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, Optional, Text

from rasa.core.channels.rest import RestInput
from sanic.request import Request

logger = logging.getLogger(__name__)

METADATA_KEYS = ("channel", "unit", "desk", "language")
MAX_METADATA_VALUE = 64
MAX_SENDER = 128


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

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

import functools
import logging
from pathlib import Path
from typing import Any, Dict, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.catalogue import load_catalogue
from bot.limits import MAX_BODY_BYTES, MAX_JSON_DEPTH, MAX_MESSAGE_CHARS, MAX_SENDER_CHARS, clean_text, json_depth, \
    language_of_request

logger = logging.getLogger(__name__)

METADATA_KEYS = ("channel", "unit", "desk", "language")
MAX_METADATA_VALUE = 64
CATALOGUE_FILE = Path(__file__).with_name("messages.yml")


@functools.lru_cache(maxsize=1)
def catalogue() -> Dict[Text, Dict[Text, Text]]:
    return load_catalogue(CATALOGUE_FILE)


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
        if not isinstance(body, dict) or json_depth(body) > MAX_JSON_DEPTH:
            return {}
        return body

    async def _extract_sender(self, req: Request) -> Optional[Text]:
        sender = self._body(req).get("sender")
        if isinstance(sender, (int, float)):
            sender = str(sender)
        sender = clean_text(sender[:MAX_SENDER_CHARS]).strip() if isinstance(sender, str) else ""
        return sender or "anonymous"

    def _extract_message(self, req: Request) -> Optional[Text]:
        message = self._body(req).get("message")
        return clean_text(message) if isinstance(message, str) else ""

    def refusal(self, request: Request) -> Optional[HTTPResponse]:
        """A polite answer instead of a turn when the body or the message is too long (Rasa would
        otherwise read any size and run NLU over it)."""
        if len(request.body or b"") > MAX_BODY_BYTES:
            language = language_of_request(request.args.get("lang"), request.headers.get("accept-language"))
            return self._refuse(413, "too_long", language)
        message = self._body(request).get("message")
        if isinstance(message, str) and len(message) > MAX_MESSAGE_CHARS:
            return self._refuse(413, "too_long", self.get_metadata(request).get("language"))
        return None

    def _refuse(self, status: int, code: str, language: Optional[str]) -> HTTPResponse:
        texts = catalogue()["en" if language == "en" else "vi"]
        return response.json([{"recipient_id": None, "text": texts[code], "error": code}], status=status)

    def _extract_input_channel(self, req: Request) -> Text:
        return self.name()

    def get_metadata(self, request: Request) -> Optional[Dict[Text, Any]]:
        """Only the known context keys, as short strings; anything else is dropped."""
        raw = self._body(request).get("metadata")
        if not isinstance(raw, dict):
            return {}
        return {
            key: clean_text(raw[key].strip()[:MAX_METADATA_VALUE])
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
            refusal = self.refusal(request)
            if refusal is not None:
                return refusal
            collector = CitizenOutput()
            try:
                await on_new_message(UserMessage(
                    self._extract_message(request), collector, await self._extract_sender(request),
                    input_channel=self._extract_input_channel(request), metadata=self.get_metadata(request)))
            except Exception:  # as Rasa's REST channel: whatever was collected is answered; no message text logged
                logger.exception("a citizen turn failed")
            return response.json(collector.messages)

        return blueprint

"""The one client the channel front ends (Telegram, web widget) use to talk to the Rasa assistant.

It posts to the citizen channel (`POST /webhooks/citizen/webhook`, see bot/channels/citizen.py), so the
conversation's channel, unit, desk and language travel with every message, and turns Rasa's reply into
`BotMessage`s. Any failure to get an answer is one exception, `RasaUnavailable`, logged once per outage.
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
from dataclasses import dataclass, field
from typing import Any, Optional

import httpx

logger = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/citizen/webhook"
DEFAULT_URL = "http://localhost:5005"
METADATA_KEYS = ("channel", "unit", "desk", "language")
# A proxy in front of Rasa answers these when no replica is up: the message never reached a tracker.
_RETRY_STATUSES = {502, 503, 504}


def start_rating_message(token: Optional[str] = None) -> str:
    """The message that opens the ratings survey, for a survey invitation's token or without one."""
    if not token:
        return "/start_rating"
    return "/start_rating" + json.dumps({"survey_token": token}, separators=(",", ":"))


class RasaUnavailable(Exception):
    """Rasa (or the action server behind it) gave no usable answer: the citizen should try again later."""


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class BotMessage:
    text: str = ""
    buttons: tuple[Button, ...] = field(default_factory=tuple)
    image: Optional[str] = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"text": self.text, "buttons": [b.__dict__ for b in self.buttons]}
        if self.image:
            data["image"] = self.image
        return data


def parse_reply(body: Any) -> list[BotMessage]:
    """Rasa's REST answer (a list of {"recipient_id", "text", "buttons", "image", ...}) as BotMessages;
    entries with nothing a channel can show (custom JSON, empty text) are dropped."""
    if not isinstance(body, list):
        raise RasaUnavailable(f"unexpected answer from Rasa: {type(body).__name__}, not a list")
    messages = []
    for item in body:
        if not isinstance(item, dict):
            continue
        text = item.get("text") if isinstance(item.get("text"), str) else ""
        buttons = tuple(
            Button(title=str(b["title"]), payload=str(b["payload"]))
            for b in item.get("buttons") or []
            if isinstance(b, dict) and b.get("title") and b.get("payload")
        )
        image = item.get("image") if isinstance(item.get("image"), str) else None
        if image and not image.startswith(("https://", "http://")):
            image = None
        if text.strip() or buttons or image:
            messages.append(BotMessage(text=text, buttons=buttons, image=image))
    return messages


class RasaClient:
    """Async client of the citizen channel. Create once per process (it holds a connection pool) and
    close with `aclose()`."""

    def __init__(self, base_url: str = DEFAULT_URL, *, timeout: float = 30.0, connect_timeout: float = 3.0,
                 retry_delay: float = 0.5, transport: Optional[httpx.AsyncBaseTransport] = None):
        self.url = base_url.rstrip("/") + WEBHOOK_PATH
        self.retry_delay = retry_delay
        self._http = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout, connect=connect_timeout), transport=transport,
            headers={"User-Agent": "tthc-assistant-channel"},
        )
        self._healthy = True

    @classmethod
    def from_env(cls) -> "RasaClient":
        """RASA_URL (default http://localhost:5005) and RASA_TIMEOUT in seconds (default 30)."""
        return cls(os.environ.get("RASA_URL", DEFAULT_URL), timeout=float(os.environ.get("RASA_TIMEOUT", "30")))

    @property
    def healthy(self) -> bool:
        """False between a failure and the next answer: the current outage has been logged."""
        return self._healthy

    async def send(self, sender: str, message: str, metadata: Optional[dict[str, Any]] = None) -> list[BotMessage]:
        body = {
            "sender": sender,
            "message": message,
            "metadata": {k: v for k, v in (metadata or {}).items() if k in METADATA_KEYS and v},
        }
        try:
            reply = await self._post(body)
        except RasaUnavailable as error:
            self._outage(error)
            raise
        if not self._healthy:
            logger.warning("Rasa answers again at %s", self.url)
            self._healthy = True
        return reply

    async def _post(self, body: dict[str, Any]) -> list[BotMessage]:
        # One retry, and only when the message surely did not reach a tracker (connection refused or a
        # gateway error): retrying after a read timeout could make Rasa answer the same message twice.
        for attempt in (1, 2):
            try:
                response = await self._http.post(self.url, json=body)
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.RemoteProtocolError) as error:
                if attempt == 1:
                    await asyncio.sleep(self.retry_delay)
                    continue
                raise RasaUnavailable(f"cannot reach Rasa at {self.url}: {error!r}") from error
            except httpx.HTTPError as error:
                raise RasaUnavailable(f"no answer from Rasa at {self.url}: {error!r}") from error
            if response.status_code in _RETRY_STATUSES and attempt == 1:
                await asyncio.sleep(self.retry_delay)
                continue
            if response.status_code != 200:
                raise RasaUnavailable(f"Rasa at {self.url} answered HTTP {response.status_code}")
            try:
                return parse_reply(response.json())
            except ValueError as error:
                raise RasaUnavailable(f"Rasa at {self.url} answered invalid JSON") from error
        raise AssertionError("unreachable")

    def _outage(self, error: RasaUnavailable) -> None:
        if self._healthy:
            logger.error("Rasa unavailable (logged once until it answers again): %s", error)
            self._healthy = False
        else:
            logger.debug("Rasa still unavailable: %s", error)

    async def aclose(self) -> None:
        await self._http.aclose()

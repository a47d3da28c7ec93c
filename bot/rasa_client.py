"""The one client the channel front ends (Telegram, web widget) use to talk to the Rasa assistant.

It posts to the citizen channel (`POST /webhooks/citizen/webhook`, see bot/channels/citizen.py), so the
conversation's channel, unit, desk and language travel with every message, and turns Rasa's reply into
`BotMessage`s. Any failure to get an answer is one exception, `RasaUnavailable`, logged once per outage.

`RASA_URL` may list several Rasa replicas, comma-separated (the production profile). Each sender sticks
to one replica (a hash of the sender id), so its turns reuse that replica's warm caches; when that
replica cannot be reached the message goes to the next one. Any replica can serve any sender because
the production replicas share the SQL tracker store and the Redis lock store.
"""
from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import time
from dataclasses import dataclass, field
from typing import Any, Optional, Sequence, Union

import httpx

from ops import metrics

logger = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/citizen/webhook"
DEFAULT_URL = "http://localhost:5005"
METADATA_KEYS = ("channel", "unit", "desk", "language")
# A proxy in front of Rasa answers these when no replica is up: the message never reached a tracker.
_RETRY_STATUSES = {502, 503, 504}
# A replica that could not be reached is skipped for this long before it is tried again.
REPLICA_DOWN_SECONDS = 5.0
# Commands Rasa answers with no message at all; any other empty answer means a turn failed inside Rasa
# (its REST channel answers 200 [] when the tracker store, lock store or action server failed).
SILENT_COMMANDS = ("/restart",)


def start_rating_message(token: Optional[str] = None) -> str:
    """The message that opens the ratings survey, for a survey invitation's token or without one."""
    if not token:
        return "/start_rating"
    return "/start_rating" + json.dumps({"survey_token": token}, separators=(",", ":"))


class RasaUnavailable(Exception):
    """Rasa (or the action server behind it) gave no usable answer: the citizen should try again later."""


class _NotDelivered(RasaUnavailable):
    """The message surely did not reach a tracker (connection refused, gateway error): safe to resend."""


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class BotMessage:
    text: str = ""
    buttons: tuple[Button, ...] = field(default_factory=tuple)
    image: Optional[str] = None
    response: Optional[str] = field(default=None, compare=False)  # the domain response's name, for metrics

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
        response = item.get("response") if isinstance(item.get("response"), str) else None
        if text.strip() or buttons or image:
            messages.append(BotMessage(text=text, buttons=buttons, image=image, response=response))
    return messages


def replica_urls(value: Union[str, Sequence[str]]) -> list[str]:
    """The base URLs in a RASA_URL value: one URL, or several separated by commas."""
    parts = value.split(",") if isinstance(value, str) else list(value)
    urls = [part.strip().rstrip("/") for part in parts if part and part.strip()]
    return urls or [DEFAULT_URL]


@dataclass
class Replica:
    base_url: str
    down_until: float = 0.0  # monotonic time before which it is skipped
    healthy: bool = True  # False from a failure until its next answer (the outage is logged once)

    @property
    def url(self) -> str:
        return self.base_url + WEBHOOK_PATH

    @property
    def label(self) -> str:
        return self.base_url.split("://", 1)[-1]


class RasaClient:
    """Async client of the citizen channel on one or several Rasa replicas. Create once per process (it
    holds a connection pool) and close with `aclose()`."""

    def __init__(self, base_url: Union[str, Sequence[str]] = DEFAULT_URL, *, timeout: float = 30.0,
                 connect_timeout: float = 3.0, retry_delay: float = 0.5,
                 transport: Optional[httpx.AsyncBaseTransport] = None):
        self.replicas = [Replica(url) for url in replica_urls(base_url)]
        self.url = self.replicas[0].url
        self.retry_delay = retry_delay
        self._transport = transport
        self._http = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout, connect=connect_timeout), transport=transport,
            headers={"User-Agent": "tthc-assistant-channel"},
            limits=httpx.Limits(max_connections=200, max_keepalive_connections=100),
        )
        for replica in self.replicas:
            metrics.RASA_REPLICA_UP.labels(replica.label).set(1)

    @classmethod
    def from_env(cls) -> "RasaClient":
        """RASA_URL (default http://localhost:5005; several replicas comma-separated) and RASA_TIMEOUT in
        seconds (default 30)."""
        return cls(os.environ.get("RASA_URL", DEFAULT_URL), timeout=float(os.environ.get("RASA_TIMEOUT", "30")))

    @property
    def healthy(self) -> bool:
        """False while every replica is in an outage (each outage has been logged)."""
        return any(replica.healthy for replica in self.replicas)

    def replica_for(self, sender: str) -> int:
        """The index of the sender's own replica: stable for a sender, spread evenly over senders."""
        digest = hashlib.blake2b(sender.encode("utf-8", "surrogatepass"), digest_size=8).digest()
        return int.from_bytes(digest, "big") % len(self.replicas)

    def _candidates(self, sender: str) -> list[Replica]:
        """The sender's replica first, then the others in ring order; replicas known to be down go last
        (they are still tried when nothing else answers)."""
        first = self.replica_for(sender)
        ring = self.replicas[first:] + self.replicas[:first]
        now = time.monotonic()
        return [r for r in ring if r.down_until <= now] + [r for r in ring if r.down_until > now]

    async def send(self, sender: str, message: str, metadata: Optional[dict[str, Any]] = None) -> list[BotMessage]:
        body = {
            "sender": sender,
            "message": message,
            "metadata": {k: v for k, v in (metadata or {}).items() if k in METADATA_KEYS and v},
        }
        channel = body["metadata"].get("channel")
        started = time.perf_counter()
        try:
            reply = await self._send(body)
        except RasaUnavailable:
            metrics.observe_unavailable(channel, time.perf_counter() - started)
            raise
        metrics.observe_turn(channel, time.perf_counter() - started, (m.response for m in reply))
        return reply

    async def _send(self, body: dict[str, Any]) -> list[BotMessage]:
        candidates = self._candidates(body["sender"])
        if len(candidates) == 1:  # one Rasa: one retry after a pause, as a restart may be under way
            candidates = candidates * 2
        last_error: Optional[RasaUnavailable] = None
        for attempt, replica in enumerate(candidates):
            if attempt and isinstance(last_error, _NotDelivered) and replica is candidates[attempt - 1]:
                await asyncio.sleep(self.retry_delay)
            elif attempt:
                metrics.RASA_FAILOVERS.inc()
            try:
                reply = await self._post(replica, body)
            except _NotDelivered as error:
                # a lone replica's first failure is not an outage yet: the retry may well succeed
                self._outage(replica, error, "unreachable",
                             log=len(self.replicas) > 1 or attempt == len(candidates) - 1)
                last_error = error
                continue
            except RasaUnavailable as error:
                self._outage(replica, error, getattr(error, "kind", "http_error"))
                raise
            self._recovered(replica)
            if not reply and body["message"].strip() not in SILENT_COMMANDS:
                error = RasaUnavailable(f"Rasa at {replica.url} answered no message (a turn failed inside Rasa)")
                metrics.RASA_ERRORS.labels(replica.label, "no_reply").inc()
                logger.warning("%s", error)
                raise error
            return reply
        assert last_error is not None
        raise RasaUnavailable(str(last_error)) from last_error

    async def _post(self, replica: Replica, body: dict[str, Any]) -> list[BotMessage]:
        # Resent elsewhere only when the message surely did not reach a tracker (connection refused or a
        # gateway error): resending after a read timeout could make Rasa answer the same message twice.
        try:
            response = await self._http.post(replica.url, json=body)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.RemoteProtocolError) as error:
            raise _NotDelivered(f"cannot reach Rasa at {replica.url}: {error!r}") from error
        except httpx.TimeoutException as error:
            failure = RasaUnavailable(f"no answer in time from Rasa at {replica.url}: {error!r}")
            failure.kind = "timeout"
            raise failure from error
        except (httpx.ReadError, httpx.WriteError) as error:
            # A kept-alive connection to a replica that has since died fails this way. If a new
            # connection is refused the process is gone, and a Rasa process that is gone has not
            # saved this turn (the tracker is written when the turn ends): safe to send elsewhere.
            if not await self._accepts_connections(replica):
                raise _NotDelivered(f"Rasa at {replica.url} went away: {error!r}") from error
            raise RasaUnavailable(f"no answer from Rasa at {replica.url}: {error!r}") from error
        except httpx.HTTPError as error:
            raise RasaUnavailable(f"no answer from Rasa at {replica.url}: {error!r}") from error
        if response.status_code in _RETRY_STATUSES:
            raise _NotDelivered(f"Rasa at {replica.url} answered HTTP {response.status_code}")
        if response.status_code != 200:
            raise RasaUnavailable(f"Rasa at {replica.url} answered HTTP {response.status_code}")
        try:
            return parse_reply(response.json())
        except ValueError as error:
            raise RasaUnavailable(f"Rasa at {replica.url} answered invalid JSON") from error

    async def _accepts_connections(self, replica: Replica) -> bool:
        try:  # a client of its own: the pool may hold more connections to the dead process
            async with httpx.AsyncClient(timeout=2.0, transport=self._transport) as probe:
                await probe.get(replica.base_url + "/")
            return True
        except httpx.HTTPError:
            return False

    def _outage(self, replica: Replica, error: RasaUnavailable, kind: str, log: bool = True) -> None:
        metrics.RASA_ERRORS.labels(replica.label, kind).inc()
        if isinstance(error, _NotDelivered):
            replica.down_until = time.monotonic() + REPLICA_DOWN_SECONDS
            metrics.RASA_REPLICA_UP.labels(replica.label).set(0)
        if not log:
            return
        if replica.healthy:
            logger.error("Rasa unavailable (logged once until it answers again): %s", error)
            replica.healthy = False
        else:
            logger.debug("Rasa still unavailable: %s", error)

    def _recovered(self, replica: Replica) -> None:
        replica.down_until = 0.0
        metrics.RASA_REPLICA_UP.labels(replica.label).set(1)
        if not replica.healthy:
            logger.warning("Rasa answers again at %s", replica.url)
            replica.healthy = True

    async def ready(self, timeout: float = 2.0) -> dict[str, bool]:
        """Each replica's readiness (`GET /` answers once the model is loaded), for /ready."""
        async def probe(replica: Replica) -> bool:
            try:
                response = await self._http.get(replica.base_url + "/", timeout=timeout)
                return response.status_code == 200
            except httpx.HTTPError:
                return False
        results = await asyncio.gather(*(probe(r) for r in self.replicas))
        return {replica.label: ok for replica, ok in zip(self.replicas, results)}

    async def aclose(self) -> None:
        await self._http.aclose()

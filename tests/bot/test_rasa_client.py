"""The shared Rasa client: what it posts, how it reads answers, when it retries."""
from __future__ import annotations

import asyncio
import logging

import httpx
import pytest

from bot.rasa_client import BotMessage, Button, RasaClient, RasaUnavailable, parse_reply


def client_with(handler) -> RasaClient:
    return RasaClient("http://rasa:5005/", transport=httpx.MockTransport(handler), retry_delay=0)


def test_posts_to_the_citizen_channel_with_known_metadata_only():
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append((str(request.url), request.read()))
        return httpx.Response(200, json=[{"recipient_id": "u1", "text": "Chào bạn",
                                          "buttons": [{"title": "Có", "payload": "/affirm"}]}])

    async def scenario():
        client = client_with(handler)
        try:
            return await client.send("u1", "xin chào", {"channel": "webchat", "unit": "demo-hcc", "desk": None,
                                                          "secret": "dropped"})
        finally:
            await client.aclose()
    reply = asyncio.run(scenario())
    assert reply == [BotMessage("Chào bạn", (Button("Có", "/affirm"),))]
    url, body = seen[0]
    assert url == "http://rasa:5005/webhooks/citizen/webhook"
    assert body.decode() == '{"sender":"u1","message":"xin chào","metadata":{"channel":"webchat","unit":"demo-hcc"}}'


def test_parse_reply_keeps_what_a_channel_can_show():
    assert parse_reply([{"text": ""}, {"custom": {"x": 1}}, "junk", {"text": "ok", "buttons": [{"title": "t"}]},
                        {"image": "javascript:alert(1)"}, {"image": "https://example.org/a.png"}]) == [
        BotMessage("ok"), BotMessage(image="https://example.org/a.png")]
    with pytest.raises(RasaUnavailable):
        parse_reply({"error": "x"})


@pytest.mark.parametrize("failure, attempts", [
    (httpx.ConnectError("refused"), 2),       # never reached Rasa: retried once
    (httpx.ReadTimeout("slow"), 1),           # Rasa may be answering: not sent twice
])
def test_retries_once_only_when_the_message_surely_was_not_delivered(failure, attempts):
    calls = []

    def handler(request):
        calls.append(1)
        raise failure

    async def scenario():
        client = client_with(handler)
        try:
            await client.send("u", "hi")
        finally:
            await client.aclose()
    with pytest.raises(RasaUnavailable):
        asyncio.run(scenario())
    assert len(calls) == attempts


def test_a_gateway_error_is_retried_and_can_succeed(caplog):
    statuses = iter([503, 200])

    def handler(request):
        status = next(statuses)
        return httpx.Response(status, json=[{"text": "ok"}] if status == 200 else {})

    async def scenario():
        client = client_with(handler)
        try:
            return await client.send("u", "hi")
        finally:
            await client.aclose()
    with caplog.at_level(logging.ERROR):
        assert asyncio.run(scenario()) == [BotMessage("ok")]
    assert not caplog.records


def test_invalid_json_is_unavailable():
    async def scenario():
        client = client_with(lambda request: httpx.Response(200, content=b"<html>"))
        try:
            await client.send("u", "hi")
        finally:
            await client.aclose()
    with pytest.raises(RasaUnavailable, match="invalid JSON"):
        asyncio.run(scenario())

"""Size limits on the widget's API and the Telegram channel, each refused with a polite message from the
surface's catalogue (Vietnamese, or English when the request asks for it), and per-sender rate limits
on /api/chat. The Rasa citizen channel's limits are in test_citizen_channel.py."""
from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from starlette.testclient import TestClient

from bot import limits
from bot.rate_limit import Rate
from bot.webchat.app import catalogue, create_app
from bot.webchat.settings import WebchatSettings

SESSION = "0123456789abcdef0123456789abcdef"


def make_client(fake_rasa, **settings):
    return TestClient(create_app(WebchatSettings(rasa_url=fake_rasa.url, rasa_timeout=5, **settings)))


@pytest.fixture
def client(fake_rasa):
    with make_client(fake_rasa) as client:
        yield client


def polite(response, code: str, language: str = "vi") -> bool:
    return response.json() == {"error": code, "message": catalogue()[language][code]}


def test_the_channels_message_limit_is_the_knowledge_bases():
    from knowledge_base.normalize import MAX_QUERY_CHARS

    assert limits.MAX_MESSAGE_CHARS == MAX_QUERY_CHARS


def test_every_refusal_has_a_text_in_both_languages():
    from bot.telegram import texts

    for code in ("too_long", "invalid_request", "empty_message", "rate_limited", "unknown_unit", "rasa_unavailable"):
        assert catalogue()["vi"][code] and catalogue()["en"][code]
    for code in ("too_long", "rate_limited", "rasa_down", "error"):
        assert texts.text(code, "vi") != texts.text(code, "en")


# ------------------------------------------------------------------ widget API
def test_a_declared_oversized_body_is_refused_before_it_is_read(client, fake_rasa):
    body = json.dumps({"session": SESSION, "message": "a" * 20_000}).encode()
    vietnamese = client.post("/api/chat", content=body, headers={"Content-Type": "application/json"})
    english = client.post("/api/chat", content=body, headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert vietnamese.status_code == english.status_code == 413
    assert polite(vietnamese, "too_long") and polite(english, "too_long", "en")
    assert not fake_rasa.requests


def test_a_chunked_body_without_a_length_is_cut_off_once_too_long(client, fake_rasa):
    def chunks():
        yield b'{"session": "%s", "message": "' % SESSION.encode()
        for _ in range(1000):  # 1 MB, never sent whole
            yield b"x" * 1024
        yield b'"}'
    response = client.post("/api/chat", content=chunks(), headers={"Content-Type": "application/json"})
    assert response.status_code == 413 and polite(response, "too_long")
    assert not fake_rasa.requests


@pytest.mark.parametrize("body", [
    b"[" * 5000 + b"]" * 5000,  # would exhaust the JSON parser's recursion: a 500 before
    b'{"session": "%s", "message": "hi", "unit": %s}' % (SESSION.encode(), b"[" * 20 + b"]" * 20),
    b"\xff\xfe\x00garbage",
    b'{"session": "%s", "message": "hi"' % SESSION.encode(),
])
def test_malformed_or_deeply_nested_json_is_an_invalid_request(client, fake_rasa, body):
    response = client.post("/api/chat?lang=en", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and polite(response, "invalid_request", "en")
    assert not fake_rasa.requests


def test_a_message_at_the_limit_passes_and_one_more_character_is_refused(client, fake_rasa):
    at_limit = client.post("/api/chat", json={"session": SESSION, "message": "á" * limits.MAX_MESSAGE_CHARS})
    over = client.post("/api/chat", json={"session": SESSION, "message": "á" * (limits.MAX_MESSAGE_CHARS + 1),
                                          "language": "en"})
    assert at_limit.status_code == 200
    assert over.status_code == 413 and polite(over, "too_long", "en")
    assert len(fake_rasa.requests) == 1


def test_broken_unicode_and_control_characters_are_cleaned_not_crashed_on(client, fake_rasa):
    """A lone surrogate (half an emoji) used to crash the Rasa client's JSON encoding: a 500."""
    body = b'{"session": "%s", "message": "l\\u00e0m \\ud83d c\\u0103n c\\u01b0\\u1edbc\\u0000\\u0007 \\ud83d\\ude00"}'
    response = client.post("/api/chat", content=body % SESSION.encode(), headers={"Content-Type": "application/json"})
    assert response.status_code == 200
    assert fake_rasa.messages() == ["làm \ufffd căn cước \U0001F600"]


def test_an_unknown_unit_is_a_polite_404(client):
    response = client.get("/api/units/khong-co", headers={"Accept-Language": "en"})
    assert response.status_code == 404 and polite(response, "unknown_unit", "en")


def test_read_body_refuses_a_bad_content_length():
    class Request:
        headers = {"content-length": "12abc"}

        async def stream(self):
            yield b"{}"
    with pytest.raises(limits.InputRejected) as refused:
        asyncio.run(limits.read_body(Request(), 100))
    assert refused.value.code == "invalid_request"


# ------------------------------------------------------------------ rate limits on /api/chat
def test_a_session_sending_too_fast_is_asked_to_wait(fake_rasa):
    with make_client(fake_rasa, session_rate=Rate(3, 60)) as client:
        answers = [client.post("/api/chat", json={"session": SESSION, "message": f"câu {n}", "language": "en"})
                   for n in range(5)]
        another_session = client.post("/api/chat", json={"session": "f" * 32, "message": "xin chào"})
    assert [a.status_code for a in answers] == [200, 200, 200, 429, 429]
    assert polite(answers[3], "rate_limited", "en")
    assert 1 <= int(answers[3].headers["retry-after"]) <= 20
    assert another_session.status_code == 200
    assert fake_rasa.messages() == ["câu 0", "câu 1", "câu 2", "xin chào"]


def test_one_address_cycling_sessions_is_limited_too(fake_rasa):
    with make_client(fake_rasa, address_rate=Rate(4, 60)) as client:
        statuses = [client.post("/api/chat", json={"session": f"{n:032d}", "message": "hi"}).status_code
                    for n in range(6)]
        garbage = client.post("/api/chat", content=b"{not json")  # refused at the door, before parsing
    assert statuses == [200] * 4 + [429] * 2
    assert garbage.status_code == 429 and polite(garbage, "rate_limited")


def test_rate_limits_are_read_from_the_environment():
    settings = WebchatSettings.from_env({"RATE_LIMIT_CHAT_SESSION": "5/10", "RATE_LIMIT_CHAT_ADDRESS": "off",
                                         "REDIS_URL": "redis://127.0.0.1:6379/0"})
    assert (settings.session_rate, settings.address_rate, settings.redis_url) == (
        Rate(5, 10), None, "redis://127.0.0.1:6379/0")
    assert WebchatSettings.from_env({}).session_rate == Rate(20, 60)


# ------------------------------------------------------------------ Telegram
TOKEN = "123456:TEST-token"
SECRET = "s3cret-token-for-tests_0123456789"


def test_telegram_refuses_an_over_long_text_politely(fake_telegram, fake_rasa):
    from telegram import Update

    from bot.telegram import texts
    from bot.telegram.app import build_application
    from bot.telegram.settings import TelegramSettings
    from channel_fakes import message_update

    settings = TelegramSettings(token=TOKEN, api_url=fake_telegram.url, rasa_url=fake_rasa.url, rasa_timeout=5)

    async def scenario():
        application = build_application(settings)
        async with application:
            await application.post_init(application)
            for text in ("x" * (limits.MAX_MESSAGE_CHARS + 1), "ngắn\x00 thôi \ud83d"):
                await application.process_update(
                    Update.de_json(dict(message_update(text, language="en"), update_id=1), application.bot))
            await application.post_shutdown(application)
    asyncio.run(scenario())
    assert fake_telegram.sent_texts()[0] == texts.text("too_long", "en")
    assert fake_rasa.messages() == ["ngắn thôi \ufffd"]


@pytest.mark.parametrize("body, status", [
    (b"{" + b'"a":' * 2 + b"[" * 3000 + b"]" * 3000 + b"}", 400),
    (b'{"update_id": 1, "message": ' + b'{"reply_to_message": ' * 20 + b"{}" + b"}" * 21, 400),
    (b'{"update_id": "x", "message": {"chat": 5, "date": 1e300}}', 400),
    (b"[" + b"0," * 600_000 + b"0]", 413),
])
def test_telegram_webhook_refuses_oversized_or_malformed_updates(fake_telegram, fake_rasa, body, status):
    from bot.telegram.app import SECRET_HEADER, build_application, webhook_app
    from bot.telegram.settings import TelegramSettings

    settings = TelegramSettings(token=TOKEN, api_url=fake_telegram.url, rasa_url=fake_rasa.url, rasa_timeout=5)

    async def scenario():
        application = build_application(settings, webhook=True)
        async with application:
            web = webhook_app(application, SECRET)
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=web), base_url="http://bot") as http:
                return await http.post("/telegram/webhook", content=body, headers={SECRET_HEADER: SECRET})
    assert asyncio.run(scenario()).status_code == status
    assert not fake_rasa.requests

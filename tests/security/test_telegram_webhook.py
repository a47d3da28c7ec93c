"""Telegram webhook mode: the real server (uvicorn, as `python -m bot.telegram` runs it) registers its
secret with setWebhook and refuses (403) every request without exactly that X-Telegram-Bot-Api-Secret-Token,
before reading the body and before anything reaches Rasa."""
from __future__ import annotations

import asyncio

import httpx
import pytest

from bench.ports import free_port

from bot.telegram.app import SECRET_HEADER, serve_webhook, webhook_app
from bot.telegram.settings import TelegramSettings
from channel_fakes import message_update

TOKEN = "123456:TEST-token"
SECRET = "s3cret-token-for-tests_0123456789"
WRONG = [None, "", "nope", SECRET[:-1], SECRET + "x", SECRET.upper(), "x" + SECRET[1:], SECRET.replace("s", "ś", 1)]


def test_the_webhook_server_registers_its_secret_and_refuses_everyone_else(fake_telegram, fake_rasa):
    port = free_port()
    settings = TelegramSettings(token=TOKEN, mode="webhook", api_url=fake_telegram.url, rasa_url=fake_rasa.url,
                                rasa_timeout=5, webhook_url="https://bot.example.gov.vn/telegram/webhook",
                                webhook_secret=SECRET, listen="127.0.0.1", port=port)
    url = f"http://127.0.0.1:{port}/telegram/webhook"

    async def scenario():
        server = asyncio.create_task(serve_webhook(settings))
        async with httpx.AsyncClient(timeout=5) as http:
            for _ in range(100):
                try:
                    if (await http.get(f"http://127.0.0.1:{port}/health")).status_code == 200:
                        break
                except httpx.HTTPError:
                    await asyncio.sleep(0.1)
            refused = []
            for number, secret in enumerate(WRONG, start=1):
                headers = {} if secret is None else {SECRET_HEADER: secret.encode()}
                refused.append((await http.post(url, json=dict(message_update("xin chào"), update_id=number),
                                                 headers=headers)).status_code)
            huge = await http.post(url, content=b"x" * 3_000_000, headers={SECRET_HEADER: "nope"})
            accepted = await http.post(url, json=dict(message_update("thủ tục kết hôn"), update_id=99),
                                       headers={SECRET_HEADER: SECRET})
            wrong_method = await http.get(url, headers={SECRET_HEADER: SECRET})
            await asyncio.to_thread(fake_rasa.wait_for, lambda: fake_rasa.requests)
        server.cancel()
        await asyncio.gather(server, return_exceptions=True)
        return refused, huge.status_code, accepted.status_code, wrong_method.status_code

    refused, huge, accepted, wrong_method = asyncio.run(scenario())
    registered = fake_telegram.called("setWebhook")[0]
    assert registered["url"] == settings.webhook_url and registered["secret_token"] == SECRET
    assert refused == [403] * len(WRONG)
    assert huge == 403  # refused before the body is read
    assert (accepted, wrong_method) == (200, 405)
    assert fake_rasa.messages() == ["thủ tục kết hôn"]


def test_a_webhook_cannot_be_built_without_a_secret():
    with pytest.raises(ValueError, match="secret"):
        webhook_app(object(), "")

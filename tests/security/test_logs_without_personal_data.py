"""No personal data in logs: conversations carrying a name, phone numbers, an e-mail address, a CCCD-like
12-digit number and a dossier code go through the widget, Telegram (messages, webhook, Rasa down) and
the survey store with every logger at DEBUG; no log record (message or traceback) carries any of them,
nor a sender id, the bot token or the webhook secret."""
from __future__ import annotations

import asyncio
import logging

import httpx
import pytest
from starlette.testclient import TestClient

NAME = "Trần Văn Bảo Ngọc"
PHONE = "0912345678"
PHONE_SPACED = "+84 912 345 678"
CCCD = "001203004567"
EMAIL = "bao.ngoc.tran@example.vn"
DOSSIER = "H12.34-250701-0001"
SESSION = "websess-secret-0123456789"
TELEGRAM_USER = 987654321
TOKEN = "123456:TEST-token-never-logged"
SECRET = "s3cret-token-for-tests_0123456789"
MESSAGE = f"Tôi là {NAME}, CCCD {CCCD}, số {PHONE} hoặc {PHONE_SPACED}, email {EMAIL}, hồ sơ {DOSSIER}"
PERSONAL = [NAME, "Bảo Ngọc", PHONE, "912345678", "912 345 678", CCCD, EMAIL, DOSSIER, SESSION,
            str(TELEGRAM_USER), TOKEN, SECRET]


@pytest.fixture
def every_log_line(caplog):
    """Every record of every logger at DEBUG; the Telegram channel's own level settings are undone after."""
    levels = {name: logging.getLogger(name).level for name in ("telegram", "httpx")}
    caplog.set_level(logging.DEBUG)
    yield caplog
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def leaks(caplog) -> list[str]:
    found = []
    formatter = logging.Formatter()
    for record in caplog.records:
        text = record.getMessage()
        if record.exc_info:
            text += formatter.formatException(record.exc_info)
        found += [f"{record.name}: {value!r} in {text[:300]!r}" for value in PERSONAL if value in text]
    return found


def test_widget_conversations_log_nothing_personal(every_log_line, fake_rasa):
    from bot.webchat.app import create_app
    from bot.webchat.settings import WebchatSettings

    with TestClient(create_app(WebchatSettings(rasa_url=fake_rasa.url, rasa_timeout=5))) as client:
        assert client.post("/api/chat", json={"session": SESSION, "message": MESSAGE}).status_code == 200
        fake_rasa.status = 500  # Rasa down: the outage is logged, the citizen's words are not
        assert client.post("/api/chat", json={"session": SESSION, "message": MESSAGE}).status_code == 503
        fake_rasa.status = 200
        client.post("/api/chat", json={"session": SESSION, "message": MESSAGE * 40})  # too long
        client.post("/api/chat", content=MESSAGE.encode())  # not JSON
    assert len(every_log_line.records) > 0
    assert leaks(every_log_line) == []


def test_telegram_conversations_log_nothing_personal(every_log_line, fake_telegram, fake_rasa):
    from telegram import Update

    from bot.telegram.app import SECRET_HEADER, build_application, webhook_app
    from bot.telegram.settings import TelegramSettings
    from channel_fakes import message_update

    settings = TelegramSettings(token=TOKEN, api_url=fake_telegram.url, rasa_url=fake_rasa.url, rasa_timeout=5)

    def update(text: str, number: int) -> dict:
        data = message_update(text, user_id=TELEGRAM_USER)
        data["message"]["from"].update(first_name="Bảo Ngọc", last_name="Trần Văn", username="baongoc")
        return dict(data, update_id=number)

    async def scenario():
        application = build_application(settings, webhook=True)
        async with application:
            await application.post_init(application)
            await application.start()
            application.bot_data["rasa_client"].retry_delay = 0.01
            await application.process_update(Update.de_json(update(MESSAGE, 1), application.bot))
            await application.process_update(Update.de_json(update(f"/start {DOSSIER}", 2), application.bot))
            fake_rasa.status = 503
            await application.process_update(Update.de_json(update(MESSAGE, 3), application.bot))
            fake_rasa.status = 200
            web = webhook_app(application, SECRET)
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=web), base_url="http://bot") as http:
                await http.post("/telegram/webhook", json=update(MESSAGE, 4), headers={SECRET_HEADER: SECRET})
                await http.post("/telegram/webhook", json=update(MESSAGE, 5), headers={SECRET_HEADER: "wrong"})
                await http.post("/telegram/webhook", content=MESSAGE.encode(), headers={SECRET_HEADER: SECRET})
            await asyncio.sleep(0.2)
            await application.update_queue.join()
            await application.stop()
            await application.post_shutdown(application)
    asyncio.run(scenario())
    assert len(fake_rasa.requests) >= 2 and fake_telegram.sent_texts()
    assert leaks(every_log_line) == []


@pytest.mark.usefixtures("db")
def test_the_survey_store_logs_nothing_personal(every_log_line):
    from store.ratings import AlreadyRated, RatingInput, submit_rating
    from store.surveys import InvalidToken, issue_invitation, read_token

    token = issue_invitation("demo-xa-song-xanh", desk="quay-1", dossier_code=DOSSIER).token
    claims = read_token(token)
    submit_rating(RatingInput(unit="demo-xa-song-xanh", overall="dissatisfied", conversation_id=f"web-{SESSION}",
                              invitation_id=claims.invitation_id, comment=MESSAGE, callback_phone=PHONE))
    with pytest.raises(AlreadyRated):
        submit_rating(RatingInput(unit="demo-xa-song-xanh", overall="satisfied", conversation_id=str(TELEGRAM_USER),
                                  invitation_id=claims.invitation_id, comment=MESSAGE))
    with pytest.raises(InvalidToken):
        read_token(token[:-1] + "9")
    assert leaks(every_log_line) == []


def test_ptb_debug_lines_would_carry_the_citizens_words():
    """Why the Telegram channel raises PTB's loggers to INFO: at DEBUG they log whole updates."""
    from telegram.ext import _application

    source = open(_application.__file__, encoding="utf-8").read()
    assert '_LOGGER.debug("Processing update %s", update)' in source

"""The Telegram channel against a fake Bot API server and a fake Rasa: PTB makes real HTTP calls to
local ports, so requests, parameters and replies are checked end to end without the network."""
from __future__ import annotations

import asyncio
import json
import logging
from contextlib import asynccontextmanager

import httpx
import pytest
from telegram import Update

from bot.telegram import texts
from bot.telegram.app import SECRET_HEADER, build_application, webhook_app
from bot.telegram.replies import MAX_MESSAGE
from bot.telegram.settings import SettingsError, TelegramSettings
from channel_fakes import CHOICE_PAYLOADS, LONG_ANSWER, callback_update, message_update

TOKEN = "123456:TEST-token"
SECRET = "s3cret-token-for-tests_0123456789"


def settings_for(fake_telegram, rasa_url: str, **extra) -> TelegramSettings:
    return TelegramSettings(token=TOKEN, api_url=fake_telegram.url, rasa_url=rasa_url, rasa_timeout=5, **extra)


@asynccontextmanager
async def running_bot(settings: TelegramSettings, *, webhook: bool = False):
    """An initialised Application with its post_init done, as run_polling/serve_webhook would have it."""
    application = build_application(settings, webhook=webhook)
    async with application:
        await application.post_init(application)
        try:
            yield application
        finally:
            await application.post_shutdown(application)


async def feed(application, update: dict) -> None:
    await application.process_update(Update.de_json(dict(update, update_id=1), application.bot))


def run(coroutine):
    return asyncio.run(coroutine)


def test_commands_are_registered_in_both_languages(fake_telegram, fake_rasa):
    async def scenario():
        async with running_bot(settings_for(fake_telegram, fake_rasa.url)):
            pass
    run(scenario())
    menus = {params.get("language_code"): params["commands"] for params in fake_telegram.called("setMyCommands")}
    assert set(menus) == {None, "en"}
    assert [c["command"] for c in menus[None]] == ["start", "help", "rate", "cancel", "lang"]
    assert menus[None][1]["description"] == texts.commands("vi")["help"]


def test_question_gets_an_answer_with_an_inline_keyboard(fake_telegram, fake_rasa):
    fake_rasa.delay = 0.2  # long enough for the typing indicator to be sent

    async def scenario():
        async with running_bot(settings_for(fake_telegram, fake_rasa.url)) as app:
            await feed(app, message_update("con tôi mới sinh thì làm giấy khai sinh thế nào?", user_id=4242))
    run(scenario())

    request = fake_rasa.requests[-1]
    assert request["sender"] == "4242"
    assert request["metadata"] == {"channel": "telegram", "language": "vi"}
    assert fake_telegram.called("sendChatAction")[0]["action"] == "typing"
    sent = fake_telegram.called("sendMessage")[-1]
    assert sent["text"] == "Bạn muốn hỏi thủ tục nào?"
    assert "parse_mode" not in sent  # plain text: nothing to escape
    rows = sent["reply_markup"]["inline_keyboard"]
    assert [row[0]["text"] for row in rows] == ["Đăng ký khai sinh", "Đăng ký khai sinh có yếu tố nước ngoài"]
    for row in rows:
        data = row[0]["callback_data"]
        assert len(data.encode()) <= 64 and data.isascii() and "choose_procedure" not in data


def test_pressing_a_button_sends_its_payload_acknowledges_and_removes_the_keyboard(fake_telegram, fake_rasa):
    async def scenario():
        async with running_bot(settings_for(fake_telegram, fake_rasa.url)) as app:
            await feed(app, message_update("giấy khai sinh"))
            question = fake_telegram.called("sendMessage")[-1]
            data = question["reply_markup"]["inline_keyboard"][1][0]["callback_data"]
            await feed(app, callback_update(data, message_id=1000))
            # the same button pressed twice (a double tap): answered, but not sent to Rasa again
            await feed(app, callback_update(data, message_id=1000))
    run(scenario())

    assert fake_rasa.messages() == ["giấy khai sinh", CHOICE_PAYLOADS[1]]
    assert [p["callback_query_id"] for p in fake_telegram.called("answerCallbackQuery")] == ["cbq-1", "cbq-1"]
    edit = fake_telegram.called("editMessageReplyMarkup")[0]
    assert int(edit["message_id"]) == 1000 and not edit.get("reply_markup")
    texts_sent = fake_telegram.sent_texts()
    assert texts_sent[1].startswith("Đăng ký khai sinh: hồ sơ gồm")
    assert texts_sent[2] == texts.text("button_expired", "vi")


def test_deep_link_start_opens_the_survey_of_its_token(fake_telegram, fake_rasa):
    async def scenario():
        async with running_bot(settings_for(fake_telegram, fake_rasa.url)) as app:
            await feed(app, message_update("/start inv_2F9a-XYZ"))
            await feed(app, message_update("/rate"))
            await feed(app, message_update("/start"))
    run(scenario())

    assert fake_rasa.messages() == ['/start_rating{"survey_token":"inv_2F9a-XYZ"}', "/start_rating"]
    assert fake_telegram.sent_texts()[0] == "Bạn hài lòng với dịch vụ ở mức nào?"
    assert fake_telegram.sent_texts()[-1] == texts.text("welcome", "vi")


def test_long_answer_is_split_by_section_with_the_buttons_on_the_last_piece(fake_telegram, fake_rasa):
    async def scenario():
        async with running_bot(settings_for(fake_telegram, fake_rasa.url)) as app:
            await feed(app, message_update("cho tôi câu trả lời dài"))
    run(scenario())

    pieces = fake_telegram.called("sendMessage")
    assert len(pieces) >= 3
    assert all(len(p["text"]) <= MAX_MESSAGE for p in pieces)
    assert all(p["text"].startswith("Mục ") for p in pieces)  # cut between sections, not mid-sentence
    sections = [section.strip() for section in LONG_ANSWER.split("\n\n")]
    received = "\n\n".join(p["text"] for p in pieces).split("\n\n")
    assert [section.strip() for section in received] == sections  # nothing lost
    assert [bool(p.get("reply_markup")) for p in pieces] == [False] * (len(pieces) - 1) + [True]


def test_rasa_down_gets_a_polite_answer_and_one_log_line_per_outage(fake_telegram, fake_rasa, caplog):
    caplog.set_level(logging.DEBUG, logger="bot.rasa_client")

    async def scenario():
        async with running_bot(settings_for(fake_telegram, fake_rasa.url)) as app:
            app.bot_data["rasa_client"].retry_delay = 0.01
            fake_rasa.status = 503
            await feed(app, message_update("phí bao nhiêu?"))
            await feed(app, message_update("còn đó không?"))
            fake_rasa.status = 200
            await feed(app, message_update("làm căn cước"))
            fake_rasa.status = 500
            await feed(app, message_update("lần nữa"))
    run(scenario())

    polite = texts.text("rasa_down", "vi")
    assert fake_telegram.sent_texts() == [polite, polite, "Bạn hỏi: làm căn cước", polite]
    errors = [r for r in caplog.records if r.name == "bot.rasa_client" and r.levelno >= logging.ERROR]
    assert len(errors) == 2  # the first outage once, the second once
    assert any("answers again" in r.getMessage() for r in caplog.records)


def test_rasa_unreachable_is_retried_once_then_answered_politely(fake_telegram, closed_port_url, caplog):
    async def scenario():
        async with running_bot(settings_for(fake_telegram, closed_port_url)) as app:
            app.bot_data["rasa_client"].retry_delay = 0.01
            await feed(app, message_update("hello", language="en"))
    run(scenario())
    assert fake_telegram.sent_texts() == [texts.text("rasa_down", "en")]
    assert "cannot reach Rasa" in caplog.text


def test_lang_command_switches_the_language_sent_to_rasa(fake_telegram, fake_rasa):
    async def scenario():
        async with running_bot(settings_for(fake_telegram, fake_rasa.url)) as app:
            await feed(app, message_update("/lang"))
            keyboard = fake_telegram.called("sendMessage")[-1]["reply_markup"]["inline_keyboard"][0]
            assert [b["callback_data"] for b in keyboard] == ["lang:vi", "lang:en"]
            await feed(app, callback_update("lang:en", message_id=1000))
            await feed(app, message_update("how long for an ID card"))
            await feed(app, message_update("/help"))
    run(scenario())
    assert fake_rasa.requests[-1]["metadata"]["language"] == "en"
    assert fake_telegram.sent_texts()[1] == texts.text("language_set", "en")
    assert fake_telegram.sent_texts()[-1] == texts.text("help", "en")


def test_cancel_restarts_the_conversation(fake_telegram, fake_rasa):
    async def scenario():
        async with running_bot(settings_for(fake_telegram, fake_rasa.url)) as app:
            await feed(app, message_update("/cancel"))
    run(scenario())
    assert fake_rasa.messages() == ["/restart"]
    assert fake_telegram.sent_texts() == [texts.text("cancelled", "vi")]


def test_long_polling_receives_updates_from_get_updates(fake_telegram, fake_rasa):
    async def scenario():
        application = build_application(settings_for(fake_telegram, fake_rasa.url))
        async with application:
            await application.post_init(application)
            await application.updater.start_polling(poll_interval=0.0, timeout=1)
            await application.start()
            fake_telegram.push(message_update("lệ phí bao nhiêu"))
            await asyncio.to_thread(fake_telegram.wait_for, lambda: fake_telegram.called("sendMessage"))
            await application.updater.stop()
            await application.stop()
            await application.post_shutdown(application)
    run(scenario())
    assert fake_telegram.called("deleteWebhook")  # polling never competes with a leftover webhook
    assert fake_telegram.sent_texts() == ["Bạn hỏi: lệ phí bao nhiêu"]


def test_webhook_refuses_requests_without_the_secret_token(fake_telegram, fake_rasa):
    update = dict(message_update("thủ tục kết hôn"), update_id=99)

    async def scenario():
        async with running_bot(settings_for(fake_telegram, fake_rasa.url), webhook=True) as app:
            await app.start()
            web = webhook_app(app, SECRET)
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=web), base_url="http://bot") as client:
                missing = await client.post("/telegram/webhook", json=update)
                wrong = await client.post("/telegram/webhook", json=update, headers={SECRET_HEADER: "nope"})
                malformed = await client.post("/telegram/webhook", content=b"[1", headers={SECRET_HEADER: SECRET})
                right = await client.post("/telegram/webhook", json=update, headers={SECRET_HEADER: SECRET})
            await asyncio.to_thread(fake_telegram.wait_for, lambda: fake_telegram.called("sendMessage"))
            await app.stop()
            return missing.status_code, wrong.status_code, malformed.status_code, right.status_code
    assert run(scenario()) == (403, 403, 400, 200)
    assert fake_rasa.messages() == ["thủ tục kết hôn"]


@pytest.mark.parametrize("env, problem", [
    ({}, "TELEGRAM_BOT_TOKEN"),
    ({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_MODE": "webhook"}, "TELEGRAM_WEBHOOK_URL"),
    ({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_MODE": "webhook", "TELEGRAM_WEBHOOK_URL": "https://bot.example/tg"},
     "TELEGRAM_WEBHOOK_SECRET"),
    ({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_MODE": "webhook", "TELEGRAM_WEBHOOK_URL": "https://bot.example/tg",
      "TELEGRAM_WEBHOOK_SECRET": "changeme"}, "TELEGRAM_WEBHOOK_SECRET"),
])
def test_settings_refuse_to_start_without_what_the_mode_needs(env, problem):
    with pytest.raises(SettingsError, match=problem):
        TelegramSettings.from_env(env)


def test_catalogue_has_every_text_in_both_languages():
    catalogue = texts.catalogue()
    assert set(catalogue["vi"]) == set(catalogue["en"])
    assert "thử lại sau ít phút" in texts.text("rasa_down", "vi")
    assert texts.normalise_language("en-GB") == "en" and texts.normalise_language(None) == "vi"


def test_entry_point_exits_with_a_clear_message_without_a_token(monkeypatch, capsys):
    from bot.telegram.__main__ import main

    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert main() == 2
    assert "TELEGRAM_BOT_TOKEN is not set" in capsys.readouterr().err


def test_payload_sent_is_exactly_the_survey_message():
    from bot.rasa_client import start_rating_message

    assert start_rating_message("abc_123") == '/start_rating{"survey_token":"abc_123"}'
    assert json.loads(start_rating_message("x")[len("/start_rating"):]) == {"survey_token": "x"}


def test_edited_messages_and_group_chats_are_not_sent_to_rasa(fake_telegram, fake_rasa):
    edited = {"edited_message": dict(message_update("sửa câu hỏi")["message"], edit_date=1)}
    group = message_update("xin chào cả nhóm")
    group["message"]["chat"] = {"id": -100123, "type": "supergroup", "title": "Nhóm"}

    async def scenario():
        async with running_bot(settings_for(fake_telegram, fake_rasa.url)) as app:
            await feed(app, edited)
            await feed(app, group)
    run(scenario())
    assert fake_rasa.requests == [] and fake_telegram.sent_texts() == []

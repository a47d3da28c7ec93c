"""Generated hostile input through the widget's endpoints and the Telegram channel (handlers and webhook):
never a 500, never a crash in a handler, never unescaped output, and only clean, bounded text reaches
Rasa. With the citizen channel's share (test_citizen_channel.py) this is 1,000 generated inputs.

The fake Rasa of tests/bot answers "Bạn hỏi: <message>" (and an HTML injection for messages with
"script"), so hostile text comes back out of every surface too."""
from __future__ import annotations

import asyncio
import logging
import re
import urllib.parse

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from bot import limits
from bot.webchat.app import CONTEXT_VALUE, catalogue, create_app
from bot.webchat.settings import WebchatSettings
from hostile import BAD_TEXT, SESSIONS, TagShape, hostile_text, json_values, maybe, raw_garbage, to_json_bytes

EXAMPLES = {"widget_chat": 350, "widget_pages": 100, "telegram_handlers": 250, "telegram_webhook": 100}


def budget(name: str):
    return settings(max_examples=EXAMPLES[name], deadline=None, database=None, derandomize=True,
                    suppress_health_check=list(HealthCheck))


@pytest.fixture
def widget(fake_rasa):
    app = create_app(WebchatSettings(rasa_url=fake_rasa.url, rasa_timeout=5, session_rate=None, address_rate=None))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def check_reached_rasa(fake_rasa) -> None:
    for request in fake_rasa.requests:
        message = request["message"]
        assert isinstance(message, str) and len(message) <= limits.MAX_MESSAGE_CHARS
        assert not BAD_TEXT.search(message), repr(message)
    fake_rasa.requests.clear()


chat_bodies = st.one_of(
    st.fixed_dictionaries({"session": maybe(SESSIONS), "message": maybe(hostile_text)},
                          optional={"unit": maybe(st.sampled_from(["demo-hcc", "demo-xa-song-xanh"]), "../demo-hcc"),
                                    "desk": maybe(st.sampled_from(["quay-1", "quay-2"])),
                                    "language": maybe(st.sampled_from(["vi", "en"])),
                                    "metadata": json_values}).map(to_json_bytes),
    json_values.map(to_json_bytes),
    raw_garbage,
)


def test_hostile_chat_requests_never_crash_the_widget_api(widget, fake_rasa):
    seen = []

    @budget("widget_chat")
    @given(body=chat_bodies, lang=st.sampled_from(["", "?lang=en", "?lang=%00", "?lang=<b>"]))
    def check(body, lang):
        seen.append(body)
        response = widget.post("/api/chat" + lang, content=body, headers={"Content-Type": "application/json"})
        assert response.status_code in (200, 400, 413), (response.status_code, body[:200])
        assert response.headers["content-type"] == "application/json"
        data = response.json()
        if response.status_code == 200:
            for message in data["messages"]:
                assert set(message) <= {"text", "buttons", "image"} and isinstance(message["text"], str)
        else:
            assert data["message"] in (catalogue()["vi"][data["error"]], catalogue()["en"][data["error"]])
        for request in fake_rasa.requests:
            assert re.fullmatch(r"web-[A-Za-z0-9_-]{16,64}", request["sender"])
            metadata = request["metadata"]
            assert metadata["channel"] == "webchat" and metadata["language"] in ("vi", "en")
            assert metadata.get("unit") in (None, "demo-hcc", "demo-xa-song-xanh")
            assert metadata.get("desk") is None or CONTEXT_VALUE.match(metadata["desk"])
        check_reached_rasa(fake_rasa)

    check()
    assert len(seen) >= EXAMPLES["widget_chat"]


def test_hostile_query_strings_and_paths_never_inject_markup_into_pages(widget):
    baseline = {kiosk: TagShape.of(widget.get(f"/demo?kiosk={kiosk}").text) for kiosk in ("0", "1")}
    seen = []

    @budget("widget_pages")
    @given(unit=hostile_text, desk=hostile_text, lang=hostile_text, kiosk=st.sampled_from(["0", "1"]),
           survey=hostile_text)
    def check(unit, desk, lang, kiosk, survey):
        seen.append(unit)
        encode = lambda text: urllib.parse.quote(text.encode("utf-8", "surrogatepass"), safe="")  # noqa: E731
        page = widget.get(f"/demo?unit={encode(unit)}&desk={encode(desk)}&lang={encode(lang)}&kiosk={kiosk}"
                          f"&survey={encode(survey)}")
        assert page.status_code == 200
        assert TagShape.of(page.text) == baseline[kiosk]  # no tag or attribute came from the query
        assert "script-src 'self'" in page.headers["content-security-policy"]
        unit_info = widget.get("/api/units/" + encode(unit))
        assert unit_info.status_code in (200, 404)  # the router's own 404 when the path has no code

    check()
    assert len(seen) >= EXAMPLES["widget_pages"]


def test_the_widget_writes_every_text_as_text():
    """What the browser test shows for one injection, the script's source shows for all: no HTML sink."""
    from bot.webchat.app import STATIC

    script = (STATIC / "widget.js").read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function",
                 "setTimeout(\"", "srcdoc"):
        assert sink not in script, sink
    assert "textContent" in script
    # links: only http(s) URLs become hrefs, opened without access to the page
    assert 'url.protocol === "http:" || url.protocol === "https:"' in script
    assert 'rel: "noopener noreferrer"' in script


# ------------------------------------------------------------------ Telegram
TOKEN = "123456:TEST-token"
SECRET = "s3cret-token-for-tests_0123456789"


class TelegramRun:
    """One PTB application for a whole generated run, on one event loop."""

    def __init__(self, fake_telegram, fake_rasa, *, webhook: bool = False):
        from bot.telegram.app import build_application
        from bot.telegram.settings import TelegramSettings

        self.loop = asyncio.Runner()
        settings = TelegramSettings(token=TOKEN, api_url=fake_telegram.url, rasa_url=fake_rasa.url, rasa_timeout=5,
                                    chat_rate=None)
        self.application = build_application(settings, webhook=webhook)
        self.run(self.application.initialize())
        self.run(self.application.post_init(self.application))
        self.application.bot_data["rasa_client"].retry_delay = 0.01

    def run(self, coroutine):
        return self.loop.run(coroutine)

    def close(self):
        self.run(self.application.post_shutdown(self.application))
        self.run(self.application.shutdown())
        self.loop.close()


def update_for(kind: str, text: str, user_id: int, callback: str) -> dict:
    from channel_fakes import callback_update, message_update

    if kind == "callback":
        return callback_update(callback, message_id=1000, user_id=user_id)
    if kind == "command":
        text = "/" + text.lstrip("/")
    update = message_update(text, user_id=user_id)
    if kind == "edited":
        return {"edited_message": dict(update["message"], edit_date=1)}
    if kind == "group":
        update["message"]["chat"] = {"id": -100123, "type": "supergroup", "title": text[:100] or "nhóm"}
    return update


def test_hostile_telegram_messages_never_break_a_handler(fake_telegram, fake_rasa, caplog):
    from telegram import Update

    caplog.set_level(logging.ERROR)
    bot = TelegramRun(fake_telegram, fake_rasa)
    seen = []

    @budget("telegram_handlers")
    @given(kind=st.sampled_from(["text", "text", "command", "callback", "edited", "group"]),
           text=hostile_text.filter(lambda t: t.strip()),
           command=st.sampled_from(["start", "lang", "help", "rate", "cancel", "unknown"]),
           callback=st.one_of(hostile_text.map(lambda t: t[:64]), st.sampled_from(["lang:en", "lang:xx", "b:"])),
           user_id=st.integers(1, 2**40))
    def check(kind, text, command, callback, user_id):
        seen.append(text)
        if kind == "command":
            text = f"{command} {text}"
        update = Update.de_json(dict(update_for(kind, text, user_id, callback), update_id=len(seen)),
                                bot.application.bot)
        bot.run(bot.application.process_update(update))
        check_reached_rasa(fake_rasa)

    try:
        check()
    finally:
        bot.close()
    assert len(seen) >= EXAMPLES["telegram_handlers"]
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, errors[0].getMessage()
    for params in fake_telegram.called("sendMessage"):
        assert "parse_mode" not in params  # plain text: nothing Telegram would read as markup
        assert 0 < len(params["text"]) <= 4096
        for row in (params.get("reply_markup") or {}).get("inline_keyboard", []):
            assert all(len(button["callback_data"].encode()) <= 64 for button in row)


update_bodies = st.one_of(
    st.fixed_dictionaries({"update_id": maybe(st.integers(1, 2**31))},
                          optional={"message": maybe(st.fixed_dictionaries({
                              "message_id": maybe(st.integers(1, 10**6)), "date": maybe(st.integers(0, 2**31)),
                              "chat": maybe(st.fixed_dictionaries({"id": maybe(st.integers()),
                                                                   "type": maybe(st.just("private"))})),
                              "from": json_values, "text": maybe(hostile_text), "entities": json_values})),
                              "callback_query": json_values, "edited_message": json_values}).map(to_json_bytes),
    json_values.map(to_json_bytes),
    raw_garbage,
)


def test_hostile_webhook_bodies_are_refused_or_handled_never_a_500(fake_telegram, fake_rasa, caplog):
    from bot.telegram.app import SECRET_HEADER, webhook_app

    caplog.set_level(logging.ERROR)
    bot = TelegramRun(fake_telegram, fake_rasa, webhook=True)
    bot.run(bot.application.start())
    web = webhook_app(bot.application, SECRET)
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=web), base_url="http://bot")
    statuses = []

    @budget("telegram_webhook")
    @given(body=update_bodies)
    def check(body):
        response = bot.run(http.post("/telegram/webhook", content=body, headers={SECRET_HEADER: SECRET}))
        statuses.append(response.status_code)
        assert response.status_code in (200, 400, 413), (response.status_code, body[:200])

    try:
        check()
        bot.run(asyncio.sleep(0.3))  # let the accepted updates run through the handlers
        bot.run(bot.application.update_queue.join())
    finally:
        bot.run(http.aclose())
        bot.run(bot.application.stop())
        bot.close()
    assert len(statuses) >= EXAMPLES["telegram_webhook"] and 200 in statuses and 400 in statuses
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, errors[0].getMessage()
    check_reached_rasa(fake_rasa)

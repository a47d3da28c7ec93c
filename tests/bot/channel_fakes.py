"""Local stand-ins for the network the channels talk to: a fake Telegram Bot API and a fake Rasa
citizen channel, each a small HTTP server in a thread on a free port. They record what they receive."""
from __future__ import annotations

import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Optional
from urllib.parse import parse_qs

LONG_SECTION = "Thành phần hồ sơ: " + "tờ khai, giấy chứng sinh, giấy tờ tùy thân của cha mẹ; " * 30
LONG_ANSWER = "\n\n".join(f"Mục {n}. {LONG_SECTION}" for n in range(1, 8))  # ~ 12,000 characters
CHOICE_PAYLOADS = [
    '/choose_procedure{"procedure_id":"dang-ky-khai-sinh","aspect":"thành phần hồ sơ"}',
    '/choose_procedure{"procedure_id":"dang-ky-khai-sinh-co-yeu-to-nuoc-ngoai","aspect":"thành phần hồ sơ"}',
]
INJECTION = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"> javascript:alert(1)'


def scripted_reply(message: str) -> list[dict[str, Any]]:
    """What the fake assistant answers: enough scenarios for the channel tests."""
    if message.startswith("/start_rating"):
        return [{"text": "Bạn hài lòng với dịch vụ ở mức nào?",
                 "buttons": [{"title": f"{n} sao", "payload": '/rate{"score":%d}' % n} for n in (5, 4, 3, 2, 1)]}]
    if message.startswith("/rate"):
        return [{"text": "Cảm ơn bạn đã đánh giá!"}]
    if message.startswith("/choose_procedure"):
        return [{"text": "Đăng ký khai sinh: hồ sơ gồm tờ khai và giấy chứng sinh.\n"
                         "Xem thêm: https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc.html (nguồn chính thức)"}]
    if message == "/restart":
        return []
    if "khai sinh" in message:
        return [{"text": "Bạn muốn hỏi thủ tục nào?",
                 "buttons": [{"title": "Đăng ký khai sinh", "payload": CHOICE_PAYLOADS[0]},
                             {"title": "Đăng ký khai sinh có yếu tố nước ngoài", "payload": CHOICE_PAYLOADS[1]}]}]
    if "dài" in message or "long" in message:
        return [{"text": LONG_ANSWER, "buttons": [{"title": "Hỏi tiếp", "payload": "/affirm"}]}]
    if "script" in message:
        return [{"text": INJECTION}]
    return [{"text": f"Bạn hỏi: {message}"}]


class _Server:
    def __init__(self, handler: type[BaseHTTPRequestHandler]):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.httpd.owner = self  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.changed = threading.Condition()

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "_Server":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def wait_for(self, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                result = predicate()
                if result:
                    return result
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError("timed out waiting for the fake server")
                self.changed.wait(remaining)

    def notify(self) -> None:
        with self.changed:
            self.changed.notify_all()


class _JsonHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:  # quiet
        pass

    def read_body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def send_json(self, status: int, data: Any) -> None:
        body = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class FakeRasa(_Server):
    """POST /webhooks/citizen/webhook → scripted_reply(message). `status` ≠ 200 makes it fail;
    `delay` slows every answer."""

    def __init__(self) -> None:
        super().__init__(_RasaHandler)
        self.requests: list[dict[str, Any]] = []
        self.status = 200
        self.delay = 0.0

    def messages(self) -> list[str]:
        return [r["message"] for r in self.requests]


class _RasaHandler(_JsonHandler):
    def do_GET(self) -> None:  # as Rasa: GET / answers once the server is up (the channels' readiness probe)
        if self.path == "/":
            self.send_json(200, "Hello from Rasa: fake")
        else:
            self.send_json(404, {"error": "not found"})

    def do_POST(self) -> None:
        fake: FakeRasa = self.server.owner  # type: ignore[attr-defined]
        body = json.loads(self.read_body() or b"{}")
        if self.path != "/webhooks/citizen/webhook":
            self.send_json(404, {"error": "not found"})
            return
        if fake.delay:
            time.sleep(fake.delay)
        if fake.status != 200:
            self.send_json(fake.status, {"error": "scripted failure"})
            return
        fake.requests.append(body)
        reply = [dict(item, recipient_id=body.get("sender")) for item in scripted_reply(body.get("message", ""))]
        self.send_json(200, reply)
        fake.notify()


BOT_USER = {"id": 777000, "is_bot": True, "first_name": "Trợ lý TTHC", "username": "tthc_test_bot",
            "can_join_groups": False, "can_read_all_group_messages": False, "supports_inline_queries": False}


class FakeTelegram(_Server):
    """The Bot API methods the channel uses, at /bot<token>/<method>. Calls are recorded in order;
    updates pushed with `push()` are served by getUpdates."""

    def __init__(self) -> None:
        super().__init__(_TelegramHandler)
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.updates: list[dict[str, Any]] = []
        self._message_ids = itertools.count(1000)
        self._update_ids = itertools.count(1)

    def push(self, update: dict[str, Any]) -> None:
        with self.changed:
            self.updates.append(dict(update, update_id=next(self._update_ids)))
            self.changed.notify_all()

    def called(self, method: str) -> list[dict[str, Any]]:
        return [params for name, params in self.calls if name == method]

    def sent_texts(self) -> list[str]:
        return [params["text"] for params in self.called("sendMessage")]

    def next_message_id(self) -> int:
        return next(self._message_ids)


def _params(handler: BaseHTTPRequestHandler, body: bytes) -> dict[str, Any]:
    """PTB posts form-encoded parameters, complex ones (reply_markup, commands) as JSON strings."""
    kind = handler.headers.get("Content-Type", "")
    if kind.startswith("application/json"):
        return json.loads(body or b"{}")
    params: dict[str, Any] = {}
    for key, values in parse_qs(body.decode(), keep_blank_values=True).items():
        value = values[-1]
        try:
            params[key] = json.loads(value) if value[:1] in "[{" else value
        except ValueError:
            params[key] = value
    return params


class _TelegramHandler(_JsonHandler):
    def do_POST(self) -> None:
        fake: FakeTelegram = self.server.owner  # type: ignore[attr-defined]
        parts = self.path.strip("/").split("/")
        if len(parts) != 2 or not parts[0].startswith("bot"):
            self.send_json(404, {"ok": False, "error_code": 404, "description": "Not Found"})
            return
        method, params = parts[1], _params(self, self.read_body())
        if method == "getUpdates":
            self.send_json(200, {"ok": True, "result": self._updates(fake, params)})
            return
        answer = self._answer(fake, method, params)
        if answer is None:
            self.send_json(404, {"ok": False, "error_code": 404, "description": f"Not Found: method {method}"})
            return
        with fake.changed:
            fake.calls.append((method, params))
            fake.changed.notify_all()
        self.send_json(200, {"ok": True, "result": answer})

    @staticmethod
    def _updates(fake: FakeTelegram, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        wait = min(float(params.get("timeout") or 0), 0.5)
        with fake.changed:
            fake.changed.wait_for(lambda: any(u["update_id"] >= offset for u in fake.updates), timeout=wait)
            return [u for u in fake.updates if u["update_id"] >= offset]

    @staticmethod
    def _answer(fake: FakeTelegram, method: str, params: dict[str, Any]) -> Optional[Any]:
        if method == "getMe":
            return BOT_USER
        if method == "sendMessage":
            message = {"message_id": fake.next_message_id(), "date": int(time.time()),
                       "chat": {"id": int(params["chat_id"]), "type": "private"}, "from": BOT_USER,
                       "text": params["text"]}
            if params.get("reply_markup"):
                message["reply_markup"] = params["reply_markup"]
            return message
        if method in ("sendChatAction", "answerCallbackQuery", "setMyCommands", "setWebhook", "deleteWebhook",
                      "editMessageReplyMarkup"):
            return True
        return None


def user(user_id: int = 4242, language: str = "vi") -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": "Lan", "language_code": language}


def message_update(text: str, user_id: int = 4242, language: str = "vi") -> dict[str, Any]:
    message = {"message_id": 1, "date": int(time.time()), "chat": {"id": user_id, "type": "private"},
               "from": user(user_id, language), "text": text}
    if text.startswith("/"):
        command = text.split()[0]
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    return {"message": message}


def callback_update(data: str, message_id: int, user_id: int = 4242) -> dict[str, Any]:
    return {"callback_query": {
        "id": "cbq-1", "from": user(user_id), "chat_instance": "ci-1", "data": data,
        "message": {"message_id": message_id, "date": int(time.time()), "chat": {"id": user_id, "type": "private"},
                    "from": BOT_USER, "text": "Bạn muốn hỏi thủ tục nào?"},
    }}


class DeskSite(_Server):
    """Another site (its own origin on 127.0.0.1) whose page embeds the widget: GET / → `html`."""

    def __init__(self, html: str = "") -> None:
        super().__init__(_DeskHandler)
        self.html = html


class _DeskHandler(_JsonHandler):
    def do_GET(self) -> None:
        body = self.server.owner.html.encode()  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def serve_app(app: Any, name: str) -> Iterator[int]:
    """Run an ASGI app under a real uvicorn on a free loopback port (in a thread); yields the port."""
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError(f"the {name} server did not start")
        time.sleep(0.02)
    try:
        yield server.servers[0].sockets[0].getsockname()[1]
    finally:
        server.should_exit = True
        thread.join(5)

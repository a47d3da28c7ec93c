"""The widget's server in-process (Starlette TestClient) against the fake Rasa."""
from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from bot.limits import MAX_MESSAGE_CHARS
from bot.webchat.app import catalogue, create_app
from bot.webchat.settings import WebchatSettings
from channel_fakes import CHOICE_PAYLOADS

SESSION = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def client(fake_rasa):
    with TestClient(create_app(WebchatSettings(rasa_url=fake_rasa.url, rasa_timeout=5))) as client:
        yield client


def chat(client, **body):
    return client.post("/api/chat", json={"session": SESSION, **body})


def test_chat_goes_to_the_citizen_channel_with_the_desk_context(client, fake_rasa):
    response = chat(client, message="giấy khai sinh", unit="demo-phuong-trung-tam", desk="quay-2", language="vi")
    assert response.status_code == 200
    messages = response.json()["messages"]
    assert messages[0]["text"] == "Bạn muốn hỏi thủ tục nào?"
    assert messages[0]["buttons"][0] == {"title": "Đăng ký khai sinh", "payload": CHOICE_PAYLOADS[0]}
    sent = fake_rasa.requests[0]
    assert sent["sender"] == "web-" + SESSION  # never a Telegram user's numeric id
    assert sent["metadata"] == {"channel": "webchat", "unit": "demo-phuong-trung-tam", "desk": "quay-2",
                                "language": "vi"}


def test_unknown_unit_and_odd_desk_are_not_passed_on(client, fake_rasa):
    assert chat(client, message="hi", unit="nowhere", desk="<b>", language="fr").status_code == 200
    assert fake_rasa.requests[0]["metadata"] == {"channel": "webchat", "language": "vi"}


@pytest.mark.parametrize("body, status, code", [
    (b"{not json", 400, "invalid_request"),
    (b'["a list"]', 400, "invalid_request"),
    (b'{"session": "short", "message": "hi"}', 400, "invalid_request"),
    (b'{"session": "%s", "message": 5}' % SESSION.encode(), 400, "invalid_request"),
    (b'{"session": "%s", "message": "   "}' % SESSION.encode(), 400, "empty_message"),
    (b'{"session": "%s", "message": "%s"}' % (SESSION.encode(), b"a" * (MAX_MESSAGE_CHARS + 1)), 413, "too_long"),
    (b'{"session": "%s", "message": "%s"}' % (SESSION.encode(), b"a" * 20_000), 413, "too_long"),
])
def test_bad_requests_get_a_polite_error(client, fake_rasa, body, status, code):
    response = client.post("/api/chat", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == status
    assert response.json() == {"error": code, "message": catalogue()["vi"][code]}
    assert not fake_rasa.requests


def test_rasa_down_is_a_503_with_a_message_in_the_citizens_language(client, fake_rasa):
    fake_rasa.status = 500
    response = chat(client, message="hello", language="en")
    assert response.status_code == 503
    assert response.json()["message"] == catalogue()["en"]["rasa_unavailable"]


def test_unit_contact_comes_from_the_units_directory(client):
    from units import directory

    unit = directory().units["demo-xa-song-xanh"]
    data = client.get("/api/units/demo-xa-song-xanh").json()
    assert (data["name"], data["office_hours"], data["hotline"], data["address"]) == (
        unit.name, unit.office_hours, unit.hotline, unit.address)
    assert client.get("/api/units/nowhere").status_code == 404


def test_widget_files_and_texts_are_served(client):
    js = client.get("/widget.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    assert "innerHTML" not in js.text  # every text goes through textContent
    assert client.get("/widget.css").status_code == 200
    texts = client.get("/widget-messages.json").json()
    assert set(texts["vi"]) == set(texts["en"])


def test_demo_page_embeds_the_widget_and_escapes_what_it_is_given(client):
    page = client.get("/demo?unit=demo-xa-song-xanh&desk=quay-3")
    assert '<script src="/widget.js" data-unit="demo-xa-song-xanh" data-desk="quay-3" data-lang="vi"' in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    hostile = client.get('/demo?unit="><script>alert(1)</script>&desk="><img src=x>')
    assert "<script>alert(1)" not in hostile.text and "<img src=x>" not in hostile.text
    assert client.get("/", follow_redirects=False).headers["location"] == "/demo"


def test_cors_lets_desk_sites_call_the_api(client):
    response = client.options("/api/chat", headers={"Origin": "https://mot-cua.example.gov.vn",
                                                    "Access-Control-Request-Method": "POST",
                                                    "Access-Control-Request-Headers": "content-type"})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] in ("*", "https://mot-cua.example.gov.vn")

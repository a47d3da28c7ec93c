"""The webchat entry point's /ready and /metrics."""
from __future__ import annotations

import gc

import httpx
import pytest
from starlette.testclient import TestClient

import store
from bot.rasa_client import RasaClient
from bot.webchat.app import create_app
from bot.webchat.settings import WebchatSettings


@pytest.fixture
def database(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'app.db'}")
    monkeypatch.delenv("APP_ENV", raising=False)
    store.reset_database()
    yield
    store.reset_database()


def entry_point(up: set[str]) -> TestClient:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host not in up:
            raise httpx.ConnectError("refused")
        if request.method == "GET":
            return httpx.Response(200, text="Hello from Rasa")
        return httpx.Response(200, json=[{"text": "ok", "response": "utter_answer_fee"}])

    rasa = RasaClient("http://rasa-a:5005,http://rasa-b:5006", transport=httpx.MockTransport(handler))
    return TestClient(create_app(WebchatSettings(), rasa=rasa))


def test_ready_when_a_replica_and_the_database_answer(database):
    with entry_point({"rasa-b"}) as client:
        response = client.get("/ready")
        assert response.status_code == 200
        assert response.json() == {"ready": True, "rasa_replicas": {"rasa-a:5005": False, "rasa-b:5006": True},
                                   "database": "ok"}


def test_not_ready_without_any_replica(database):
    with entry_point(set()) as client:
        response = client.get("/ready")
        assert response.status_code == 503 and response.json()["ready"] is False
        assert client.get("/health").status_code == 200  # alive all the same


def test_not_ready_without_the_database(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    store.reset_database()
    try:
        with entry_point({"rasa-a", "rasa-b"}) as client:
            body = client.get("/ready").json()
            assert body["ready"] is False and body["database"].startswith("unreachable")
            assert "nobody" not in body["database"]  # no connection details on a public endpoint
    finally:
        store.reset_database()


def test_metrics_count_turns_of_the_entry_point(database):
    with entry_point({"rasa-a", "rasa-b"}) as client:
        client.post("/api/chat", json={"session": "abcdefghijklmnop1234", "message": "phí bao nhiêu?"})
        text = client.get("/metrics").text
    assert 'tthc_turns_total{channel="webchat",outcome="answered"}' in text
    assert 'tthc_replies_total{response="utter_answer_fee"}' in text


def _sample(text: str, name: str, **labels: str) -> float:
    from prometheus_client.parser import text_string_to_metric_families

    for family in text_string_to_metric_families(text):
        for found in family.samples:
            if found.name == name and all(found.labels.get(k) == v for k, v in labels.items()):
                return found.value
    return 0.0


def test_metrics_export_the_rate_limiters_decisions(database):
    from bot.rate_limit import Rate

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=[{"text": "ok"}])

    rasa = RasaClient("http://rasa-a:5005", transport=httpx.MockTransport(handler))
    settings = WebchatSettings(session_rate=Rate(2, 60))
    session = {"scope": "chat-session"}
    # /metrics sums the limiters still alive: let earlier tests' apps (and their counts) go now, not
    # when the collector happens to run between the two readings below
    gc.collect()
    with TestClient(create_app(settings, rasa=rasa)) as client:
        before = client.get("/metrics").text
        for _ in range(3):
            client.post("/api/chat", json={"session": "ratelimitmetrics0001", "message": "phí bao nhiêu?"})
        after = client.get("/metrics").text
    name = "tthc_rate_limit_decisions_total"
    assert _sample(after, name, **session, outcome="allowed") - _sample(before, name, **session, outcome="allowed") == 2
    assert _sample(after, name, **session, outcome="limited") - _sample(before, name, **session, outcome="limited") == 1
    assert _sample(after, name, scope="chat-address", outcome="allowed") >= 3


@pytest.mark.parametrize("address, allowed", [("127.0.0.1", True), ("10.1.2.3", True), ("192.168.0.9", True),
                                              ("::1", True), ("1.1.1.1", False), ("8.8.8.8", False)])
def test_metrics_answer_loopback_and_private_addresses_only(database, address, allowed):
    with TestClient(create_app(WebchatSettings(), rasa=RasaClient("http://rasa-a:5005")),
                    client=(address, 40000)) as client:
        response = client.get("/metrics")
    assert response.status_code == (200 if allowed else 403)

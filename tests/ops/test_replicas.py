"""Several Rasa replicas behind one client: sticky by sender, failover when a replica is down, a turn
that failed inside Rasa reported as unavailable, metrics counted from outside the dialogue."""
from __future__ import annotations

import asyncio
from collections import Counter

import httpx
import pytest

from bot.rasa_client import RasaClient, RasaUnavailable
from ops import metrics

URLS = "http://rasa-a:5005, http://rasa-b:5006/"


def run(client: RasaClient, *calls):
    async def scenario():
        try:
            return [await client.send(*call) for call in calls]
        finally:
            await client.aclose()
    return asyncio.run(scenario())


def client(handler) -> RasaClient:
    return RasaClient(URLS, transport=httpx.MockTransport(handler), retry_delay=0)


def test_senders_stick_to_one_replica_and_spread_over_both():
    hosts = []

    def handler(request):
        hosts.append((request.url.host, request.read()))
        return httpx.Response(200, json=[{"text": "ok"}])

    senders = [f"web-{i:016d}" for i in range(40)]
    run(client(handler), *[(s, "xin chào") for s in senders], *[(s, "cảm ơn") for s in senders])
    by_sender = {}
    for host, body in hosts:
        sender = body.split(b'"sender":"')[1].split(b'"')[0]
        by_sender.setdefault(sender, set()).add(host)
    assert all(len(h) == 1 for h in by_sender.values())  # sticky
    spread = Counter(next(iter(h)) for h in by_sender.values())
    assert set(spread) == {"rasa-a", "rasa-b"} and min(spread.values()) >= 10


def test_a_replica_that_cannot_be_reached_fails_over_and_is_skipped_for_a_while():
    seen = []

    def handler(request):
        seen.append(request.url.host)
        if request.url.host == "rasa-a":
            raise httpx.ConnectError("refused")
        return httpx.Response(200, json=[{"text": "ok"}])

    probe = RasaClient(URLS)
    sender = next(f"web-{i:016d}" for i in range(100) if probe.replica_for(f"web-{i:016d}") == 0)
    failovers = metrics.RASA_FAILOVERS._value.get()
    replies = run(client(handler), (sender, "một"), (sender, "hai"))
    assert [r[0].text for r in replies] == ["ok", "ok"]
    assert seen == ["rasa-a", "rasa-b", "rasa-b"]  # the second turn does not wait for rasa-a again
    assert metrics.RASA_FAILOVERS._value.get() == failovers + 1


def test_an_answer_that_may_have_reached_rasa_is_not_sent_twice():
    seen = []

    def handler(request):
        seen.append(request.url.host)
        raise httpx.ReadTimeout("slow")

    with pytest.raises(RasaUnavailable):
        run(client(handler), ("web-0000000000000001", "một"))
    assert len(seen) == 1


def test_an_empty_answer_is_a_failed_turn_except_for_a_restart():
    def handler(request):
        return httpx.Response(200, json=[])

    with pytest.raises(RasaUnavailable, match="no message"):
        run(client(handler), ("web-0000000000000001", "thế phí bao nhiêu?"))
    assert run(client(handler), ("web-0000000000000001", "/restart")) == [[]]


def test_turns_latency_and_fallbacks_are_counted_by_channel():
    def handler(request):
        if b"xyz" in request.read():
            return httpx.Response(200, json=[{"text": "Xin lỗi…", "response": "utter_not_found"},
                                             {"text": "Liên hệ", "response": "utter_handoff"}])
        return httpx.Response(200, json=[{"text": "7 ngày", "response": "utter_answer_time"}])

    before = (metrics.TURNS.labels("kiosk", "answered")._value.get(),
              metrics.FALLBACK_TURNS.labels("kiosk")._value.get())
    replies = run(client(handler), ("web-0000000000000001", "xyz", {"channel": "kiosk"}),
                  ("web-0000000000000001", "căn cước", {"channel": "kiosk"}))
    assert replies[0][0].to_json() == {"text": "Xin lỗi…", "buttons": []}  # the name is not shown to anyone
    after = (metrics.TURNS.labels("kiosk", "answered")._value.get(),
             metrics.FALLBACK_TURNS.labels("kiosk")._value.get())
    assert (after[0] - before[0], after[1] - before[1]) == (2, 1)
    assert b'tthc_turn_seconds_bucket{channel="kiosk"' in metrics.exposition()[0]


def test_a_replica_that_died_behind_a_kept_alive_connection_fails_over():
    """A killed replica answers a reused connection with a read error; a new connection is refused."""
    seen = []

    def handler(request):
        seen.append((request.method, request.url.host))
        if request.url.host == "rasa-a":
            raise httpx.ReadError("") if request.method == "POST" else httpx.ConnectError("refused")
        return httpx.Response(200, json=[{"text": "ok"}])

    probe = RasaClient(URLS)
    sender = next(f"web-{i:016d}" for i in range(100) if probe.replica_for(f"web-{i:016d}") == 0)
    [reply] = run(client(handler), (sender, "thế phí bao nhiêu?"))
    assert reply[0].text == "ok" and seen == [("POST", "rasa-a"), ("GET", "rasa-a"), ("POST", "rasa-b")]


def test_a_read_error_from_a_live_replica_is_not_sent_twice():
    seen = []

    def handler(request):
        seen.append(request.method)
        if request.method == "POST":
            raise httpx.ReadError("reset")
        return httpx.Response(200, text="Hello from Rasa")

    with pytest.raises(RasaUnavailable):
        run(client(handler), ("web-0000000000000001", "một"))
    assert seen == ["POST", "GET"]

"""Rasa's citizen channel (bot/channels/citizen.py) under hostile input: served by Sanic in Rasa's own
environment (citizen_channel_server.py, with a stand-in agent instead of a trained model), probed over
HTTP from here. 200 generated inputs: the rest of the 1,000 are in test_hostile_inputs.py."""
from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.ports import free_port

from bot import limits
from hostile import BAD_TEXT, hostile_text, json_values, maybe, raw_garbage, to_json_bytes

REPO = Path(__file__).resolve().parents[2]
RASA_PYTHON = REPO / ".venvs" / "rasa" / "bin" / "python"
EXAMPLES = 200
TEXTS = {"vi": "Tin nhắn quá dài. Bạn hãy hỏi ngắn gọn trong một hai câu nhé.",
         "en": "That message is too long. Please ask in one or two sentences."}


@pytest.fixture(scope="module")
def channel(tmp_path_factory):
    if not RASA_PYTHON.exists():
        pytest.skip(f"Rasa's environment not found at {RASA_PYTHON}")
    port = free_port()
    log = tmp_path_factory.mktemp("citizen") / "server.log"
    env = dict(os.environ, PYTHONPATH=str(REPO), RASA_TELEMETRY_ENABLED="false")
    with open(log, "wb") as out:
        server = subprocess.Popen([str(RASA_PYTHON), str(Path(__file__).with_name("citizen_channel_server.py")),
                                   str(port)], cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/webhooks/citizen"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the citizen channel did not start:\n{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.2)
        with httpx.Client(base_url=base, timeout=10) as client:
            yield client
    finally:
        server.terminate()
        server.wait(10)


def received(response) -> dict:
    """What reached the agent, as the stand-in reported it."""
    return next(m["custom"]["received"] for m in response.json() if "custom" in m)


def test_an_over_long_message_is_refused_politely_without_a_turn(channel):
    body = {"sender": "s1", "message": "x" * (limits.MAX_MESSAGE_CHARS + 1)}
    vietnamese = channel.post("/webhook", json=body)
    english = channel.post("/webhook", json=dict(body, metadata={"language": "en"}))
    assert vietnamese.status_code == english.status_code == 413
    assert vietnamese.json()[0]["text"] == TEXTS["vi"] and english.json()[0]["text"] == TEXTS["en"]
    assert all("custom" not in m for m in vietnamese.json() + english.json())  # no turn


def test_an_oversized_body_is_refused_in_the_language_asked_for(channel):
    body = json.dumps({"sender": "s1", "message": "hi", "padding": "p" * limits.MAX_BODY_BYTES}).encode()
    response = channel.post("/webhook", content=body, headers={"Accept-Language": "en-US"})
    assert response.status_code == 413 and response.json()[0]["text"] == TEXTS["en"]


def test_the_catalogue_matches_the_widgets_words():
    from bot.webchat.app import catalogue

    assert TEXTS == {language: catalogue()[language]["too_long"] for language in ("vi", "en")}


def test_text_sender_and_metadata_arrive_clean(channel):
    response = channel.post("/webhook", content=to_json_bytes({
        "sender": "web-\x00abc\ud800", "message": "làm\x00 căn cước \ud83d",
        "metadata": {"language": "en", "unit": "demo-hcc\x07", "desk": "q" * 500, "role": "admin"}}))
    assert response.status_code == 200
    assert received(response) == {"text": "làm căn cước \ufffd", "sender": "web-abc\ufffd",
                                  "metadata": {"language": "en", "unit": "demo-hcc", "desk": "q" * 64}}


channel_bodies = st.one_of(
    st.fixed_dictionaries({}, optional={"sender": maybe(hostile_text), "message": maybe(hostile_text),
                                        "metadata": maybe(st.dictionaries(
                                            st.sampled_from(["channel", "unit", "desk", "language", "x"]),
                                            maybe(hostile_text), max_size=5))}).map(to_json_bytes),
    json_values.map(to_json_bytes),
    raw_garbage,
)


def test_hostile_bodies_never_crash_the_channel(channel):
    seen = []

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(body=channel_bodies)
    def check(body):
        seen.append(body)
        response = channel.post("/webhook", content=body, headers={"Content-Type": "application/json"})
        assert response.status_code in (200, 413), (response.status_code, body[:200])
        if response.status_code == 413:
            assert response.json()[0]["text"] in TEXTS.values()
            return
        turn = received(response)
        assert isinstance(turn["text"], str) and len(turn["text"]) <= limits.MAX_MESSAGE_CHARS
        assert not BAD_TEXT.search(turn["text"]) and not BAD_TEXT.search(turn["sender"])
        assert 0 < len(turn["sender"]) <= limits.MAX_SENDER_CHARS
        metadata = turn["metadata"] or {}
        assert set(metadata) <= {"channel", "unit", "desk", "language"}
        assert all(isinstance(v, str) and len(v) <= 64 and not BAD_TEXT.search(v) for v in metadata.values())

    check()
    assert len(seen) >= EXAMPLES

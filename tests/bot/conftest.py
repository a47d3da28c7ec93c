"""Fixtures for the channel tests: a fake Rasa and a fake Telegram Bot API on local ports (no network)."""
from __future__ import annotations

import socket

import pytest

from channel_fakes import FakeRasa, FakeTelegram


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives Debian's chromium with Playwright (skipped without it)")


@pytest.fixture
def fake_rasa():
    server = FakeRasa().start()
    yield server
    server.stop()


@pytest.fixture
def fake_telegram():
    server = FakeTelegram().start()
    yield server
    server.stop()


@pytest.fixture
def closed_port_url() -> str:
    """A URL where nothing listens: Rasa down."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"

"""Fixtures for the channel tests: a fake Rasa and a fake Telegram Bot API on local ports (no network)."""
from __future__ import annotations

import shutil

import pytest

from bench.ports import free_port

from channel_fakes import FakeRasa, FakeTelegram

# Debian's chromium, driven by Playwright (its own browser download is never used)
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


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
    return f"http://127.0.0.1:{free_port()}"


# one browser per test module (the widget's and the dashboard's)
@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM:
        pytest.skip("chromium is not installed (apt-get install -y chromium); browser tests need it")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()
    playwright.stop()

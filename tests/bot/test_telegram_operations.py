"""The Telegram process's /health, /ready and /metrics listener (bot/telegram/operations.py): in process
against the fake Bot API, and through the real entry point (`python -m bot.telegram`) in production
long polling and in webhook mode."""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bench.ports import free_port

from bot.telegram.app import build_application
from bot.telegram.settings import DEFAULT_OPS_PORT, SettingsError, TelegramSettings
from channel_fakes import message_update

TOKEN = "123456:TEST-token"
REPO_ROOT = Path(__file__).resolve().parents[2]


def sample(metrics_text: str, name: str, **labels: str) -> float:
    for family in text_string_to_metric_families(metrics_text):
        for found in family.samples:
            if found.name == name and all(found.labels.get(k) == v for k, v in labels.items()):
                return found.value
    return 0.0


def test_the_listener_is_on_in_production_and_webhook_mode_only():
    base = {"TELEGRAM_BOT_TOKEN": TOKEN}
    assert TelegramSettings.from_env(base).ops_port is None  # a laptop's long polling
    assert TelegramSettings.from_env({**base, "APP_ENV": "production"}).ops_port == DEFAULT_OPS_PORT
    webhook = {**base, "TELEGRAM_MODE": "webhook", "TELEGRAM_WEBHOOK_URL": "https://bot.example/telegram/webhook",
               "TELEGRAM_WEBHOOK_SECRET": "s3cret-token-for-tests_0123456789"}
    assert TelegramSettings.from_env(webhook).ops_port == DEFAULT_OPS_PORT
    assert TelegramSettings.from_env({**webhook, "TELEGRAM_OPS_PORT": "off"}).ops_port is None
    assert TelegramSettings.from_env({**base, "TELEGRAM_OPS_PORT": "9191"}).ops_port == 9191
    assert TelegramSettings.from_env({**base, "TELEGRAM_OPS_PORT": "9191"}).ops_host == "127.0.0.1"
    with pytest.raises(SettingsError, match="TELEGRAM_OPS_PORT"):
        TelegramSettings.from_env({**base, "TELEGRAM_OPS_PORT": "nine"})


def test_ready_once_polling_runs_and_metrics_count_the_rate_limiter(fake_telegram, fake_rasa):
    port = free_port()
    settings = TelegramSettings(token=TOKEN, api_url=fake_telegram.url, rasa_url=fake_rasa.url, rasa_timeout=5,
                                ops_port=port)

    async def scenario():
        application = build_application(settings)
        async with application:
            await application.post_init(application)
            try:
                async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=5) as http:
                    assert (await http.get("/health")).text == "ok"
                    starting = await http.get("/ready")  # initialised, not yet receiving updates
                    before = (await http.get("/metrics")).text
                    await application.updater.start_polling(poll_interval=0.05)
                    await application.start()
                    ready = await http.get("/ready")
                    fake_telegram.push(message_update("làm giấy khai sinh thế nào?", user_id=5151))
                    await asyncio.to_thread(fake_telegram.wait_for, lambda: fake_telegram.called("sendMessage"))
                    after = (await http.get("/metrics")).text
                    await application.updater.stop()
                    await application.stop()
                    stopped = await http.get("/ready")
            finally:
                await application.post_shutdown(application)
        return starting, ready, stopped, before, after

    starting, ready, stopped, before, after = asyncio.run(scenario())
    assert starting.status_code == 503 and starting.json()["telegram"] == "starting"
    assert ready.status_code == 200, ready.json()
    assert ready.json() == {"ready": True, "telegram": "ok",
                            "rasa_replicas": {fake_rasa.url.removeprefix("http://"): True}}
    assert stopped.status_code == 503
    allowed = {"scope": "telegram-chat", "outcome": "allowed"}
    assert sample(after, "tthc_rate_limit_decisions_total", **allowed) == \
        sample(before, "tthc_rate_limit_decisions_total", **allowed) + 1
    answered = {"channel": "telegram", "outcome": "answered"}
    assert sample(after, "tthc_turns_total", **answered) == sample(before, "tthc_turns_total", **answered) + 1
    with pytest.raises(httpx.ConnectError):  # the listener closes with the bot
        httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)


def test_not_ready_while_rasa_is_down(fake_telegram, closed_port_url):
    port = free_port()
    settings = TelegramSettings(token=TOKEN, api_url=fake_telegram.url, rasa_url=closed_port_url, rasa_timeout=5,
                                ops_port=port)

    async def scenario():
        application = build_application(settings)
        async with application:
            await application.post_init(application)
            try:
                await application.updater.start_polling(poll_interval=0.05)
                await application.start()
                async with httpx.AsyncClient(timeout=5) as http:
                    response = await http.get(f"http://127.0.0.1:{port}/ready")
                await application.updater.stop()
                await application.stop()
            finally:
                await application.post_shutdown(application)
        return response

    response = asyncio.run(scenario())
    assert response.status_code == 503
    assert response.json()["telegram"] == "ok" and not any(response.json()["rasa_replicas"].values())


def _wait_ready(url: str, process: subprocess.Popen, timeout: float = 90) -> httpx.Response:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[0]
        try:
            last = httpx.get(url, timeout=2)
            if last.status_code == 200:
                return last
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"not ready after {timeout} s: {last and last.text}")


@pytest.mark.parametrize("mode", ["polling", "webhook"])
def test_the_entry_point_serves_health_ready_and_metrics(mode, fake_telegram, fake_rasa, tmp_path):
    ops_port = free_port()
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": str(REPO_ROOT), "HOME": str(tmp_path),
           "APP_ENV": "production", "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": fake_telegram.url,
           "RASA_URL": fake_rasa.url, "TELEGRAM_OPS_PORT": str(ops_port), "LOG_FORMAT": "json"}
    if mode == "webhook":
        env.update(TELEGRAM_MODE="webhook", TELEGRAM_WEBHOOK_URL="https://bot.example/telegram/webhook",
                   TELEGRAM_WEBHOOK_SECRET="s3cret-token-for-tests_0123456789_abcdef",
                   TELEGRAM_WEBHOOK_LISTEN="127.0.0.1", TELEGRAM_WEBHOOK_PORT=str(free_port()))
    process = subprocess.Popen([sys.executable, "-m", "bot.telegram"], cwd=REPO_ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        ready = _wait_ready(f"http://127.0.0.1:{ops_port}/ready", process)
        assert ready.json()["telegram"] == "ok"
        assert httpx.get(f"http://127.0.0.1:{ops_port}/health", timeout=5).text == "ok"
        metrics = httpx.get(f"http://127.0.0.1:{ops_port}/metrics", timeout=5)
        assert metrics.status_code == 200 and "tthc_rate_limit_decisions" in metrics.text
        assert "tthc_rasa_replica_up" in metrics.text
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            output = process.communicate(timeout=30)[0]
        except subprocess.TimeoutExpired:
            process.kill()
            output = process.communicate()[0]
    assert "Traceback" not in output, output

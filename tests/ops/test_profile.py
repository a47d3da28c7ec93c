"""The production profile's settings: secrets refused with a clear message, derived settings."""
from __future__ import annotations

import secrets
import subprocess
import sys

import pytest

from ops import profile

GOOD = {"SURVEY_SECRET": secrets.token_urlsafe(48), "DASHBOARD_SECRET": secrets.token_urlsafe(48),
        "RASA_AUTH_TOKEN": secrets.token_hex(24), "DATABASE_URL": "postgresql+psycopg://tthc:pw@db:5432/tthc"}


def test_the_laptop_needs_no_secret():
    profile.check_secrets("webchat", {})


@pytest.mark.parametrize("value, problem", [
    (None, "is not set"), ("short", "shorter than 32"), ("CHANGE-ME" * 5, "placeholder"),
    ("x" * 40, "placeholder"), ("dev-only-survey-secret-do-not-use-in-production", "placeholder"),
])
def test_production_refuses_a_missing_short_or_placeholder_secret(value, problem):
    env = {**GOOD, "APP_ENV": "production"}
    env.pop("SURVEY_SECRET")
    if value is not None:
        env["SURVEY_SECRET"] = value
    with pytest.raises(profile.ProductionSettingsError, match=f"SURVEY_SECRET {problem}|SURVEY_SECRET.*{problem}"):
        profile.check_secrets("actions", env)


def test_production_needs_postgresql_and_each_process_its_secrets():
    env = {**GOOD, "APP_ENV": "production", "DATABASE_URL": "sqlite:///var/app.db"}
    with pytest.raises(profile.ProductionSettingsError, match="PostgreSQL"):
        profile.check_secrets("webchat", env)
    profile.check_secrets("rasa", {"APP_ENV": "production", "RASA_AUTH_TOKEN": GOOD["RASA_AUTH_TOKEN"]})
    with pytest.raises(profile.ProductionSettingsError, match="TELEGRAM_WEBHOOK_SECRET is not set"):
        profile.check_secrets("telegram", {"APP_ENV": "production", "TELEGRAM_MODE": "webhook"})


def test_a_process_exits_with_the_reason_not_a_traceback():
    result = subprocess.run([sys.executable, "-m", "bot.webchat"], capture_output=True, text=True, timeout=60,
                            env={"APP_ENV": "production", "PATH": "/usr/bin:/bin", "PYTHONPATH": "."})
    assert result.returncode == 2
    assert "webchat refuses to start: SURVEY_SECRET is not set" in result.stderr and "Traceback" not in result.stderr


def test_derived_settings_follow_database_redis_and_replicas():
    plan = profile.layout({"DATABASE_URL": "postgresql+psycopg://tthc:s%40cret@db.local:5433/tthc",
                           "REDIS_URL": "redis://:pw@cache:6380/0", "RASA_REPLICAS": "3"})
    assert plan.rasa_ports == (5005, 5006, 5007) and plan.action_ports == (5055, 5056, 5057)
    assert plan.tracker == {"TRACKER_DB_HOST": "db.local", "TRACKER_DB_PORT": "5433", "TRACKER_DB_NAME": "tthc",
                            "TRACKER_DB_USER": "tthc", "TRACKER_DB_PASSWORD": "s@cret"}
    assert plan.redis["REDIS_HOST"] == "cache" and plan.redis["REDIS_PASSWORD"] == "pw"
    assert plan.rasa_url() == "http://127.0.0.1:5005,http://127.0.0.1:5006,http://127.0.0.1:5007"
    with pytest.raises(profile.ProductionSettingsError):
        profile.layout({"RASA_REPLICAS": "0"})


@pytest.mark.parametrize("name, value, problem", [
    ("RASA_REPLICAS", "two", "RASA_REPLICAS must be a whole number between 1 and 16, not 'two'"),
    ("RASA_REPLICAS", "17", "between 1 and 16"),
    ("RASA_PORT", "5005x", "RASA_PORT must be a whole number between 1 and 65534"),
    ("ACTIONS_PORT", "65535", "ACTIONS_PORT must be a whole number between 1 and 65534"),  # room for 2 replicas
    ("WEBCHAT_PORT", "-1", "WEBCHAT_PORT must be a whole number between 1 and 65535"),
    ("ACTIONS_PORT", "5006", "the ports overlap: Rasa 5005-5006, action servers 5006-5007"),
    ("WEBCHAT_PORT", "5055", "the ports overlap"),
])
def test_a_setting_that_is_no_number_or_overlaps_is_named(name, value, problem):
    with pytest.raises(profile.ProductionSettingsError) as error:
        profile.layout({name: value})
    assert problem in str(error.value)


def test_check_refuses_ports_already_in_use_naming_each(monkeypatch, capsys):
    import socket

    from bench.ports import free_port

    for name, value in {**GOOD, "APP_ENV": "production"}.items():
        monkeypatch.setenv(name, value)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        monkeypatch.setenv("RASA_REPLICAS", "1")
        monkeypatch.setenv("RASA_PORT", str(free_port()))
        monkeypatch.setenv("ACTIONS_PORT", str(port))
        monkeypatch.setenv("WEBCHAT_PORT", str(free_port()))
        assert profile.main(["check"]) == 2
    assert f"already in use: port {port} (action server 0)" in capsys.readouterr().err
    assert profile.main(["check"]) == 0  # free again

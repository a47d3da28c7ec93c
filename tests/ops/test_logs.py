"""Structured logs: one JSON object per line, no personal data."""
from __future__ import annotations

import json
import logging

from ops import logs


def record(message: str, *args, **extra) -> logging.LogRecord:
    rec = logging.LogRecord("actions.survey", logging.INFO, __file__, 1, message, args, None)
    rec.__dict__.update(extra)
    return rec


def test_a_json_line_with_sender_ids_hashed_and_numbers_removed():
    line = logs.JsonFormatter("actions").format(record(
        "survey link refused for %s, call %s or %s, id %s", "web-abcdefghijklmnop1234", "0912 345 678",
        "a@b.vn", "001203004567", replica=1))
    entry = json.loads(line)
    assert entry["process"] == "actions" and entry["level"] == "info" and entry["replica"] == 1
    assert "abcdefghijklmnop1234" not in line and logs.hash_sender("web-abcdefghijklmnop1234") in entry["message"]
    assert "0912" not in line and "a@b.vn" not in line and "001203004567" not in line


def test_exceptions_stay_on_one_line():
    try:
        raise RuntimeError("boom for web-abcdefghijklmnop1234")
    except RuntimeError:
        import sys

        rec = record("failed")
        rec.exc_info = sys.exc_info()
    line = logs.JsonFormatter("webchat").format(rec)
    assert "\n" not in line and "RuntimeError" in json.loads(line)["error"] and "abcdefghijklmnop" not in line


def test_the_format_follows_the_profile(monkeypatch):
    monkeypatch.delenv("LOG_FORMAT", raising=False)
    monkeypatch.setenv("APP_ENV", "production")
    assert isinstance(logs.formatter("x"), logs.JsonFormatter)
    monkeypatch.delenv("APP_ENV")
    assert isinstance(logs.formatter("x"), logs.RedactingFormatter)
    monkeypatch.setenv("LOG_FORMAT", "json")
    assert isinstance(logs.formatter("x"), logs.JsonFormatter)


def test_hashed_senders_are_stable_and_distinct():
    assert logs.hash_sender("web-a" * 4) == logs.hash_sender("web-a" * 4) != logs.hash_sender("web-b" * 4)
    assert logs.hash_sender(None) == "-"


_SANIC_APP_THEN_UNCAUGHT = r"""
import logging, sanic
from ops import logs
logs.configure("actions")
from sanic import Sanic
Sanic("created_after_configure")  # configure_logging=True: Sanic applies its own logging defaults
try:
    raise OSError("address already in use")
except OSError:
    logging.getLogger("sanic.error").exception("Unable to start server")
raise OSError("address already in use")
"""


def test_sanic_s_own_logging_and_an_uncaught_error_are_json_lines_too():
    """Sanic's default logging configuration (applied when an app is created) and an exception nothing
    caught used to print text lines in a JSON log (seen when a port was taken)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    done = subprocess.run([sys.executable, "-c", _SANIC_APP_THEN_UNCAUGHT], capture_output=True, text=True,
                          timeout=120, cwd=Path(__file__).resolve().parents[2],
                          env=dict(os.environ, LOG_FORMAT="json", SANIC_NO_UVLOOP="true"))
    assert done.returncode == 1
    entries = [json.loads(line) for line in done.stderr.splitlines() if line.strip()]  # every line JSON
    assert [(e["logger"], e["level"]) for e in entries] == [("sanic.error", "error"), ("uncaught", "critical")]
    assert all("address already in use" in e["error"] for e in entries)

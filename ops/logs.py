"""Logs: one JSON object per line when `LOG_FORMAT=json` (the default with APP_ENV=production), plain
text otherwise, and never personal data in either.

What a log line may not carry: message text, phone numbers, e-mail addresses, identity numbers, or a
conversation's sender id (a widget session or a Telegram chat id identifies a person's conversation).
Code logs `hash_sender(sender)`; as a safety net the formatter also replaces anything that looks like
one of these in the final line. Standard library only: Rasa's environment (Python 3.10) loads this too.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import re
import sys
from typing import Optional

_PHONE = re.compile(r"(?<![\w.])(?:\+?84|0)(?:[\s.\-]?\d){8,10}(?![\w])")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_ID_NUMBER = re.compile(r"(?<!\d)\d{12}(?!\d)")
# widget sessions (web-<16–64 chars>) and survey senders; Telegram chat ids travel as tg-<digits>
_SENDER = re.compile(r"\b(?P<kind>web|tg|telegram)-(?P<id>[A-Za-z0-9_-]{4,64})")
_RECORD_FIELDS = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


def hash_sender(sender: Optional[str]) -> str:
    """A stable, non-reversible name for a conversation in logs and metrics (12 hex characters)."""
    if not sender:
        return "-"
    return "s-" + hashlib.sha256(("tthc-log:" + sender).encode()).hexdigest()[:12]


def redact(text: str) -> str:
    text = _SENDER.sub(lambda m: hash_sender(m.group(0)), text)
    text = _EMAIL.sub("[email]", text)
    text = _ID_NUMBER.sub("[id-number]", text)
    return _PHONE.sub("[phone]", text)


class JsonFormatter(logging.Formatter):
    """{"time", "level", "process", "logger", "message", ...extra fields, "error"?} on one line."""

    def __init__(self, process: str):
        super().__init__()
        self.process = process

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, dt.timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "process": self.process,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        for key, value in vars(record).items():  # structured extras: logger.info("…", extra={"replica": 1})
            if key not in _RECORD_FIELDS and not key.startswith("_"):
                entry[key] = redact(value) if isinstance(value, str) else value
        if record.exc_info:
            entry["error"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


class RedactingFormatter(logging.Formatter):
    """The laptop's plain text lines, with the same redaction."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def log_format(env=None) -> str:
    env = os.environ if env is None else env
    default = "json" if env.get("APP_ENV", "").strip().lower() == "production" else "text"
    return (env.get("LOG_FORMAT") or default).strip().lower()


def formatter(process: str) -> logging.Formatter:
    if log_format() == "json":
        return JsonFormatter(process)
    return RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")


def configure(process: str, level: Optional[str] = None) -> None:
    """Send every log record of this process to stderr in the configured format (replaces handlers)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter(process))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level or os.environ.get("LOG_LEVEL", "INFO"))
    logging.captureWarnings(True)  # library warnings become log records in the same format
    # sentence-transformers draws a progress bar on stderr for every query while its logger is at INFO
    logging.getLogger("sentence_transformers").setLevel(logging.WARNING)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", *SANIC_LOGGERS, "rasa_sdk", "rasa"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
    if "sanic" in sys.modules:
        sanic_defaults_to_root()
    sys.excepthook = _log_uncaught


SANIC_LOGGERS = ("sanic.root", "sanic.error", "sanic.access")


def sanic_defaults_to_root() -> None:
    """A Sanic app created with configure_logging=True (Rasa's API server is) applies
    sanic.log.LOGGING_CONFIG_DEFAULTS when it is created, after this module configured the process: its
    loggers then print Sanic's own text lines ("[date] [pid] [ERROR] Unable to start server" when the
    port is taken). Emptied in place (Sanic reads that very dict), they reach the root handler instead."""
    from sanic import log

    defaults = log.LOGGING_CONFIG_DEFAULTS
    defaults["formatters"], defaults["handlers"] = {}, {}
    defaults["loggers"] = {name: {"handlers": [], "propagate": True} for name in SANIC_LOGGERS}  # levels: theirs


def _log_uncaught(kind, error, traceback) -> None:
    """An exception nothing caught (a port already in use, a bad configuration) is one log line in the
    process's format too, not a bare traceback on stderr."""
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, error, traceback)
        return
    logging.getLogger("uncaught").critical("%s: the process stops", kind.__name__, exc_info=(kind, error, traceback))


def uvicorn_log_config(process: str) -> dict:
    """uvicorn's logging configuration in our format. Access lines carry client addresses and query
    strings (survey tokens), so they are off unless LOG_ACCESS=1."""
    access = os.environ.get("LOG_ACCESS", "0") == "1"
    return {
        "version": 1, "disable_existing_loggers": False,
        "formatters": {"main": {"()": "ops.logs.formatter", "process": process}},
        "handlers": {"main": {"class": "logging.StreamHandler", "formatter": "main", "stream": "ext://sys.stderr"}},
        "loggers": {"uvicorn": {"handlers": ["main"], "level": "INFO", "propagate": False},
                    "uvicorn.access": {"handlers": ["main"] if access else [], "level": "INFO", "propagate": False}},
        "root": {"handlers": ["main"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    }

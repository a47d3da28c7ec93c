"""Fixtures of the security tests: the channel fakes of tests/bot (fake Rasa, fake Telegram Bot API)
and the store's database fixtures of tests/store (SQLite, and the real PostgreSQL when it answers),
reused rather than copied."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TESTS / "bot"))  # channel_fakes


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_bot_fixtures = _load("security_bot_fixtures", TESTS / "bot" / "conftest.py")
_store_fixtures = _load("security_store_fixtures", TESTS / "store" / "conftest.py")

fake_rasa = _bot_fixtures.fake_rasa
fake_telegram = _bot_fixtures.fake_telegram
database_url = _store_fixtures.database_url
db = _store_fixtures.db
postgres_unavailable = _store_fixtures._postgres_unavailable

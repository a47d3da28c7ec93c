"""Engine and sessions, created lazily once per process from `DATABASE_URL`."""
from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Optional

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from .models import Base

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = f"sqlite:///{REPO_ROOT / 'var' / 'app.db'}"


def database_url() -> str:
    return os.environ.get("DATABASE_URL") or DEFAULT_URL


class Database:
    def __init__(self, url: str):
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
            database = Path(parsed.database)
            if not database.is_absolute():  # relative SQLite paths are relative to the repository
                database = REPO_ROOT / database
            database.parent.mkdir(parents=True, exist_ok=True)
            parsed = parsed.set(database=str(database))
        self.url = parsed
        self.engine: Engine = create_engine(parsed, pool_pre_ping=True)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._tables_ready = False
        self._lock = threading.Lock()

    def create_tables(self) -> None:
        with self._lock:
            if not self._tables_ready:
                Base.metadata.create_all(self.engine)
                self._tables_ready = True

    @contextmanager
    def session(self) -> Iterator[Session]:
        self.create_tables()
        with self._sessions() as session, session.begin():
            yield session


_lock = threading.Lock()
_database: Optional[Database] = None


def database() -> Database:
    """The process's database, opened on first use."""
    global _database
    with _lock:
        if _database is None:
            _database = Database(database_url())
        return _database


def reset_database() -> None:
    """Forget the open database (tests, or after DATABASE_URL changed)."""
    global _database
    with _lock:
        if _database is not None:
            _database.engine.dispose()
        _database = None

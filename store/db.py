"""Engine, sessions and schema version, created lazily once per process from `DATABASE_URL`.

Alembic migrations (`store/migrations/`) own the schema. On a laptop (`APP_ENV` unset or not
`production`) the first use of a database that is behind upgrades it; in production the process refuses
to use it and says to run `python -m store upgrade` (one migration step per deployment, not one per
replica racing the others).
"""
from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Optional

from sqlalchemy import create_engine
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = f"sqlite:///{REPO_ROOT / 'var' / 'app.db'}"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class SchemaNotReady(RuntimeError):
    """The database is not at the latest migration and this process may not upgrade it."""


def database_url() -> str:
    return os.environ.get("DATABASE_URL") or DEFAULT_URL


def is_production() -> bool:
    return os.environ.get("APP_ENV", "").strip().lower() == "production"


def normalise_url(url: str):
    """The URL with a relative SQLite path made relative to the repository (and its folder created)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        database = Path(parsed.database)
        if not database.is_absolute():
            database = REPO_ROOT / database
        database.parent.mkdir(parents=True, exist_ok=True)
        parsed = parsed.set(database=str(database))
    return parsed


def alembic_config(url: Optional[str] = None, connection: Optional[Connection] = None):
    from alembic.config import Config

    config = Config(str(MIGRATIONS.parent / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    if url is not None:
        config.attributes["url"] = url
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(connection: Connection) -> Optional[str]:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def migrate(url: Optional[str] = None, revision: str = "head") -> None:
    """Upgrade the database (default: `DATABASE_URL`) to `revision`."""
    from alembic import command

    engine = create_engine(normalise_url(url or database_url()))
    try:
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection=connection), revision)
    finally:
        engine.dispose()


class Database:
    def __init__(self, url: str):
        self.url = normalise_url(url)
        # hide_parameters: a database error's message (which gets logged) never carries the values of a
        # rating (comment, call-back phone, dossier code), only the SQL
        self.engine: Engine = create_engine(self.url, pool_pre_ping=True, hide_parameters=True)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._schema_ready = False
        self._lock = threading.Lock()

    def ensure_schema(self) -> None:
        """Check once that the database is at the latest migration (upgrading it on a laptop)."""
        if self._schema_ready:
            return
        with self._lock:
            if self._schema_ready:
                return
            with self.engine.connect() as connection:
                current = current_revision(connection)
            head = head_revision()
            if current != head:
                if is_production():
                    raise SchemaNotReady(f"database at revision {current}, code expects {head}: "
                                         "run `python -m store upgrade`")
                with self.engine.begin() as connection:
                    from alembic import command

                    command.upgrade(alembic_config(connection=connection), "head")
            self._schema_ready = True

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed when the block ends, rolled back on any error."""
        self.ensure_schema()
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

"""Store fixtures: the same tests on SQLite and on a real PostgreSQL server.

PostgreSQL: `TEST_POSTGRES_URL` (default postgresql+psycopg://postgres@127.0.0.1:5432/test). Each test
gets its own schema (dropped afterwards), so runs in parallel on one server do not meet. Where no server
answers, the PostgreSQL variants are skipped with that reason; SQLite always runs.
"""
from __future__ import annotations

import os
import uuid

import pytest
import sqlalchemy as sa

import store

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
_postgres_problem: list = []


def _postgres_unavailable() -> str | None:
    if not _postgres_problem:
        try:
            engine = sa.create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
            with engine.connect() as connection:
                connection.execute(sa.text("select 1"))
            engine.dispose()
            _postgres_problem.append(None)
        except Exception as error:  # no driver, no server, refused login: all mean "cannot test here"
            _postgres_problem.append(f"no PostgreSQL server answers at {POSTGRES_URL} ({type(error).__name__}); "
                                     "set TEST_POSTGRES_URL to test against one")
    return _postgres_problem[0]


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """A fresh, empty database URL for each backend."""
    yield from fresh_database_url(request.param, tmp_path)


def fresh_database_url(backend: str, tmp_path):
    """Yields an empty database of `backend` ("sqlite" or "postgresql": its own schema, dropped after)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'app.db'}"
        return
    problem = _postgres_unavailable()
    if problem:
        pytest.skip(problem)
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(sa.text(f'create schema "{schema}"'))
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        store.reset_database()
        with admin.begin() as connection:
            connection.execute(sa.text(f'drop schema "{schema}" cascade'))
        admin.dispose()


@pytest.fixture
def db(database_url, monkeypatch):
    """The store opened on a fresh database of each backend (migrated on first use)."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.delenv("APP_ENV", raising=False)
    store.reset_database()
    yield store.database()
    store.reset_database()

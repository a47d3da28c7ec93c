"""Fixtures of the dashboard tests: a fresh database (SQLite; PostgreSQL too where a test asks), the
known month of ratings, staff accounts of each role, and signed-in clients of the real webchat app with
the dashboard mounted at /dashboard. Argon2 runs with small parameters here: the tests check the flow,
not the hash's cost."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from starlette.testclient import TestClient

from dashboard_fixtures import fill_known_month, make_accounts, make_app, sign_in
from store import staff

TESTS = Path(__file__).resolve().parents[2]


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_store_fixtures = _load("dashboard_store_fixtures", TESTS / "store" / "conftest.py")
db = _store_fixtures.db


@pytest.fixture(params=["sqlite"])
def database_url(request, tmp_path):
    """SQLite by default (fast); a test that must hold on PostgreSQL too parametrises it indirectly:
    @pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)."""
    yield from _store_fixtures.fresh_database_url(request.param, tmp_path)


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives Debian's chromium with Playwright (skipped without it)")


@pytest.fixture(autouse=True, scope="session")
def fast_argon2():
    original, dummy = staff._hasher, staff._DUMMY_HASH
    staff._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    staff._DUMMY_HASH = staff._hasher.hash("dummy")
    yield
    staff._hasher, staff._DUMMY_HASH = original, dummy


@pytest.fixture
def known_month(db):
    return fill_known_month(db)


@pytest.fixture
def app():
    return make_app()


@pytest.fixture
def client(app):
    with TestClient(app) as c:
        yield c


@pytest.fixture
def signed_in(app, known_month):
    """signed_in("can-bo-xa") -> a client signed in as that account (accounts made on first use)."""
    make_accounts()
    clients = []

    def open_as(username: str) -> TestClient:
        c = TestClient(app)
        c.__enter__()
        clients.append(c)
        response = sign_in(c, username)
        assert response.status_code == 303, response.text
        return c

    yield open_as
    for c in clients:
        c.__exit__(None, None, None)

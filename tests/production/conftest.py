"""The production profile for real (scripts/production: PostgreSQL, Redis, two Rasa replicas with their
action servers, the webchat entry point) on free loopback ports, a database of its own
(`tthc_test_faults`) and a Redis key prefix of its own; and citizens talking to it through the entry
point. Marker `production`: `scripts/test -m production` runs only these."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from bench.production_stack import ProductionStack

def pytest_configure(config):
    config.addinivalue_line("markers", "production: starts the production profile and breaks its parts (slow)")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/production/" in str(item.fspath):
            item.add_marker(pytest.mark.production)


def _services_available() -> str | None:
    if not shutil.which("redis-cli") or subprocess.run(["redis-cli", "ping"], capture_output=True).returncode:
        return "Redis is not running on 127.0.0.1:6379"
    if (not Path(".venvs/rasa/bin/python").exists()
            and not (Path(__file__).parents[2] / ".venvs/rasa/bin/python").exists()):
        return "no Rasa environment"
    return None


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    problem = _services_available()
    if problem:
        pytest.skip(problem)
    with ProductionStack(tmp_path_factory.mktemp("production"), replicas=2, database="tthc_test_faults",
                         lock_prefix="tthcfaults", encoder="hashing") as running:
        yield running


@pytest.fixture(scope="session")
def store_db(stack):
    """The stack's store, opened in this process too (to issue survey links and count rows)."""
    import store

    saved = {k: os.environ.get(k) for k in ("DATABASE_URL", "SURVEY_SECRET")}
    os.environ["DATABASE_URL"], os.environ["SURVEY_SECRET"] = stack.database_url, stack.env["SURVEY_SECRET"]
    store.reset_database()
    yield store.database()
    store.reset_database()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value

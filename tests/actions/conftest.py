"""Fixtures for action tests: a knowledge-base index built with the deterministic test encoder in a
temporary folder, the real domain, a temporary SQLite database, and trackers built offline."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from rasa_sdk.executor import CollectingDispatcher

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session", autouse=True)
def kb_index(tmp_path_factory):
    """Build the index once with KB_ENCODER=hashing and make the knowledge base use it. The settings
    are in the environment only while the index is built and loaded: left there, they reached the
    servers later test folders start (tests/e2e ran on the hashing encoder, not the production one)."""
    import knowledge_base
    from knowledge_base import index
    from knowledge_base.config import Settings

    with pytest.MonkeyPatch.context() as environment:
        environment.setenv("KB_ENCODER", "hashing")
        # the curated records only, so the expectations below do not move when bulk imports are added
        environment.setenv("KB_RECORDS_DIRS", str(REPO_ROOT / "knowledge_base" / "records"))
        environment.setenv("KB_INDEX_DIR", str(tmp_path_factory.mktemp("kb-index")))
        index.build(Settings.from_env())
        knowledge_base._default = None
        knowledge_base.default_search()  # loaded now, from these settings, and kept by the process
    yield
    knowledge_base._default = None


@pytest.fixture(autouse=True)
def database(tmp_path, monkeypatch):
    """Each test gets its own SQLite file."""
    import store

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'app.db'}")
    store.reset_database()
    yield store
    store.reset_database()


@pytest.fixture(scope="session")
def domain() -> dict:
    return yaml.safe_load((REPO_ROOT / "domain.yml").read_text(encoding="utf-8"))


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


@pytest.fixture
def tracker_for():
    from action_helpers import make_tracker

    return make_tracker



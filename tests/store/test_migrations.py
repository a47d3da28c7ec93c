"""Alembic owns the schema: upgrade from empty, adoption of a pre-migration database, the models and
the migrations agreeing, and production refusing to upgrade by itself."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

import store
from store import db as store_db

TABLES = {"alembic_version", "alerts", "login_throttle", "ratings", "staff_accounts", "staff_sessions",
          "survey_invitations", "unanswered_questions"}


def _tables(url: str) -> set[str]:
    engine = sa.create_engine(store_db.normalise_url(url))
    try:
        with engine.connect() as connection:
            return set(sa.inspect(connection).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_from_empty_creates_every_table(database_url):
    assert _tables(database_url) == set()
    store.migrate(database_url)
    assert _tables(database_url) == TABLES
    store.migrate(database_url)  # a second run is a no-op
    engine = sa.create_engine(store_db.normalise_url(database_url))
    with engine.connect() as connection:
        assert store_db.current_revision(connection) == store_db.head_revision()
    engine.dispose()


def test_models_and_migrations_agree(database_url):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    store.migrate(database_url)
    engine = sa.create_engine(store_db.normalise_url(database_url))
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, store.Base.metadata)
    engine.dispose()
    assert differences == []


def test_downgrade_then_upgrade(database_url):
    from alembic import command

    store.migrate(database_url)
    engine = sa.create_engine(store_db.normalise_url(database_url))
    with engine.begin() as connection:
        command.downgrade(store_db.alembic_config(connection=connection), "base")
    engine.dispose()
    assert _tables(database_url) == {"alembic_version"}
    store.migrate(database_url)
    assert _tables(database_url) == TABLES


def test_a_database_from_before_migrations_is_adopted_with_its_questions(database_url):
    engine = sa.create_engine(store_db.normalise_url(database_url))
    with engine.begin() as connection:  # what the first store version created ad hoc
        connection.execute(sa.text(
            "create table unanswered_questions (id integer primary key, asked_at timestamp, text text not null,"
            " reason varchar(32), channel varchar(64), unit varchar(64), desk varchar(64), language varchar(8),"
            " conversation_id varchar(128), candidates varchar(512))"))
        connection.execute(sa.text("insert into unanswered_questions (id, text, reason) values (1, 'cũ', 'no_match')"))
    engine.dispose()
    store.migrate(database_url)
    assert _tables(database_url) == TABLES
    engine = sa.create_engine(store_db.normalise_url(database_url))
    with engine.connect() as connection:
        assert connection.execute(sa.text("select text from unanswered_questions")).scalars().all() == ["cũ"]
    engine.dispose()


def test_first_use_upgrades_on_a_laptop(database_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.delenv("APP_ENV", raising=False)
    store.reset_database()
    store.log_unanswered_question("x")
    assert _tables(database_url) == TABLES
    store.reset_database()


def test_production_refuses_a_database_that_is_behind(database_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("APP_ENV", "production")
    store.reset_database()
    with pytest.raises(store.SchemaNotReady, match="python -m store upgrade"):
        store.log_unanswered_question("x")
    assert "ratings" not in _tables(database_url)
    store.reset_database()

"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, text

from models import db
from models.search_index import include_object
from moderation import create_app
from tests.conftest import TEST_DATABASE_URL, postgres_url


def _fresh_databases(tmp_path):
    yield f"sqlite:///{tmp_path / 'migrated.db'}"
    if TEST_DATABASE_URL:
        name = f"migr_{uuid.uuid4().hex[:8]}"
        admin = create_engine(postgres_url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f"CREATE DATABASE {name}"))
        base = postgres_url().rsplit("/", 1)[0]
        try:
            yield f"{base}/{name}"
        finally:
            with admin.connect() as connection:
                connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            admin.dispose()


def test_upgrade_matches_the_models_and_downgrade_undoes_it(tmp_path):
    for url in _fresh_databases(tmp_path):
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            upgrade()
            with db.engine.connect() as connection:
                context = MigrationContext.configure(
                    connection, opts={"compare_type": True, "render_as_batch": True,
                                      "include_object": include_object})
                assert compare_metadata(context, db.metadata) == [], url
            downgrade(revision="base")
            with db.engine.connect() as connection:
                tables = set(db.inspect(connection).get_table_names()) - {"alembic_version"}
            assert tables == set()
            db.engine.dispose()


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="PostgreSQL not configured (TEST_DATABASE_URL)")
def test_postgresql_is_reachable():
    engine = create_engine(postgres_url())
    with engine.connect() as connection:
        assert connection.execute(text("select 1")).scalar() == 1
    engine.dispose()

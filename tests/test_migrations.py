"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, select, text

from models import Comment, db
from models.search_index import include_object
from moderation import create_app
from tests.conftest import TEST_DATABASE_URL, postgres_url
from tests.helpers import insert_row


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


def test_storing_each_moment_once_keeps_every_moment_a_person_sees(tmp_path):
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import MetaData

    received = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    answered, visible, unpublished = (received + timedelta(hours=n) for n in (1, 2, 5))
    app = create_app({"TESTING": True,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'moments.db'}"})
    with app.app_context():
        upgrade(revision="9da5dd6c4d0b")
        with db.engine.begin() as connection:
            tables = MetaData()
            tables.reflect(connection)
            comments, replies = tables.tables["comments"], tables.tables["replies"]
            insert_row(connection, tables.tables["pages"], id=1)
            insert_row(connection, tables.tables["users"], id=1)
            moments = {"received_at": received, "first_replied_at": answered,
                       "moderated_at": answered, "moderated_by_id": 1}
            common = {"page_id": 1, "site_id": None, "red_flag_categories": [],
                      "in_reply_to_id": None}
            # 1 published and shown; 2 shown though its only reply was unpublished;
            # 3 answered by email; 4 rejected; 5 a whole thread unpublished.
            insert_row(connection, comments, id=1, status="published", published_at=visible,
                       **moments, **common)
            insert_row(connection, comments, id=2, status="published", published_at=visible,
                       **moments, **common)
            insert_row(connection, comments, id=3, status="private", **moments, **common)
            insert_row(connection, comments, id=4, status="rejected", received_at=received,
                       moderated_at=answered, **common)
            insert_row(connection, comments, id=5, status="unpublished", received_at=received,
                       first_replied_at=answered, moderated_at=unpublished,
                       published_at=visible, **common)
            reply = {"midwife_id": 1, "created_at": answered, "snippet_id": None,
                     "outbox_message_id": None, "withdrawn_by_id": None}
            insert_row(connection, replies, id=1, comment_id=1, kind="public",
                       published_at=visible, **reply)
            insert_row(connection, replies, id=2, comment_id=2, kind="public",
                       published_at=None, withdrawn_at=unpublished, **reply)
            insert_row(connection, replies, id=3, comment_id=3, kind="private",
                       published_at=None, **reply)
            insert_row(connection, replies, id=5, comment_id=5, kind="public",
                       published_at=None, withdrawn_at=unpublished, **reply)
        upgrade()
        stored = {c.id: c for c in db.session.scalars(select(Comment).order_by(Comment.id))}
        seen = {i: (c.status, c.published_at, c.decided_at) for i, c in stored.items()}
        assert seen == {1: ("published", visible, answered), 2: ("published", visible, answered),
                        3: ("private", None, answered), 4: ("rejected", None, answered),
                        5: ("unpublished", visible, unpublished)}
        assert [c.moderated_at for c in stored.values()] == [None, None, None, answered,
                                                             unpublished]
        assert [r.is_published for r in stored[2].replies] == [False]
        assert [c.is_public_at(unpublished) for c in stored.values()] == [
            True, True, False, False, False]
        db.session.remove()
        downgrade(revision="9da5dd6c4d0b")
        with db.engine.connect() as connection:
            back = connection.execute(text(
                "SELECT id, published_at IS NOT NULL, moderated_at IS NOT NULL FROM comments "
                "ORDER BY id")).all()
            withdrawn = connection.execute(text(
                "SELECT count(*) FROM replies WHERE withdrawn_at IS NOT NULL "
                "AND published_at IS NOT NULL")).scalar()
        db.engine.dispose()
    assert [tuple(row) for row in back] == [(1, True, True), (2, True, True), (3, False, True),
                                            (4, False, True), (5, True, True)]
    assert withdrawn == 0


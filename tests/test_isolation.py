"""The test loop's own promises: tests are isolated, the cheap hashing stays in tests."""

from __future__ import annotations

import sys

import pytest
from argon2 import PasswordHasher
from argon2.profiles import RFC_9106_LOW_MEMORY
from sqlalchemy import create_engine, func, select

from models import Page, User, db
from moderation import create_app
from moderation.services.passwords import password_hasher
from tests.helpers import PASSWORD, TEST_PASSWORD_HASH_PARAMETERS


def _pages_seen_by_another_connection(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.scalar(select(func.count()).select_from(Page))
    finally:
        engine.dispose()


def test_a_tests_commits_are_never_seen_by_another_connection(app, make_page):
    make_page("grief")
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Page)) == 1
    assert _pages_seen_by_another_connection(app.config["SQLALCHEMY_DATABASE_URI"]) == 0


@pytest.mark.committed
def test_a_committed_tests_commits_are_real(app, make_page):
    make_page("grief")
    assert _pages_seen_by_another_connection(app.config["SQLALCHEMY_DATABASE_URI"]) == 1


def test_a_rollback_in_the_app_undoes_only_the_work_since_the_last_commit(app, make_page):
    make_page("kept")
    db.session.add(Page(slug="dropped", title="Dropped", url="https://www.example.org/d"))
    db.session.flush()
    db.session.rollback()
    assert db.session.scalars(select(Page.slug)).all() == ["kept"]


def test_production_hashes_passwords_with_the_strong_recommended_parameters(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'prod.db'}"})
    assert app.config["PASSWORD_HASH_PARAMETERS"] is None
    with app.app_context():
        hashed = password_hasher.hash(PASSWORD)
        strong = PasswordHasher.from_parameters(RFC_9106_LOW_MEMORY)
        assert not strong.check_needs_rehash(hashed)
        assert f"m={RFC_9106_LOW_MEMORY.memory_cost},t={RFC_9106_LOW_MEMORY.time_cost}" in hashed
    assert password_hasher.hasher.memory_cost >= 65536  # outside any app: production too


def test_tests_hash_passwords_cheaply_and_still_check_them(app, make_user):
    user = make_user("midwife")
    assert f"m={TEST_PASSWORD_HASH_PARAMETERS['memory_cost']}," in user.password_hash
    assert not password_hasher.check_needs_rehash(user.password_hash)
    assert password_hasher.verify(db.session.get(User, user.id).password_hash, PASSWORD)


def test_the_shared_fixtures_module_is_imported_once_under_one_name():
    assert "tests.conftest" in sys.modules
    assert "conftest" not in sys.modules

"""The test loop's own promises: tests are isolated, the cheap hashing stays in tests."""

from __future__ import annotations

import sys

import pytest
from argon2 import PasswordHasher
from argon2.profiles import RFC_9106_LOW_MEMORY
from flask import url_for
from jinja2 import DictLoader, Environment
from sqlalchemy import create_engine, func, select
from werkzeug.exceptions import NotFound

from models import AuditEvent, Page, User, db
from moderation import create_app
from moderation.services.passwords import password_hasher
from tests import app_reuse
from tests.helpers import PASSWORD, TEST_PASSWORD_HASH_PARAMETERS
from tests.isolation import rolled_back


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


def test_apps_on_the_test_database_share_an_engine_but_not_their_settings(app, app_config):
    slow = create_app({**app_config, "REPLY_UNDO_SECONDS": 30})
    other_database = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    # create_app already used db.engines, so inside this rolled-back test the app holds its
    # engine wrapped to join the test's transaction: compare what is inside.
    def engine_of(some_app):
        held = db._app_engines[some_app][None]
        return getattr(held, "_engine", held)

    engine = engine_of(slow)
    assert app_reuse.is_shared(engine)
    assert engine_of(create_app(dict(app_config))) is engine
    assert not app_reuse.is_shared(db._app_engines[other_database][None])
    assert slow.config["REPLY_UNDO_SECONDS"] == 30 and app.config["REPLY_UNDO_SECONDS"] == 0


def test_a_rolled_back_test_gives_its_connection_back_to_the_shared_pool(app_config):
    app = create_app(dict(app_config))
    engine = db._app_engines[app][None]
    with app.app_context():
        with rolled_back(app):
            db.session.add(Page(slug="gone", title="Gone", url="https://www.example.org/g"))
            db.session.commit()
            assert engine.pool.checkedout() == 1
        assert engine.pool.checkedout() == 0
        assert db.session.scalar(select(func.count()).select_from(Page)) == 0


def test_url_builders_shared_between_apps_build_each_apps_own_urls(app_config):
    first = create_app(dict(app_config))
    prefixed = create_app({**app_config, "APPLICATION_ROOT": "/moderation"})
    with first.test_request_context():
        assert url_for("queue.index", urgency="urgent") == "/?urgency=urgent"
    with prefixed.test_request_context():
        assert url_for("queue.index", urgency="urgent") == "/moderation/?urgency=urgent"


def test_routes_compiled_once_keep_each_apps_own_converters(app_config):
    first, second = create_app(dict(app_config)), create_app(dict(app_config))
    for url_map in (first.url_map, second.url_map):
        converters = [c for rule in url_map.iter_rules() for c in rule._converters.values()]
        assert converters and all(converter.map is url_map for converter in converters)
    adapter = second.url_map.bind("localhost")
    endpoint, arguments = adapter.match("/comments/42")
    assert arguments == {"comment_id": 42}
    with pytest.raises(NotFound):  # the bounded <int:…> of security.harden_url_map still holds
        adapter.match(f"/comments/{2**31}")


def test_a_template_whose_source_changed_is_compiled_again_not_taken_from_the_cache():
    cache = app_reuse.SessionTemplateCache()
    sources = {"page.html": "Hello {{ name }}"}
    first = Environment(loader=DictLoader(sources), bytecode_cache=cache)
    assert first.get_template("page.html").render(name="Sam") == "Hello Sam"
    sources["page.html"] = "Goodbye {{ name }}"
    second = Environment(loader=DictLoader(sources), bytecode_cache=cache)
    assert second.get_template("page.html").render(name="Sam") == "Goodbye Sam"


def test_a_second_apps_security_log_joins_the_rolled_back_transaction(app, app_config, midwife):
    second = create_app({**app_config, "WTF_CSRF_ENABLED": True})
    second.test_client().post("/login", data={"email": midwife.email, "password": PASSWORD})
    security_events = select(func.count(AuditEvent.id)).where(AuditEvent.action.like("security.%"))
    assert db.session.scalar(security_events) >= 1
    other = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        with other.connect() as connection:
            assert connection.scalar(security_events) == 0
    finally:
        other.dispose()

"""The pool's liveness check: a connection idle for a while is checked before use, and one that
died meanwhile is replaced without the request noticing; a connection in steady use is not
checked again (that round trip on every request was most of intake's overhead on PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import QueuePool

from moderation.extensions import ping_idle_connections
from tests.helpers import FakeClock


@pytest.fixture
def engine(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'live.db'}", poolclass=QueuePool,
                           pool_size=1, max_overflow=0)
    yield engine
    engine.dispose()


@pytest.fixture
def pings(engine, monkeypatch) -> list[Any]:
    """Every ping the dialect sends, recorded, then sent for real."""
    sent: list[Any] = []
    real_ping = engine.dialect.do_ping

    def recorded(dbapi_connection: Any) -> bool:
        sent.append(dbapi_connection)
        return real_ping(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", recorded)
    return sent


def _answer(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(text("select 42")).scalar_one()


def test_a_connection_back_in_the_pool_moments_ago_is_used_without_a_ping(engine, pings):
    clock = FakeClock()
    ping_idle_connections(engine, 1.0, clock)
    assert _answer(engine) == 42  # a new connection: nothing to check
    clock.now += 0.5
    assert _answer(engine) == 42
    assert pings == []


def test_a_connection_idle_longer_than_the_limit_is_pinged_first(engine, pings):
    clock = FakeClock()
    ping_idle_connections(engine, 1.0, clock)
    assert _answer(engine) == 42
    clock.now += 1.5
    assert _answer(engine) == 42
    assert len(pings) == 1


def test_a_connection_that_died_while_idle_is_replaced_before_the_request_sees_it(engine,
                                                                                   pings):
    clock = FakeClock()
    ping_idle_connections(engine, 1.0, clock)
    with engine.connect() as connection:
        dead = connection.connection.dbapi_connection
        assert connection.execute(text("select 42")).scalar_one() == 42
    dead.close()  # the server went away while the connection sat in the pool
    clock.now += 5
    with engine.connect() as connection:
        assert connection.execute(text("select 42")).scalar_one() == 42
        assert connection.connection.dbapi_connection is not dead
    assert pings[0] is dead


def test_the_app_checks_idle_connections_itself_unless_told_to_ping_every_time(app):
    from models import db

    assert app.config["DATABASE_POOL_PRE_PING"] is True
    assert app.config["DATABASE_PING_IDLE_SECONDS"] == 1.0
    assert db.engine.pool._pre_ping is False
    assert db.engine.pool.dispatch.checkout  # ping_idle_connections is listening

"""Flask extensions, created unbound and initialised in the app factory."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address  # remote_addr, after ProxyFix
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError

from models import db

migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])

RETURNED_AT = "moderation_returned_at"


def ping_idle_connections(engine: Engine, idle_seconds: float,
                          clock: Callable[[], float] = time.monotonic) -> None:
    """Check a pooled connection with one round trip before use, unless it was in use less
    than idle_seconds ago.

    SQLAlchemy's pool_pre_ping pays that round trip on every request; under load every
    connection comes back within milliseconds, and a database that went away since then fails
    the request that was using it, which invalidates the pool. A connection found dead is
    replaced before the request sees it, as with pool_pre_ping.
    """

    # On the pool, not the engine: a pool that is disposed and recreated keeps its listeners,
    # and an app that reuses an engine (several apps in one process) installs them only once.
    pool = engine.pool
    if any(getattr(listener, "idle_ping", False) for listener in pool.dispatch.checkout):
        return
    dialect = engine.dialect

    @event.listens_for(pool, "connect")
    def _fresh(_dbapi_connection: Any, record: Any) -> None:
        record.info[RETURNED_AT] = clock()  # just opened: nothing to check

    @event.listens_for(pool, "checkin")
    def _returned(_dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            record.info[RETURNED_AT] = clock()

    def _check(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned = record.info.get(RETURNED_AT)
        if returned is not None and clock() - returned < idle_seconds:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            # The pool drops this connection and checks out a new one (up to three tries).
            raise DisconnectionError("The pooled connection is gone") from error

    _check.idle_ping = True  # type: ignore[attr-defined]
    event.listen(pool, "checkout", _check)


__all__ = ["csrf", "db", "limiter", "login_manager", "migrate", "ping_idle_connections"]

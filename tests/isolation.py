"""How tests are kept apart: a rolled-back transaction per test, or emptied tables for tests
whose commits must be real; one database per pytest-xdist worker; counting SQL statements."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field

import pytest
from flask import Flask, current_app, has_app_context
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSQLAlchemySession
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import OperationalError

from models import db
from tests.helpers import xdist_worker

# Fixtures that only make sense with real commits: another thread or process reads the data.
COMMITTING_FIXTURES = frozenset({"committed_app", "live_server", "browser", "new_tab", "page"})


def needs_commits(request: pytest.FixtureRequest) -> bool:
    """Whether this test needs real commits (marked `committed`, or uses a live server)."""
    node = request.node
    return (node.get_closest_marker("committed") is not None
            or not COMMITTING_FIXTURES.isdisjoint(getattr(node, "fixturenames", ())))


def empty_all_tables() -> None:
    """Delete every row, for tests that commit for real."""
    # A live server's last request (a page's poll) may still hold locks the DELETE needs and
    # wait on it in turn: PostgreSQL then cancels one of the two; run the DELETE again.
    for attempt in range(5):
        try:
            delete_all_rows(db.engine)
            return
        except OperationalError as error:
            if getattr(error.orig, "sqlstate", None) != DEADLOCK_DETECTED or attempt == 4:
                raise


DEADLOCK_DETECTED = "40P01"


def delete_all_rows(engine: Engine) -> None:
    """Delete every row of every table of the models, dependents first."""
    # DELETE, not TRUNCATE, on PostgreSQL too: a test leaves a few rows, and TRUNCATE gives each
    # of the 35 tables and their indexes new files (160 ms, against 15 ms for the DELETEs).
    # Ids go on counting up between tests, as they do in production.
    tables = list(reversed(db.metadata.sorted_tables))
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # A live server's last request (a page's presence ping) may still be writing: hold
            # every table against writes first, so no row can arrive between two DELETEs and
            # point at one already emptied. (SQLite's first DELETE takes its one write lock.)
            names = ", ".join(table.name for table in tables)
            connection.execute(text(f"LOCK TABLE {names} IN EXCLUSIVE MODE"))
        for table in tables:
            connection.execute(table.delete())


class _SavepointEngine:
    """`db.engine` during a rolled-back test: `begin()`, which production code uses to write
    on a connection of its own (the security log, "last seen"), becomes a SAVEPOINT on the
    test's connection; everything else is the real engine."""

    def __init__(self, engine: Engine, connection: Connection) -> None:
        self._engine = engine
        self._connection = connection

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        with self._connection.begin_nested():
            yield self._connection

    def __getattr__(self, name: str):
        return getattr(self._engine, name)


@contextmanager
def rolled_back(app: Flask) -> Iterator[None]:
    """Run the app's database work in one transaction, rolled back at the end: the session
    joins it and each commit releases a SAVEPOINT (SQLAlchemy's "join an external
    transaction" recipe)."""
    engine = db.engine
    connection = engine.connect()
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # pysqlite begins transactions by itself, and not before a SAVEPOINT: take over.
        connection.connection.driver_connection.isolation_level = None
    outer = connection.begin()
    if sqlite:
        connection.exec_driver_sql("BEGIN")
    owner = threading.get_ident()
    original_get_bind = FlaskSQLAlchemySession.get_bind
    original_engines = SQLAlchemy.engines

    url = app.config["SQLALCHEMY_DATABASE_URI"]
    adopted: dict[Flask, Engine] = {}

    def adopt(current: Flask) -> None:
        # A second app on the same database (one built with other settings) joins too.
        if current not in adopted and current in db._app_engines:
            engines = db._app_engines[current]
            adopted[current] = engines[None]
            engines[None] = _SavepointEngine(adopted[current], connection)

    def get_bind(session, *args, **kwargs):
        current = current_app._get_current_object() if has_app_context() else None
        if current is None or current.config["SQLALCHEMY_DATABASE_URI"] != url:
            return original_get_bind(session, *args, **kwargs)  # another database
        if threading.get_ident() != owner:
            raise RuntimeError("A thread used the database of a rolled-back test: mark the "
                               "test @pytest.mark.committed so its commits are real.")
        adopt(current)
        return connection

    def engines(self):
        # `db.engine` too: a second app's first write may be the security log on a connection
        # of its own, which committed for real (PostgreSQL) or waited on SQLite's lock.
        current = current_app._get_current_object() if has_app_context() else None
        if (current is not None and threading.get_ident() == owner
                and current.config["SQLALCHEMY_DATABASE_URI"] == url):
            adopt(current)
        return original_engines.fget(self)

    factory_options = db.session.session_factory.kw
    db.session.remove()
    FlaskSQLAlchemySession.get_bind = get_bind
    SQLAlchemy.engines = property(engines)  # type: ignore[method-assign,assignment]
    factory_options["join_transaction_mode"] = "create_savepoint"
    adopted[app] = engine
    db._app_engines[app][None] = _SavepointEngine(engine, connection)
    try:
        yield
    finally:
        db.session.remove()
        FlaskSQLAlchemySession.get_bind = original_get_bind
        SQLAlchemy.engines = original_engines  # type: ignore[method-assign]
        factory_options.pop("join_transaction_mode", None)
        for adopted_app, adopted_engine in adopted.items():
            db._app_engines[adopted_app][None] = adopted_engine
        outer.rollback()
        if sqlite:
            connection.connection.driver_connection.isolation_level = ""
        connection.close()


@contextmanager
def database_for_this_worker(url: str) -> Iterator[str]:
    """Under pytest-xdist, a PostgreSQL database of this worker's own (created, then dropped);
    otherwise the URL itself. SQLite files already live in each worker's temporary folder."""
    worker = xdist_worker()
    parsed = make_url(url)
    if worker is None or not parsed.drivername.startswith("postgresql"):
        yield url
        return
    name = f"{parsed.database}_{worker}"
    maintenance = create_engine(parsed, isolation_level="AUTOCOMMIT")
    try:
        with maintenance.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        yield parsed.set(database=name).render_as_string(hide_password=False)
        with maintenance.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        maintenance.dispose()


# --- Counting queries ----------------------------------------------------------------------

_TRANSACTION_CONTROL = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT", "BEGIN",
                        "COMMIT", "ROLLBACK")


@dataclass(repr=False)
class Queries:
    """The SQL statements run inside a `count_queries()` block (transaction control aside)."""

    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)

    def __len__(self) -> int:
        return self.count

    def __repr__(self) -> str:
        lines = (" ".join(statement.split())[:160] for statement in self.statements)
        return f"{self.count} queries:\n" + "\n".join(lines)


@pytest.fixture
def count_queries(app) -> Callable[[], AbstractContextManager[Queries]]:
    """`with count_queries() as queries: …` then `assert queries.count <= BUDGET, queries`."""

    @contextmanager
    def counting() -> Iterator[Queries]:
        queries = Queries()

        def record(conn, cursor, statement, parameters, context, executemany) -> None:
            if not statement.lstrip().upper().startswith(_TRANSACTION_CONTROL):
                queries.statements.append(statement)

        event.listen(Engine, "before_cursor_execute", record)
        try:
            yield queries
        finally:
            event.remove(Engine, "before_cursor_execute", record)

    return counting

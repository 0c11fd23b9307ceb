"""The queue's text-search index: objects the ORM metadata cannot describe, kept in step here.

PostgreSQL: `pg_trgm` trigram GIN indexes on the comment body and the author's name (they
answer the same ILIKE '%words%' the queue always used) and a lower(author_name) prefix index
for terms shorter than a trigram. SQLite: an FTS5 table with the trigram tokenizer, holding no
copy of the text (external content: it reads `comments`), kept in step by three triggers, and
the same lower(author_name) index.

The same idempotent `create_search_index` runs from the migration and after
`metadata.create_all` (an `after_create` event on the comments table), so a database made
either way searches the same. `include_object` keeps these objects out of Alembic's
models-versus-database comparison.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Connection

from models.comment import Comment


def _fts_table(table: str) -> str:
    return f"{table}_search"


def _name_prefix_index(table: str) -> str:
    return f"ix_{table}_author_name_lower"


def _trigram_indexes(table: str) -> tuple[str, str]:
    return f"ix_{table}_body_trgm", f"ix_{table}_author_name_trgm"


FTS_TABLE = _fts_table("comments")
# The FTS5 table's own storage; Alembic sees these as ordinary tables.
FTS_SHADOW_TABLES = frozenset(
    {FTS_TABLE} | {f"{FTS_TABLE}_{suffix}" for suffix in ("data", "idx", "docsize", "config",
                                                           "content")})
NAME_PREFIX_INDEX = _name_prefix_index("comments")
TRIGRAM_INDEXES = _trigram_indexes("comments")
SEARCH_INDEXES = frozenset({NAME_PREFIX_INDEX, *TRIGRAM_INDEXES})
SQLITE_TRIGGERS = tuple(f"{FTS_TABLE}_{event}" for event in ("insert", "delete", "update"))


def _sqlite_ddl(table: str) -> tuple[str, ...]:
    """The name index and the three triggers that keep `{table}_search` in step with `table`."""
    fts = _fts_table(table)
    return (
        f"CREATE INDEX IF NOT EXISTS {_name_prefix_index(table)} ON {table} (lower(author_name))",
        f"""CREATE TRIGGER IF NOT EXISTS {fts}_insert AFTER INSERT ON {table} BEGIN
            INSERT INTO {fts}(rowid, body, author_name)
            VALUES (new.id, new.body, new.author_name);
        END""",
        f"""CREATE TRIGGER IF NOT EXISTS {fts}_delete AFTER DELETE ON {table} BEGIN
            INSERT INTO {fts}({fts}, rowid, body, author_name)
            VALUES ('delete', old.id, old.body, old.author_name);
        END""",
        f"""CREATE TRIGGER IF NOT EXISTS {fts}_update
            AFTER UPDATE OF body, author_name ON {table} BEGIN
            INSERT INTO {fts}({fts}, rowid, body, author_name)
            VALUES ('delete', old.id, old.body, old.author_name);
            INSERT INTO {fts}(rowid, body, author_name)
            VALUES (new.id, new.body, new.author_name);
        END""",
    )


def _postgresql_ddl(table: str) -> tuple[str, ...]:
    body_index, name_index = _trigram_indexes(table)
    return (
        # A trusted extension since PostgreSQL 13: the database owner may create it.
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        f"CREATE INDEX IF NOT EXISTS {body_index} ON {table} USING gin (body gin_trgm_ops)",
        f"CREATE INDEX IF NOT EXISTS {name_index} ON {table} USING gin (author_name gin_trgm_ops)",
        f"CREATE INDEX IF NOT EXISTS {_name_prefix_index(table)} "
        f"ON {table} (lower(author_name) text_pattern_ops)",
    )


def _sqlite_fts_exists(connection: Connection, fts: str) -> bool:
    return connection.execute(
        text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :name"),
        {"name": fts}).first() is not None


def create_search_index(connection: Connection, table: str = "comments") -> None:
    """Create the search index objects if missing; index the comments already stored.

    `table` is another table of the same columns (the intake benchmark's ceiling uses it).
    """
    if connection.dialect.name == "sqlite":
        fts = _fts_table(table)
        if not _sqlite_fts_exists(connection, fts):
            connection.exec_driver_sql(
                f"CREATE VIRTUAL TABLE {fts} USING fts5(body, author_name, "
                f"content='{table}', content_rowid='id', tokenize='trigram')")
            # Comments stored before the index existed (an upgrade of a live database).
            connection.exec_driver_sql(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")
        for statement in _sqlite_ddl(table):
            connection.exec_driver_sql(statement)
    elif connection.dialect.name == "postgresql":
        for statement in _postgresql_ddl(table):
            connection.exec_driver_sql(statement)


def drop_search_index(connection: Connection) -> None:
    """Drop the search index objects (the extension stays: other databases may use it)."""
    if connection.dialect.name == "sqlite":
        for trigger in SQLITE_TRIGGERS:
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {trigger}")
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {FTS_TABLE}")
    for index in sorted(SEARCH_INDEXES):
        connection.exec_driver_sql(f"DROP INDEX IF EXISTS {index}")


def include_object(obj: Any, name: str | None, type_: str, reflected: bool,
                   compare_to: Any) -> bool:
    """Alembic filter: the search objects live in migrations only, not in the models."""
    if type_ == "table" and name in FTS_SHADOW_TABLES:
        return False
    return not (type_ == "index" and name in SEARCH_INDEXES)


@event.listens_for(Comment.__table__, "after_create")
def _search_index_after_create(target: Any, connection: Connection, **kw: Any) -> None:
    create_search_index(connection)


@event.listens_for(Comment.__table__, "before_drop")
def _search_index_before_drop(target: Any, connection: Connection, **kw: Any) -> None:
    # On SQLite the FTS table would outlive `comments` and index rows of a table made later.
    drop_search_index(connection)

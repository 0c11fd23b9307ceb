"""The queue's search box: words in a comment or its author's name, answered by an index.

A term of three characters or more matches anywhere in the body or the author's name,
ignoring case, exactly as the old substring scan did ("bleed" finds "Bleeding", "iya" finds
"Priya"); `%` and `_` are plain characters. An index of trigrams (three-character pieces)
answers it: pg_trgm on PostgreSQL, FTS5's trigram tokenizer on SQLite (see
models/search_index.py). A term of one or two characters has no trigram, so it would need a
scan of every comment: it finds the comments whose author's name starts with it ("Jo" finds
"Jo" and "Joanne"), through an index of the names. The queue's form says so.
"""

from __future__ import annotations

from sqlalchemy import Select, func, literal_column, or_, select, table
from sqlalchemy.sql import ColumnElement

from models import Comment, db
from models.search_index import FTS_TABLE

MIN_TEXT_SEARCH_CHARS = 3
# Above every character: "name < prefix + TOP" holds for every name starting with prefix.
_TOP_CHARACTER = "\U0010ffff"
# Up to this many matches, SQLite reads them from the index; above, it tests rows in order.
SPARSE_MATCHES = 2000


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def like_pattern(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, with % _ and \\ taken literally."""
    return f"%{_escape_like(text)}%"


def _name_starts_with(term: str, dialect: str) -> ColumnElement[bool]:
    name = func.lower(Comment.author_name)
    if dialect == "sqlite":
        # SQLite compares text bytewise, so this range is exactly "starts with", and it is
        # what lets the planner seek the lower(author_name) index.
        in_range = name.between(func.lower(term), func.lower(term) + _TOP_CHARACTER)
        return _few_by_index_else_scan(
            select(Comment.id).where(in_range), name.like(func.lower(_escape_like(term) + "%"),
                                                          escape="\\"))
    return name.like(func.lower(_escape_like(term) + "%"), escape="\\")


def _few_by_index_else_scan(matching_ids: Select, scan: ColumnElement[bool]) -> ColumnElement[bool]:
    """On SQLite: the matching ids when the index finds few, else the same test row by row.

    SQLite's planner cannot tell a rare term from a common one. A rare one is answered from
    the index (up to SPARSE_MATCHES ids, looked up by key); a common one ("bleeding") by
    walking the queue in order and testing each row, which meets 50 matches within a few
    thousand rows, where fetching and sorting every match would take seconds.
    """
    ids = list(db.session.scalars(matching_ids.limit(SPARSE_MATCHES + 1)))
    if len(ids) <= SPARSE_MATCHES:
        return Comment.id.in_(ids)
    return scan


def _sqlite_text_match(term: str) -> ColumnElement[bool]:
    # One FTS5 phrase of the whole term: its trigrams next to each other, in either column.
    phrase = '"' + term.replace('"', '""') + '"'
    fts = table(FTS_TABLE)
    matching = select(literal_column("rowid")).select_from(fts).where(
        literal_column(FTS_TABLE).op("MATCH")(phrase))
    return _few_by_index_else_scan(matching, _contains(term))


def _contains(term: str) -> ColumnElement[bool]:
    pattern = like_pattern(term)
    return or_(Comment.body.ilike(pattern, escape="\\"),
               Comment.author_name.ilike(pattern, escape="\\"))


def search_condition(term: str) -> ColumnElement[bool]:
    """The condition on comments for a search-box term (already stripped, not empty)."""
    dialect = db.session.get_bind().dialect.name
    if len(term) < MIN_TEXT_SEARCH_CHARS:
        return _name_starts_with(term, dialect)
    if dialect == "sqlite":
        return _sqlite_text_match(term)
    return _contains(term)

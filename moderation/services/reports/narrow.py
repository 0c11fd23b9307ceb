"""Time to first reply from one narrow read: the database reads, Python ranks.

The answered threads of the period are read once, as small integers only (group codes, the
two durations in whole seconds and a within-target flag), from the covering index of answered
comments (ix_comments_answered: an index-only scan on PostgreSQL), and travel as one value:
on PostgreSQL one bytea of 4-byte integers, on SQLite comma-joined strings (_read_columns).
NumPy then sorts each grouping's values per group, and the two values around each percentile's
rank are interpolated exactly as the SQL methods do (see `interpolate`): the figures are the
same as PostgreSQL's percentile_cont, without asking the database to sort the period five
times over (once per grouping), which is where the SQL methods spent their time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sqlalchemy import Integer, LargeBinary, Text, case, cast, func, literal_column, select
from sqlalchemy.sql.elements import ColumnElement

from models import db

# A group key of NULL (a thread no midwife is recorded as answering) as an int64, and back.
NULL_KEY = np.iinfo(np.int64).min


def interpolate(low: float | None, high: float | None, remainder: int, denominator: int
                ) -> float | None:
    """low + (high - low) * remainder / denominator, rounded to a millionth (None if empty).

    Integer values and an integer remainder keep this exact; the rounding is the one the
    percentile_cont method gets, whose float steps may differ in the last bits.
    """
    if low is None or high is None:
        return None
    return round(low + (high - low) * remainder / denominator, 6)


# A NULL as the one int4 no column read here can hold (ids are positive, durations are
# seconds between two moments of this century), so that every value keeps its 4 bytes.
PACKED_NULL = np.iinfo(np.int32).min


def _packed_columns(columns: Sequence[ColumnElement], nullable: Sequence[bool],
                    where: Sequence[ColumnElement]
                    ) -> tuple[int, list[tuple[np.ndarray, np.ndarray]]]:
    """PostgreSQL: as _joined_columns, the rows packed as 4-byte integers in ONE bytea.

    Each row becomes its values as big-endian int4 (int4send, NULL as PACKED_NULL), the rows
    are concatenated by the database and NumPy reads the buffer in place: no Python object
    per row or value and no text to write or parse. `nullable` only says which columns may
    hold a NULL; any column's NULL comes back as absent.
    """
    packed = None
    for column in columns:
        value = func.int4send(cast(func.coalesce(getattr(column, "element", column),
                                                 PACKED_NULL), Integer))
        packed = value if packed is None else packed.op("||")(value)
    joined = func.string_agg(packed, literal_column("''::bytea"), type_=LargeBinary)
    buffer = db.session.execute(select(joined).where(*where)).scalar()
    if not buffer:
        return 0, []
    if len(buffer) % (4 * len(columns)):
        raise ValueError("a report column came back in an unexpected form")
    table = np.frombuffer(buffer, dtype=">i4").reshape(-1, len(columns)).astype(np.int64)
    return len(table), [(table[:, i], table[:, i] != PACKED_NULL) for i in range(len(columns))]


def _joined_columns(columns: Sequence[ColumnElement], nullable: Sequence[bool],
                    where: Sequence[ColumnElement]
                    ) -> tuple[int, list[tuple[np.ndarray, np.ndarray]]]:
    """The columns of the rows `where` picks, as int64 arrays with masks of non-NULL values.

    Each column travels as two strings, its values joined by commas (NULL as 0) and a "1" or
    "0" per row for present or NULL, aggregated in one row by the database: far cheaper than a
    Python object per row and value. Every aggregate of one SELECT reads the rows in the same
    order, so the i-th value of each string belongs to the same thread. SQLite's way (it has
    no int4send); PostgreSQL's until the packed read, kept as the benchmark's former way.
    """
    postgres = db.session.get_bind().dialect.name == "postgresql"
    aggregates: list[ColumnElement] = [func.count()]
    for column, may_be_null in zip(columns, nullable, strict=True):
        column = getattr(column, "element", column)  # a labelled column: its expression
        value = func.coalesce(column, 0) if may_be_null else column
        flag = case((column.is_(None), "0"), else_="1")
        if postgres:
            aggregates.append(func.string_agg(cast(value, Text), ","))
            aggregates += [func.string_agg(flag, "")] if may_be_null else []
        else:
            aggregates.append(func.group_concat(value, ","))
            aggregates += [func.group_concat(flag, "")] if may_be_null else []
    row = iter(db.session.execute(select(*aggregates).where(*where)).one())
    count = int(next(row))
    if not count:
        return 0, []
    arrays = []
    for may_be_null in nullable:
        values = np.array(next(row).split(","), dtype=np.int64)
        present = (np.frombuffer(next(row).encode("ascii"), dtype=np.uint8) == ord("1")
                   if may_be_null else np.ones(count, dtype=bool))
        if len(values) != count or len(present) != count:  # a NULL the SQL did not expect
            raise ValueError("a report column came back with a missing value")
        arrays.append((values, present))
    return count, arrays


def _read_columns(columns: Sequence[ColumnElement], nullable: Sequence[bool],
                  where: Sequence[ColumnElement]
                  ) -> tuple[int, list[tuple[np.ndarray, np.ndarray]]]:
    """The columns of the rows `where` picks: packed on PostgreSQL, joined text on SQLite."""
    if db.session.get_bind().dialect.name == "postgresql":
        return _packed_columns(columns, nullable, where)
    return _joined_columns(columns, nullable, where)


def _percentiles(sorted_values: np.ndarray, starts: np.ndarray, sizes: np.ndarray,
                 group: int, fractions: dict[str, tuple[int, int]]) -> dict[str, float | None]:
    """Each fraction's percentile of one group, from its slice of the sorted values."""
    size = int(sizes[group])
    out: dict[str, float | None] = {}
    for label, (num, den) in fractions.items():
        if not size:
            out[label] = None
            continue
        k = (size - 1) * num
        low_rank, remainder = divmod(k, den)
        high_rank = low_rank + (1 if remainder else 0)
        start = int(starts[group])
        out[label] = interpolate(int(sorted_values[start + low_rank]),
                                 int(sorted_values[start + high_rank]), remainder, den)
    return out


def _unique(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """np.unique(keys, return_inverse=True), by counting when the keys span a small range
    (label positions, weeks, account ids): no sort of the rows."""
    present = keys != NULL_KEY
    if not present.any():
        return np.unique(keys, return_inverse=True)
    low, high = int(keys[present].min()), int(keys[present].max())
    if high - low > 4 * len(keys) + 1024:
        return np.unique(keys, return_inverse=True)
    # NULL_KEY (the smallest int64, first in np.unique's order) takes slot 0.
    slots = np.where(present, keys - low + 1, 0)
    used = np.flatnonzero(np.bincount(slots, minlength=high - low + 2))
    position = np.zeros(high - low + 2, dtype=np.int64)
    position[used] = np.arange(len(used))
    groups = np.where(used == 0, NULL_KEY, used + low - 1)
    return groups, position[slots]


def _by_value(numbers: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """`rows` in order of their value in `numbers`, ties in row order: np.argsort(kind=
    "stable") of numbers[rows], as one sort of (value, row) packed in an int64 when both fit
    (several times faster than a stable argsort)."""
    values = numbers[rows]
    bits = max(1, int(len(numbers)).bit_length())
    if not len(values) or max(abs(int(values.min())), abs(int(values.max()))) >= 2**(62 - bits):
        return rows[np.argsort(values, kind="stable")]
    packed = np.sort((values << bits) | rows)  # rows < 2**bits: the low bits are the row
    return packed & ((1 << bits) - 1)


def _group_figures(keys: np.ndarray, durations: dict[str, tuple[np.ndarray, np.ndarray]],
                   within: np.ndarray, fractions: dict[str, tuple[int, int]]
                   ) -> dict[Any, dict[str, Any]]:
    """Rows, threads within target, and per duration its count and percentiles, per key.

    `durations` maps a name to its values (one per row) and the rows holding a value, in
    order of value."""
    groups, inverse = _unique(keys)
    rows = np.bincount(inverse, minlength=len(groups))
    inside = np.bincount(inverse, weights=within, minlength=len(groups))
    result: dict[Any, dict[str, Any]] = {}
    for index, key in enumerate(groups.tolist()):
        result[None if key == NULL_KEY else key] = {"rows": int(rows[index]),
                                                    "within": int(inside[index])}
    for name, (numbers, by_value) in durations.items():
        # Rows with a value, by value (sorted once per duration, see narrow_figures), then
        # grouped by a stable sort on the group: each group's values stay in order.
        member = inverse[by_value]
        small = member.astype(np.int16) if len(groups) < 2**15 else member  # radix sort
        ordered = numbers[by_value][np.argsort(small, kind="stable")]
        sizes = np.bincount(member, minlength=len(groups))
        starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
        for index, key in enumerate(groups.tolist()):
            figures = result[None if key == NULL_KEY else key]
            figures[f"n_{name}"] = int(sizes[index])
            for label, value in _percentiles(ordered, starts, sizes, index, fractions).items():
                figures[f"{label}_{name}"] = value
    return result


def narrow_figures(columns: list[ColumnElement], keyed: list[str], dimensions: Sequence[str],
                   where: Sequence[ColumnElement], fractions: dict[str, tuple[int, int]]
                   ) -> dict[tuple[str, Any], dict[str, Any]]:
    """Per (dimension, key): rows, within, and n/median/p90 of clock and working seconds.

    `columns` are the keyed dimensions' codes, then clock, working and within (as labelled by
    answered_figures); `where` picks the answered threads of the period.
    """
    nullable = [d == "midwife" for d in keyed] + [True, True, False]
    count, arrays = _read_columns(columns, nullable, where)
    if not count:
        return {}
    durations = {}
    for offset, name in enumerate(("clock", "working")):
        numbers, present = arrays[len(keyed) + offset]
        rows = np.flatnonzero(present)
        # The rows holding a value, in order of value: the same for every grouping.
        durations[name] = (numbers, _by_value(numbers, rows))
    within = arrays[len(keyed) + 2][0].astype(np.float64)
    result: dict[tuple[str, Any], dict[str, Any]] = {}
    for dimension in dimensions:
        if dimension == "all":
            keys = np.zeros(count, dtype=np.int64)
        else:
            values, present = arrays[keyed.index(dimension)]
            keys = np.where(present, values, NULL_KEY)
        for key, figures in _group_figures(keys, durations, within, fractions).items():
            result[(dimension, key)] = figures
    return result

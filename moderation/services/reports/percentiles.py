"""Time to first reply: exact percentiles (linear interpolation, as percentile_cont).

Percentiles use one portable method on SQLite and PostgreSQL: row_number() and count() over
the group, then linear interpolation between the two nearest ranks, which is exactly what
PostgreSQL's percentile_cont computes; PostgreSQL may use its own percentile_cont.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Integer, case, func, literal, or_, select, tuple_, union_all
from sqlalchemy.sql.elements import ColumnElement

from classifier.labels import TOPICS, URGENCIES
from models import COMMENT_STATUSES, Comment, db
from moderation.services.reports.narrow import interpolate, narrow_figures
from moderation.services.reports.periods import ReportPeriod, Week, week_index

MEDIAN = (1, 2)
P90 = (9, 10)

# --- Percentiles in SQL ------------------------------------------------------------------


def grouped_percentiles(
    groups: Sequence[ColumnElement],
    values: Mapping[str, ColumnElement],
    where: Sequence[ColumnElement] = (),
    *,
    sums: Mapping[str, ColumnElement] | None = None,
    fractions: Mapping[str, tuple[int, int]] | None = None,
) -> dict[tuple[Any, ...], dict[str, Any]]:
    """Per group: its rows, sums of `sums`, and each value's percentiles (as percentile_cont).

    For a fraction p = num/den of the n non-null values in a group, sorted, the 0-based
    position is h = (n-1)*p and the result is v[floor(h)] + (v[ceil(h)] - v[floor(h)]) *
    (h - floor(h)): linear interpolation, PostgreSQL's percentile_cont. row_number() over the
    group ranks the values (NULLs last); the ranks floor(h)+1 and ceil(h)+1 are computed in
    integer SQL arithmetic, and only the rows holding them leave the window, one group at a
    time. Python interpolates between the two values of each group.
    """
    fractions = fractions or {"median": MEDIAN, "p90": P90}
    sums = sums or {}
    first_name = next(iter(values))
    first_order = values[first_name].asc().nulls_last()
    # Same partition and order as the first ranking, whole frame: computed in the same sort.
    whole = {"partition_by": list(groups), "order_by": first_order, "rows": (None, None)}
    inner: list[ColumnElement] = [group.label(f"g{i}") for i, group in enumerate(groups)]
    inner.append(func.count().over(**whole).label("rows"))
    inner += [func.sum(expr).over(**whole).label(f"sum_{name}") for name, expr in sums.items()]
    for name, value in values.items():
        order = value.asc().nulls_last()
        inner += [
            value.label(f"v_{name}"),
            func.row_number().over(partition_by=list(groups), order_by=order)
            .label(f"rn_{name}"),
            func.count(value).over(partition_by=list(groups), order_by=order,
                                   rows=(None, None)).label(f"n_{name}"),
        ]
    ranked = select(*inner).where(*where).subquery("ranked")
    group_columns = [ranked.c[f"g{i}"] for i in range(len(groups))]
    outer: list[ColumnElement] = [*group_columns, func.max(ranked.c.rows).label("rows")]
    outer += [func.max(ranked.c[f"sum_{name}"]).label(f"sum_{name}") for name in sums]
    # Every group keeps its first row, so a group whose values are all NULL is still counted.
    wanted: list[ColumnElement] = [ranked.c[f"rn_{first_name}"] == 1]
    for name in values:
        v, rn, n = ranked.c[f"v_{name}"], ranked.c[f"rn_{name}"], ranked.c[f"n_{name}"]
        outer.append(func.max(n).label(f"n_{name}"))
        for label, (num, den) in fractions.items():
            k = (n - 1) * num
            low_rank = k // den + 1
            high_rank = low_rank + case((k % den > 0, 1), else_=0)
            outer += [
                func.max(case((rn == low_rank, v))).label(f"{label}_{name}_lo"),
                func.max(case((rn == high_rank, v))).label(f"{label}_{name}_hi"),
                func.max(case((n > 0, k % den), else_=0)).label(f"{label}_{name}_rem"),
            ]
            wanted += [rn == low_rank, rn == high_rank]
    statement = select(*outer).where(or_(*wanted)).group_by(*group_columns)
    result: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in db.session.execute(statement).mappings():
        figures: dict[str, Any] = {"rows": row["rows"]}
        for name in sums:
            figures[name] = int(row[f"sum_{name}"] or 0)
        for name in values:
            figures[f"n_{name}"] = row[f"n_{name}"] or 0
            for label, (_, den) in fractions.items():
                figures[f"{label}_{name}"] = interpolate(
                    row[f"{label}_{name}_lo"], row[f"{label}_{name}_hi"],
                    int(row[f"{label}_{name}_rem"] or 0), den)
        result[tuple(row[f"g{i}"] for i in range(len(groups)))] = figures
    return result


# --- What the tables are computed from ---------------------------------------------------

# The groupings of answered threads the tables need, and which table needs which.
ANSWERED_DIMENSIONS = ("urgency", "all", "topic", "week", "midwife")
TABLE_DIMENSIONS = {
    "response-by-urgency": ("urgency", "all"),
    "response-by-topic": ("topic",),
    "response-trend": ("week",),
    "midwives": ("midwife",),
}


def answered_in(period: ReportPeriod) -> list[ColumnElement]:
    """Threads whose first reply was published (or emailed privately) in the period."""
    return [
        # A private reply answers the person as surely as a public one: both count.
        Comment.status.in_(("published", "private")),
        Comment.first_replied_at.is_not(None),
        Comment.first_replied_at >= period.start,
        Comment.first_replied_at < period.end,
    ]


def received_in(period: ReportPeriod) -> list[ColumnElement]:
    """Comments received in the period.

    Naming every status lets both databases walk the (status, received_at) index, one range
    per status, instead of reading every comment ever received.
    """
    return [Comment.status.in_(COMMENT_STATUSES), Comment.received_at >= period.start,
            Comment.received_at < period.end]


def _within_target() -> ColumnElement:
    return case((Comment.first_replied_at <= Comment.due_at, 1), else_=0)


def _code(column: ColumnElement, names: Sequence[str]) -> ColumnElement:
    """A label as its position in the known list (-1 if unknown): integers sort fast."""
    return case(*[(column == name, index) for index, name in enumerate(names)], else_=-1)


UNKNOWN = "unknown"


def answered_figures(period: ReportPeriod, weeks: Sequence[Week], dimensions: Sequence[str],
                     *, method: str | None = None) -> dict[str, dict[Any, dict[str, Any]]]:
    """Time to first reply per urgency, topic, week, midwife and overall, in ONE statement.

    Three methods with the same result (linear interpolation, as percentile_cont): "narrow"
    (the default, both databases) reads the threads' integers once and ranks them in Python
    (see narrow.py); "window" ranks them in SQL, portable; "percentile_cont" is PostgreSQL's
    own ordered-set aggregate over GROUPING SETS. The SQL methods stay as the reference the
    tests and the benchmark compare with. Groups are integers (label positions, week
    numbers, account ids) because sorting text under a locale's collation is slower.
    """
    if not dimensions:
        return {}
    method = method or "narrow"
    keys = {
        "urgency": _code(Comment.urgency, URGENCIES),
        "topic": _code(Comment.topic, TOPICS),
        "week": week_index(Comment.first_replied_at, weeks),
        "midwife": Comment.moderated_by_id,
    }
    keyed = [d for d in dimensions if d in keys]
    columns = [
        *(keys[d].label(d) for d in keyed),
        Comment.response_seconds.label("clock"),
        Comment.response_working_seconds.label("working"),
        _within_target().label("within"),
    ]
    if method == "narrow":
        figures = narrow_figures(columns, keyed, dimensions, answered_in(period),
                                 {"median": MEDIAN, "p90": P90})
    elif method == "percentile_cont":
        figures = _percentile_cont_figures(columns, keyed, dimensions, period)
    else:
        figures = _window_figures(columns, dimensions, period)
    names = {"urgency": URGENCIES, "topic": TOPICS}
    result: dict[str, dict[Any, dict[str, Any]]] = {d: {} for d in dimensions}
    for (dimension, key), values in figures.items():
        if dimension in names:
            key = names[dimension][key] if 0 <= key < len(names[dimension]) else UNKNOWN
        elif dimension == "all":
            key = "all"
        result[dimension][key] = values
    return result


def _window_figures(columns: list[ColumnElement], dimensions: Sequence[str],
                    period: ReportPeriod) -> dict[tuple[str, Any], dict[str, Any]]:
    """The portable method: the answered threads read once (CTE), repeated per grouping with
    UNION ALL, ranked in one window pass (see grouped_percentiles)."""
    base = select(*columns).where(*answered_in(period)).cte("answered")
    parts = [
        select(literal(number, Integer).label("dim"),
               (literal(0, Integer) if d == "all" else base.c[d]).label("key"),
               base.c.clock, base.c.working, base.c.within)
        for number, d in enumerate(dimensions)
    ]
    long = (parts[0] if len(parts) == 1 else union_all(*parts)).subquery("by_group")
    figures = grouped_percentiles([long.c.dim, long.c.key],
                                  {"clock": long.c.clock, "working": long.c.working},
                                  sums={"within": long.c.within})
    return {(dimensions[number], key): values for (number, key), values in figures.items()}


def _percentile_cont_figures(columns: list[ColumnElement], keyed: list[str],
                             dimensions: Sequence[str], period: ReportPeriod
                             ) -> dict[tuple[str, Any], dict[str, Any]]:
    """PostgreSQL: percentile_cont per grouping set, one scan and one sort per set."""
    base = select(*columns).where(*answered_in(period)).subquery("answered")
    sets = [tuple_(base.c[d]) if d in keyed else tuple_() for d in dimensions]
    aggregates = [func.count().label("rows"), func.sum(base.c.within).label("within")]
    for name in ("clock", "working"):
        value = base.c[name]
        aggregates.append(func.count(value).label(f"n_{name}"))
        for label, (num, den) in {"median": MEDIAN, "p90": P90}.items():
            aggregates.append(func.percentile_cont(num / den).within_group(value)
                              .label(f"{label}_{name}"))
    # grouping(c) is 0 in the sets that group by c: it tells which set a row belongs to.
    flags = [func.grouping(base.c[d]).label(f"is_{d}") for d in keyed]
    statement = select(*(base.c[d] for d in keyed), *flags, *aggregates).group_by(
        func.grouping_sets(*sets))
    result: dict[tuple[str, Any], dict[str, Any]] = {}
    for row in db.session.execute(statement).mappings():
        grouped = [d for d in keyed if row[f"is_{d}"] == 0]
        dimension = grouped[0] if grouped else "all"
        key = row[dimension] if grouped else 0
        figures = {"rows": row["rows"], "within": int(row["within"] or 0)}
        for name in ("clock", "working"):
            figures[f"n_{name}"] = row[f"n_{name}"]
            for label in ("median", "p90"):
                value = row[f"{label}_{name}"]
                figures[f"{label}_{name}"] = None if value is None else round(value, 6)
        result[(dimension, key)] = figures
    return result


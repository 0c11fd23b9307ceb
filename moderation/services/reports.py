"""Supervisor reports: response times, targets, backlog, workload, topics and model corrections.

Every figure is computed by the database with aggregates and window functions; Python only
reshapes the handful of aggregated rows. Percentiles use one portable method on SQLite and
PostgreSQL: row_number() and count() over the group, then linear interpolation between the two
nearest ranks, which is exactly what PostgreSQL's percentile_cont computes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, case, func, literal, or_, select, text, tuple_, union_all
from sqlalchemy.sql.elements import ColumnElement

from classifier.labels import TOPICS, URGENCIES
from models import (
    COMMENT_STATUSES,
    Comment,
    Escalation,
    LabelCorrection,
    NearMiss,
    Reply,
    User,
    db,
    utcnow,
)
from moderation.services.audit import record_event
from moderation.services.settings import ServicePolicy, current_policy
from moderation.services.working_hours import target_description, working_seconds_between

PRESET_DAYS = (7, 30, 90)
DEFAULT_PRESET = 30
# A custom range is capped so the weekly tables and charts stay readable (and bounded).
MAX_RANGE_DAYS = 731
# (numerator, denominator) of each percentile: integers keep the rank arithmetic exact in SQL.
MEDIAN = (1, 2)
P90 = (9, 10)
CORRECTION_FIELDS = ("urgency", "topic")


class ReportInputError(ValueError):
    """A report period that cannot be used, with a message a supervisor can act on."""


# --- Periods -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportPeriod:
    """A half-open period [start, end) in aware UTC, chosen as a preset or a custom range."""

    start: datetime
    end: datetime
    preset: int | None  # 7, 30 or 90 for "last N days"; None for a custom range
    first_day: date  # the calendar days shown to people, in the service's time zone
    last_day: date

    @property
    def label(self) -> str:
        """Say the period in words."""
        span = f"{self.first_day:%d %b %Y} to {self.last_day:%d %b %Y}"
        if self.preset:
            return f"Last {self.preset} days ({span})"
        return span

    @property
    def slug(self) -> str:
        """A short name for file names."""
        return f"{self.first_day.isoformat()}-to-{self.last_day.isoformat()}"

    def query_args(self) -> dict[str, str]:
        """The query-string arguments that choose this period again."""
        if self.preset:
            return {"period": str(self.preset)}
        return {"period": "custom", "date_from": self.first_day.isoformat(),
                "date_to": self.last_day.isoformat()}


def day_start(day: date, timezone: str) -> datetime:
    """Return midnight at the start of a calendar day in the service's zone, as UTC."""
    return datetime.combine(day, time(0, 0), tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def resolve_period(
    preset: str | int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    *,
    now: datetime | None = None,
    timezone: str | None = None,
) -> ReportPeriod:
    """Turn a preset ("7", "30", "90") or a custom range of calendar days into a period."""
    now = now or utcnow()
    timezone = timezone or current_policy().timezone
    zone = ZoneInfo(timezone)
    if preset in (None, "") and date_from is None and date_to is None:
        preset = DEFAULT_PRESET
    if preset not in (None, "", "custom"):
        try:
            days = int(preset)
        except (TypeError, ValueError):
            days = -1
        if days not in PRESET_DAYS:
            choices = ", ".join(str(d) for d in PRESET_DAYS)
            raise ReportInputError(f"Choose a period of {choices} days, or a custom range.")
        start = now - timedelta(days=days)
        return ReportPeriod(start=start, end=now, preset=days,
                            first_day=start.astimezone(zone).date(),
                            last_day=now.astimezone(zone).date())
    if date_from is None or date_to is None:
        raise ReportInputError("For a custom range, give both a start date and an end date.")
    if date_from > date_to:
        raise ReportInputError(
            f"The start date ({date_from:%d %b %Y}) is after the end date "
            f"({date_to:%d %b %Y}): swap them and try again."
        )
    if (date_to - date_from).days + 1 > MAX_RANGE_DAYS:
        raise ReportInputError(f"Choose a range of at most {MAX_RANGE_DAYS} days.")
    return ReportPeriod(start=day_start(date_from, timezone),
                        end=day_start(date_to + timedelta(days=1), timezone),
                        preset=None, first_day=date_from, last_day=date_to)


@dataclass(frozen=True)
class Week:
    """One column of the weekly figures: Monday to Sunday, clipped to the period."""

    start: datetime
    end: datetime
    first_day: date

    @property
    def label(self) -> str:
        return f"{self.first_day:%d %b %Y}"


def period_weeks(period: ReportPeriod, timezone: str) -> list[Week]:
    """Split the period into weeks starting on Monday at midnight in the service's zone."""
    zone = ZoneInfo(timezone)
    weeks: list[Week] = []
    cursor = period.start
    while cursor < period.end:
        local_day = cursor.astimezone(zone).date()
        next_monday = local_day + timedelta(days=7 - local_day.weekday())
        week_end = min(day_start(next_monday, timezone), period.end)
        weeks.append(Week(start=cursor, end=week_end, first_day=local_day))
        cursor = week_end
    return weeks


def _week_index(column: ColumnElement, weeks: Sequence[Week]) -> ColumnElement:
    """A CASE giving the week number of a timestamp: portable and right across clock changes."""
    return case(*[(column < week.end, index) for index, week in enumerate(weeks)], else_=None)


# --- Tables ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of a report table; `kind` says how to show it (and how to write it in CSV)."""

    key: str
    label: str
    # text | count | seconds (clock time) | working (seconds of working time) | share | datetime
    kind: str = "text"


@dataclass
class Table:
    """A report table: what the page shows, the chart draws and the CSV download holds."""

    name: str
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    caption: str = ""
    notes: dict[str, Any] = field(default_factory=dict)

    def csv_header(self) -> list[str]:
        """Column headings for the CSV file, with units."""
        units = {"seconds": " (seconds)", "working": " (seconds)", "share": " (%)"}
        return [column.label + units.get(column.kind, "") for column in self.columns]

    def csv_rows(self) -> list[list[Any]]:
        """Rows with plain values: seconds as numbers, shares as percentages, ISO times."""
        out = []
        for row in self.rows:
            cells = []
            for column in self.columns:
                value = row.get(column.key)
                if value is None:
                    cells.append("")
                elif column.kind in ("seconds", "working"):
                    cells.append(round(float(value), 1))
                elif column.kind == "share":
                    cells.append(round(float(value) * 100, 1))
                elif column.kind == "datetime":
                    cells.append(value.astimezone(UTC).isoformat().replace("+00:00", "Z"))
                else:
                    cells.append(value)
            out.append(cells)
        return out


def _duration_columns(prefix: str = "") -> list[Column]:
    return [
        Column("median_clock", f"{prefix}Median, clock time", "seconds"),
        Column("p90_clock", f"{prefix}90th percentile, clock time", "seconds"),
        Column("median_working", f"{prefix}Median, working hours", "working"),
        Column("p90_working", f"{prefix}90th percentile, working hours", "working"),
    ]


# --- Percentiles in SQL ------------------------------------------------------------------


def _interpolate(low: float | None, high: float | None, remainder: int, denominator: int
                 ) -> float | None:
    # Integer values and an integer remainder keep this exact: low + (high - low) * r / d;
    # rounded to a millionth like the percentile_cont method, whose float steps may differ.
    if low is None or high is None:
        return None
    return round(low + (high - low) * remainder / denominator, 6)


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
                figures[f"{label}_{name}"] = _interpolate(
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


def _answered_in(period: ReportPeriod) -> list[ColumnElement]:
    """Threads whose first reply was published (or emailed privately) in the period."""
    return [
        # A private reply answers the person as surely as a public one: both count.
        Comment.status.in_(("published", "private")),
        Comment.first_replied_at.is_not(None),
        Comment.first_replied_at >= period.start,
        Comment.first_replied_at < period.end,
    ]


def _received_in(period: ReportPeriod) -> list[ColumnElement]:
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

    Two methods with the same result (linear interpolation, as percentile_cont): "window" is
    portable (SQLite and PostgreSQL); "percentile_cont" is PostgreSQL's own ordered-set
    aggregate over GROUPING SETS, several times faster there. By default PostgreSQL uses its
    own, SQLite the window method. Groups are integers (label positions, week numbers,
    account ids) because sorting text under a locale's collation is several times slower.
    """
    if not dimensions:
        return {}
    method = method or ("percentile_cont" if db.session.get_bind().dialect.name == "postgresql"
                        else "window")
    keys = {
        "urgency": _code(Comment.urgency, URGENCIES),
        "topic": _code(Comment.topic, TOPICS),
        "week": _week_index(Comment.first_replied_at, weeks),
        "midwife": Comment.moderated_by_id,
    }
    keyed = [d for d in dimensions if d in keys]
    columns = [
        *(keys[d].label(d) for d in keyed),
        Comment.response_seconds.label("clock"),
        Comment.response_working_seconds.label("working"),
        _within_target().label("within"),
    ]
    if method == "percentile_cont":
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
    base = select(*columns).where(*_answered_in(period)).cte("answered")
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
    base = select(*columns).where(*_answered_in(period)).subquery("answered")
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


class ReportData:
    """The few aggregate queries behind the tables, each run at most once per report."""

    def __init__(self, period: ReportPeriod, policy: ServicePolicy, *,
                 dimensions: Sequence[str] = ANSWERED_DIMENSIONS,
                 now: datetime | None = None) -> None:
        self.period = period
        self.policy = policy
        self.now = now or utcnow()
        self.weeks = period_weeks(period, policy.timezone)
        self.dimensions = tuple(dimensions)
        if db.session.get_bind().dialect.name == "postgresql":
            # Sorting ~10^5 rows per grouping in memory instead of on disk: this transaction only.
            db.session.execute(text("SET LOCAL work_mem = '64MB'"))

    @cached_property
    def answered(self) -> dict[str, dict[Any, dict[str, Any]]]:
        return answered_figures(self.period, self.weeks, self.dimensions)

    @cached_property
    def received(self) -> list[tuple[int | None, str, str, bool, bool, int]]:
        """(week, topic, urgency, is spam, triaged, comments) for comments received."""
        week = _week_index(Comment.received_at, self.weeks)
        spam = case((Comment.status == "spam", 1), else_=0)
        triaged = case((Comment.triaged.is_(True), 1), else_=0)
        return [
            (w, topic, urgency, bool(is_spam), bool(is_triaged), count)
            for w, topic, urgency, is_spam, is_triaged, count in db.session.execute(
                select(week, Comment.topic, Comment.urgency, spam, triaged, func.count())
                .where(*_received_in(self.period))
                .group_by(week, Comment.topic, Comment.urgency, spam, triaged)
            )
        ]

    @cached_property
    def corrections(self) -> list[tuple[str, str, str, str, bool, int]]:
        """(field, old label, new label, label now, first correction?, corrections) for the
        corrections of triaged comments received in the period, in one statement."""
        rank = func.row_number().over(
            partition_by=(LabelCorrection.comment_id, LabelCorrection.field),
            order_by=(LabelCorrection.created_at, LabelCorrection.id),
        )
        current = case((LabelCorrection.field == "urgency", Comment.urgency),
                       else_=Comment.topic)
        ranked = (
            select(LabelCorrection.field, LabelCorrection.old_value, LabelCorrection.new_value,
                   current.label("current"), case((rank == 1, 1), else_=0).label("first"))
            .join(Comment, Comment.id == LabelCorrection.comment_id)
            .where(*_received_in(self.period), Comment.triaged.is_(True),
                   LabelCorrection.field.in_(CORRECTION_FIELDS),
                   # Implied (a correction follows the comment's arrival); lets the database
                   # start from the corrections made since the period began.
                   LabelCorrection.created_at >= self.period.start)
            .subquery("ranked")
        )
        columns = (ranked.c.field, ranked.c.old_value, ranked.c.new_value, ranked.c.current,
                   ranked.c.first)
        return [(f, old, new, now, bool(first), count) for f, old, new, now, first, count in
                db.session.execute(select(*columns, func.count()).group_by(*columns))]


# --- Report sections ---------------------------------------------------------------------


def _duration_figures(figures: dict[str, Any] | None) -> dict[str, Any]:
    figures = figures or {}
    return {
        "answered": figures.get("rows", 0),
        "median_clock": figures.get("median_clock"),
        "p90_clock": figures.get("p90_clock"),
        "median_working": figures.get("median_working"),
        "p90_working": figures.get("p90_working"),
    }


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def response_by_urgency(data: ReportData) -> Table:
    """Time to first reply and the share within target, per urgency and overall."""
    by_urgency = data.answered["urgency"]
    rows = []
    for urgency in (*URGENCIES, *sorted(set(by_urgency) - set(URGENCIES), key=str)):
        figures = by_urgency.get(urgency, {})
        row = {"urgency": urgency,
               "target": target_description(urgency, data.policy) if urgency in URGENCIES
               else "",
               **_duration_figures(figures), "within_target": figures.get("within", 0)}
        row["within_target_share"] = _share(row["within_target"], row["answered"])
        rows.append(row)
    overall = data.answered["all"].get("all", {})
    row = {"urgency": "all", "target": "", **_duration_figures(overall),
           "within_target": overall.get("within", 0)}
    row["within_target_share"] = _share(row["within_target"], row["answered"])
    rows.append(row)
    columns = [Column("urgency", "Urgency"), Column("target", "Reply target"),
               Column("answered", "Answered", "count"), *_duration_columns(),
               Column("within_target", "Within target", "count"),
               Column("within_target_share", "Share within target", "share")]
    return Table("response-by-urgency", "Time to first reply by urgency", columns, rows,
                 caption="Threads whose first reply was published in the period. "
                         "Within target: first reply published by the comment's deadline.")


def response_by_topic(data: ReportData) -> Table:
    """Time to first reply per topic."""
    by_topic = data.answered["topic"]
    rows = [{"topic": topic, **_duration_figures(by_topic.get(topic))}
            for topic in (*TOPICS, *sorted(set(by_topic) - set(TOPICS), key=str))]
    columns = [Column("topic", "Topic"), Column("answered", "Answered", "count"),
               *_duration_columns()]
    return Table("response-by-topic", "Time to first reply by topic", columns, rows,
                 caption="Threads whose first reply was published in the period.")


def response_trend(data: ReportData) -> Table:
    """Week by week: answered threads, median and 90th percentile time to first reply."""
    by_week = data.answered["week"]
    rows = []
    for index, week in enumerate(data.weeks):
        figures = by_week.get(index, {})
        row = {"week": week.first_day, "week_label": week.label, **_duration_figures(figures)}
        row["within_target_share"] = _share(figures.get("within", 0), row["answered"])
        rows.append(row)
    columns = [Column("week_label", "Week starting"), Column("answered", "Answered", "count"),
               *_duration_columns(),
               Column("within_target_share", "Share within target", "share")]
    return Table("response-trend", "Weekly time to first reply", columns, rows,
                 caption="Threads by the week their first reply was published. Weeks start on "
                         "Monday; the first and last may be partial.")


def backlog(data: ReportData) -> Table:
    """Pending comments now: how many per urgency, the oldest waiting, how many overdue."""
    now, policy = data.now, data.policy
    overdue = case((Comment.due_at < now, 1), else_=0)
    stats = {
        urgency: (count, _aware(oldest), int(late or 0))
        for urgency, count, oldest, late in db.session.execute(
            select(Comment.urgency, func.count(), func.min(Comment.received_at),
                   func.sum(overdue))
            .where(Comment.status == "pending").group_by(Comment.urgency)
        )
    }

    def row(urgency: str, count: int, oldest: datetime | None, late: int) -> dict[str, Any]:
        return {
            "urgency": urgency, "pending": count, "overdue": late,
            "oldest_received_at": oldest,
            "oldest_waiting": (now - oldest).total_seconds() if oldest else None,
            # One comment per row: the working-hours walk is per row of this table, not data.
            "oldest_waiting_working": (working_seconds_between(oldest, now, policy)
                                       if oldest else None),
        }

    rows = [row(u, *stats.get(u, (0, None, 0)))
            for u in (*URGENCIES, *sorted(set(stats) - set(URGENCIES), key=str))]
    oldest_all = min((r["oldest_received_at"] for r in rows if r["oldest_received_at"]),
                     default=None)
    rows.append(row("all", sum(r["pending"] for r in rows), oldest_all,
                    sum(r["overdue"] for r in rows)))
    columns = [Column("urgency", "Urgency"), Column("pending", "Pending", "count"),
               Column("overdue", "Overdue", "count"),
               Column("oldest_received_at", "Oldest received", "datetime"),
               Column("oldest_waiting", "Oldest waiting, clock time", "seconds"),
               Column("oldest_waiting_working", "Oldest waiting, working hours", "working")]
    return Table("backlog", "Backlog now", columns, rows,
                 caption="Comments waiting for a reply when the report was made, whatever the "
                         "period. Overdue: past the reply deadline.", notes={"now": now})


def midwife_workload(data: ReportData) -> Table:
    """Replies published per midwife, threads she answered first and her median time."""
    period = data.period
    replies = dict(db.session.execute(
        select(Reply.midwife_id, func.count())
        .where(Reply.published_at.is_not(None), Reply.published_at >= period.start,
               Reply.published_at < period.end)
        .group_by(Reply.midwife_id)
    ).all())
    first = data.answered["midwife"]
    ids = {i for i in (*replies, *first) if i is not None}
    people = {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(ids)))}
    rows = []
    for user_id in ids:
        figures = first.get(user_id, {})
        user = people.get(user_id)
        rows.append({
            "midwife": user.name if user else f"Account {user_id}",
            "replies": replies.get(user_id, 0),
            "threads_answered": figures.get("rows", 0),
            "median_clock": figures.get("median_clock"),
            "median_working": figures.get("median_working"),
        })
    rows.sort(key=lambda r: (-r["replies"], r["midwife"]))
    columns = [Column("midwife", "Midwife"), Column("replies", "Replies published", "count"),
               Column("threads_answered", "Threads answered first", "count"),
               Column("median_clock", "Median time to first reply, clock time", "seconds"),
               Column("median_working", "Median time to first reply, working hours",
                      "working")]
    return Table("midwives", "Replies per midwife", columns, rows,
                 caption="Replies published in the period. Time to first reply counts the "
                         "threads each midwife answered first.")


def topic_volume(data: ReportData) -> Table:
    """Comments received per topic per week (spam left out)."""
    counts: dict[tuple[int | None, str], int] = {}
    for week, topic, _, is_spam, _, count in data.received:
        if not is_spam:
            counts[(week, topic)] = counts.get((week, topic), 0) + count
    topics = [*TOPICS, *sorted({t for _, t in counts} - set(TOPICS), key=str)]
    rows = []
    for index, week in enumerate(data.weeks):
        row: dict[str, Any] = {"week": week.first_day, "week_label": week.label}
        for topic in topics:
            row[topic] = counts.get((index, topic), 0)
        row["total"] = sum(row[t] for t in topics)
        rows.append(row)
    columns = [Column("week_label", "Week starting"),
               *[Column(topic, topic, "count") for topic in topics],
               Column("total", "Total", "count")]
    return Table("topic-volume", "Comments per topic per week", columns, rows,
                 caption="Comments received in the period, by the topic they carry now "
                         "(spam left out).", notes={"topics": topics})


def model_corrections(data: ReportData) -> Table:
    """Per label the model gave: how many comments, how many a midwife corrected, the rate.

    The model's label is the old value of the first correction of that field, or the label
    still on the comment when nobody corrected it, so, from aggregates alone:
    comments the model gave L = comments carrying L now - corrected ones carrying L now
    + corrected ones the model had given L.
    """
    rows = []
    totals = {}
    for field_name in CORRECTION_FIELDS:
        position = 2 if field_name == "urgency" else 1  # in ReportData.received
        now_counts: dict[str, int] = {}
        for item in data.received:
            if item[4]:
                now_counts[item[position]] = now_counts.get(item[position], 0) + item[5]
        model_gave: dict[str, int] = {}
        corrected_now: dict[str, int] = {}
        for kind, old, _, current, first, count in data.corrections:
            if kind == field_name and first:
                model_gave[old] = model_gave.get(old, 0) + count
                corrected_now[current] = corrected_now.get(current, 0) + count
        names = URGENCIES if field_name == "urgency" else TOPICS
        extra = (set(now_counts) | set(model_gave)) - set(names)
        for label in (*names, *sorted(extra, key=str)):
            model_count = (now_counts.get(label, 0) - corrected_now.get(label, 0)
                           + model_gave.get(label, 0))
            corrected = model_gave.get(label, 0)
            rows.append({"field": field_name, "label": label, "model_count": model_count,
                         "corrected": corrected, "error_rate": _share(corrected, model_count)})
        triaged_total, corrected_total = sum(now_counts.values()), sum(model_gave.values())
        totals[field_name] = (triaged_total, corrected_total)
        rows.append({"field": field_name, "label": "all", "model_count": triaged_total,
                     "corrected": corrected_total,
                     "error_rate": _share(corrected_total, triaged_total)})
    columns = [Column("field", "Label kind"), Column("label", "Label the model gave"),
               Column("model_count", "Comments", "count"),
               Column("corrected", "Corrected by a midwife", "count"),
               # A correction rate: the share a midwife changed, not a measured error of the model.
               Column("error_rate", "Correction rate", "share")]
    return Table("model-corrections", "How often midwives corrected the model", columns, rows,
                 caption="Comments the model triaged that arrived in the period. Correction rate: "
                         "comments whose label a midwife changed, out of the comments the "
                         "model gave that label.", notes={"totals": totals})


def correction_changes(data: ReportData) -> Table:
    """Every kind of correction (old label to new label) and how often midwives made it."""
    counts: dict[tuple[str, str, str], int] = {}
    for field_name, old, new, _, _, count in data.corrections:
        counts[(field_name, old, new)] = counts.get((field_name, old, new), 0) + count
    rows = [{"field": f, "old_value": o, "new_value": n, "corrections": c}
            for (f, o, n), c in sorted(counts.items(), key=lambda item: (
                CORRECTION_FIELDS.index(item[0][0]), -item[1], item[0][1], item[0][2]))]
    columns = [Column("field", "Label kind"), Column("old_value", "Model said"),
               Column("new_value", "Midwife changed it to"),
               Column("corrections", "Corrections", "count")]
    return Table("correction-changes", "Corrections, from the model's label to the midwife's",
                 columns, rows,
                 caption="Every correction of a comment that arrived in the period.")


def _seconds_between(start: ColumnElement, end: ColumnElement) -> ColumnElement:
    """Seconds from one time column to another, in either database's own arithmetic."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", end - start)
    return (func.julianday(end) - func.julianday(start)) * 86400.0


def urgent_claims(data: ReportData) -> Table:
    """Urgent comments: time from arrival to first claim, with someone on call or nobody."""
    figures = grouped_percentiles(
        [Escalation.on_call],
        {"claim": _seconds_between(Comment.received_at, Comment.first_claimed_at)},
        [*_received_in(data.period), Comment.urgency == "urgent",
         Escalation.comment_id == Comment.id],
    )
    rows = []
    for on_call, label in ((True, "someone on call"), (False, "nobody on call")):
        values = figures.get((on_call,), {})
        rows.append({"hours": label, "urgent": values.get("rows", 0),
                     "claimed": values.get("n_claim", 0),
                     "median_claim": values.get("median_claim"),
                     "p90_claim": values.get("p90_claim")})
    columns = [Column("hours", "When it arrived"), Column("urgent", "Urgent comments", "count"),
               Column("claimed", "Claimed", "count"),
               Column("median_claim", "Median time to first claim", "seconds"),
               Column("p90_claim", "90th percentile time to first claim", "seconds")]
    return Table("urgent-claims", "Urgent comments: time to first claim", columns, rows,
                 caption="Urgent comments received in the period (and alerted), from arrival to "
                         "the first time a midwife claimed one, split by whether anyone was on "
                         "call when it arrived.")


def safety_net(data: ReportData) -> Table:
    """Per model version: check-soon comments later raised to urgent, and near misses."""
    raised = (select(LabelCorrection.id)
              .where(LabelCorrection.comment_id == Comment.id,
                     LabelCorrection.field == "urgency", LabelCorrection.new_value == "urgent")
              .exists())
    soon = Comment.check_soon.is_(True)
    one = literal(1)
    query = (
        select(Comment.model_version, func.count(),
               func.sum(case((soon, one), else_=0)),
               func.sum(case((soon & raised, one), else_=0)),
               func.count(NearMiss.id))
        .outerjoin(NearMiss, NearMiss.comment_id == Comment.id)
        .where(*_received_in(data.period), Comment.triaged.is_(True))
        .group_by(Comment.model_version)
        .order_by(Comment.model_version)
    )
    rows = [{"model_version": version or "none", "comments": count,
             "check_soon": int(marked or 0), "check_soon_raised": int(later or 0),
             "raised_share": _share(int(later or 0), int(marked or 0)),
             "near_misses": int(misses or 0)}
            for version, count, marked, later, misses in db.session.execute(query)]
    columns = [Column("model_version", "Model version"),
               Column("comments", "Comments triaged", "count"),
               Column("check_soon", "Marked check soon", "count"),
               Column("check_soon_raised", "Check soon, later raised to urgent", "count"),
               Column("raised_share", "Share of check soon raised", "share"),
               Column("near_misses", "Near misses", "count")]
    return Table("safety-net", "Check soon and near misses, per model version", columns, rows,
                 caption="Comments that arrived in the period, by the model that scored them. "
                         "A near miss is a comment a midwife raised to urgent that the served "
                         "triage had called priority or routine.")


def _aware(value: datetime | str | None) -> datetime | None:
    # Aggregates may bypass the column type: SQLite can hand back naive UTC text.
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# --- The whole report --------------------------------------------------------------------

SECTIONS: dict[str, Callable[[ReportData], Table]] = {
    "response-by-urgency": response_by_urgency,
    "response-by-topic": response_by_topic,
    "response-trend": response_trend,
    "backlog": backlog,
    "urgent-claims": urgent_claims,
    "midwives": midwife_workload,
    "topic-volume": topic_volume,
    "model-corrections": model_corrections,
    "correction-changes": correction_changes,
    "safety-net": safety_net,
}


@dataclass
class Report:
    """Every table of the reports page for one period."""

    period: ReportPeriod
    policy: ServicePolicy
    tables: dict[str, Table]

    def __getitem__(self, name: str) -> Table:
        return self.tables[name]


def build_report(period: ReportPeriod, policy: ServicePolicy | None = None, *,
                 now: datetime | None = None) -> Report:
    """Compute every table of the reports page."""
    policy = policy or current_policy()
    data = ReportData(period, policy, now=now)
    return Report(period, policy, {name: make(data) for name, make in SECTIONS.items()})


def build_table(name: str, period: ReportPeriod, policy: ServicePolicy | None = None, *,
                now: datetime | None = None) -> Table:
    """Compute one table (for its CSV download or its chart), running only its queries."""
    if name not in SECTIONS:
        raise KeyError(name)
    policy = policy or current_policy()
    data = ReportData(period, policy, dimensions=TABLE_DIMENSIONS.get(name, ()), now=now)
    return SECTIONS[name](data)


def table_for_download(name: str, period: ReportPeriod, actor: User) -> Table:
    """Compute one table for its CSV download and audit the download (flushed, not committed)."""
    table = build_table(name, period)
    record_event(actor, "export.report_table", "report", None, table=name,
                 filters={"from": period.first_day.isoformat(), "to": period.last_day.isoformat(),
                          "preset_days": period.preset},
                 rows=len(table.rows))
    return table

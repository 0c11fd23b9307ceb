"""Supervisor reports: response times, targets, backlog, workload, topics and model corrections.

Counts come from the database's aggregates (and the per-day rollups); time to first reply
from one narrow read of the answered threads, ranked exactly by NumPy. The package follows
the report's seams:

- periods: presets and custom ranges, and their weeks;
- percentiles and narrow: time to first reply (the SQL methods stay as the reference);
- data and rollups: the few aggregate queries behind the tables, with named result rows;
- tables and sections: one table per section, as the page, the charts and the CSV show it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from models import User
from moderation.services.audit import record_event
from moderation.services.reports.data import ReportData
from moderation.services.reports.percentiles import (
    ANSWERED_DIMENSIONS,
    MEDIAN,
    P90,
    TABLE_DIMENSIONS,
    answered_figures,
    grouped_percentiles,
)
from moderation.services.reports.periods import (
    DEFAULT_PRESET,
    MAX_RANGE_DAYS,
    PRESET_DAYS,
    ReportInputError,
    ReportPeriod,
    Week,
    day_start,
    period_weeks,
    resolve_period,
)
from moderation.services.reports.sections import (
    backlog,
    correction_changes,
    midwife_workload,
    model_corrections,
    response_by_topic,
    response_by_urgency,
    response_trend,
    safety_net,
    topic_volume,
    urgent_claims,
)
from moderation.services.reports.tables import Column, Table
from moderation.services.settings import ServicePolicy, current_policy

__all__ = [
    "ANSWERED_DIMENSIONS", "DEFAULT_PRESET", "MAX_RANGE_DAYS", "MEDIAN", "P90", "PRESET_DAYS",
    "SECTIONS", "TABLE_DIMENSIONS", "Column", "Report", "ReportInputError", "ReportPeriod",
    "Table", "Week", "answered_figures", "build_report", "build_table", "day_start",
    "grouped_percentiles", "period_weeks", "resolve_period", "table_for_download",
]

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

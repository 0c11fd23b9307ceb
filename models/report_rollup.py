"""Report rollups: per calendar day, the counts of the comments received that day.

A day is rolled up once it is over (in the service's time zone, kept with the day); a day
that is not in report_rollup_days is read from the comments themselves. Any change to a
comment that these counts read removes its day from report_rollup_days in the same
transaction, so a rolled-up day is never stale: the reports page sums the rolled-up days and
counts the rest (the partial first and last day, and days not yet rolled up) exactly.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import UTCDateTime, db, utcnow


class ReportRollupDay(db.Model):
    """A calendar day whose counts are rolled up, in the time zone its day was cut in."""

    __tablename__ = "report_rollup_days"

    zone: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    built_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReportReceivedDay(db.Model):
    """Comments received on a day, per current topic, urgency, spam and triage state."""

    __tablename__ = "report_received_days"

    zone: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    topic: Mapped[str] = mapped_column(String(32), primary_key=True)
    urgency: Mapped[str] = mapped_column(String(16), primary_key=True)
    is_spam: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    triaged: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    comments: Mapped[int] = mapped_column(Integer)


class ReportTriageDay(db.Model):
    """Triaged comments received on a day, per model version: the safety-net counts."""

    __tablename__ = "report_triage_days"

    zone: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    # "" for no model version (a primary key column cannot be NULL).
    model_version: Mapped[str] = mapped_column(String(100), primary_key=True)
    comments: Mapped[int] = mapped_column(Integer)
    check_soon: Mapped[int] = mapped_column(Integer)
    check_soon_raised: Mapped[int] = mapped_column(Integer)
    near_misses: Mapped[int] = mapped_column(Integer)

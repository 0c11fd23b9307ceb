"""Timing helpers of bench_reports: interleaved rounds, CPU time of the app and of the
PostgreSQL server, and the former exact-SQL way of computing the report, as the reference."""

from __future__ import annotations

import contextlib
import functools
import os
import statistics
import time
from pathlib import Path
from unittest import mock


def median_ms(call, repeat: int) -> float:
    call()  # warm-up
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


@contextlib.contextmanager
def exact_sql():
    """The former way, as the reference: percentiles ranked by the database (percentile_cont on
    PostgreSQL, the window method on SQLite), every figure counted from the comments (no
    rollups)."""
    from models import db
    from moderation.services.reports import data, percentiles

    method = ("percentile_cont" if db.session.get_bind().dialect.name == "postgresql"
              else "window")
    with mock.patch.object(data, "answered_figures",
                           functools.partial(percentiles.answered_figures, method=method)), \
            mock.patch.object(data, "rolled_days", lambda period, zone: []):
        yield


@contextlib.contextmanager
def former_read():
    """The former narrow read on PostgreSQL: comma-joined strings instead of one bytea of
    packed integers (the rollups and the covering indexes are used all the same)."""
    from moderation.services.reports import narrow

    with mock.patch.object(narrow, "_read_columns", narrow._joined_columns):
        yield


def database_cpu_seconds() -> float:
    """CPU seconds used so far by the PostgreSQL server processes of this benchmark's database
    (they run on this machine), or 0 for SQLite, whose work is in this process."""
    from sqlalchemy import text

    from models import db

    if db.session.get_bind().dialect.name != "postgresql":
        return 0.0
    database = db.session.scalar(text("SELECT current_database()"))
    pids = db.session.scalars(text("SELECT pid FROM pg_stat_activity WHERE datname = :name"),
                              {"name": database}).all()
    db.session.rollback()
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # not on this machine, or gone
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime + stime
    return ticks / os.sysconf("SC_CLK_TCK")


def interleaved_ms(calls: dict, repeat: int) -> dict[str, tuple[float, float]]:
    """Per call, the median wall ms and the median CPU ms (this process plus the database
    server's), the calls interleaved in each round, the order reversed every other round.

    On a loaded machine the wall time waits for a core; the CPU time is what the call costs."""
    names = list(calls)
    for name in names:  # warm-up
        calls[name]()
    wall: dict[str, list[float]] = {name: [] for name in names}
    cpu: dict[str, list[float]] = {name: [] for name in names}
    for round_number in range(repeat):
        for name in (names if round_number % 2 == 0 else names[::-1]):
            server = database_cpu_seconds()
            started, own = time.perf_counter(), time.process_time()
            calls[name]()
            wall[name].append((time.perf_counter() - started) * 1000)
            used = time.process_time() - own + database_cpu_seconds() - server
            cpu[name].append(used * 1000)
    return {name: (statistics.median(wall[name]), statistics.median(cpu[name]))
            for name in names}


def same_figures(period) -> bool:
    """Whether the page's figures equal the exact SQL's, table by table, row by row."""
    from models import db
    from moderation.services.reports import build_report

    now = period.end
    new = build_report(period, now=now)
    with exact_sql():
        old = build_report(period, now=now)
    db.session.rollback()
    return all(new[name].rows == old[name].rows for name in new.tables)

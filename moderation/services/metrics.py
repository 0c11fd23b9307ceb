"""Prometheus metrics: counters kept by each process, and gauges read from the database at scrape.

Under gunicorn the counters and histograms use prometheus-client's multiprocess mode (the
PROMETHEUS_MULTIPROC_DIR folder set by gunicorn.conf.py), so every worker's requests are counted.
Queue figures are computed from the database when /metrics is scraped, so they are the same
whichever worker answers.

Other parts of the app add their own scrape-time figures with `add_scrape_source`: the outbox
worker, for one, registers its backlog and failures there (see docs/operations.md).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from flask import Flask
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import event, func, select

from models import OUTBOX_STATUSES, Comment, OutboxMessage, WorkerHeartbeat, db, utcnow

log = logging.getLogger(__name__)
disable_created_metrics()  # the *_created series only double the output

REQUESTS = Counter("moderation_http_requests", "HTTP requests answered",
                   ["endpoint", "method", "status"])
REQUEST_SECONDS = Histogram("moderation_http_request_duration_seconds",
                            "Time to answer an HTTP request", ["endpoint"],
                            buckets=(.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30))
COMMENTS_RECEIVED = Counter("moderation_comments_received",
                            "Comments stored by intake (channel: site API or public form)",
                            ["channel"])
TRIAGE_SECONDS = Histogram("moderation_triage_duration_seconds",
                           "Time to score one batch of comments with the triage model",
                           buckets=(.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 5))
TRIAGE_FAILURES = Counter("moderation_triage_failures",
                          "Comments the model could not score (queued for a person)")


@dataclass(frozen=True)
class Sample:
    """One value of a scrape-time gauge."""

    name: str
    help: str
    value: float
    labels: dict[str, str] = field(default_factory=dict)


ScrapeSource = Callable[[], Iterable[Sample]]
_sources: dict[str, ScrapeSource] = {}


def add_scrape_source(name: str, source: ScrapeSource) -> None:
    """Add figures computed at each scrape (inside an app context); a failing source is skipped."""
    _sources[name] = source


def observe_triage(count: int, seconds: float, failed: bool) -> None:
    """Record one triage batch."""
    TRIAGE_SECONDS.observe(seconds)
    if failed:
        TRIAGE_FAILURES.inc(count)


def observe_request(endpoint: str | None, method: str, status: int, seconds: float) -> None:
    """Record one answered request (endpoint names keep the label set small)."""
    name = endpoint or "unmatched"
    REQUESTS.labels(name, method, str(status)).inc()
    REQUEST_SECONDS.labels(name).observe(seconds)


def count_received(comment: Comment) -> None:
    """Count one stored comment by channel (a website's API key, or the public form)."""
    COMMENTS_RECEIVED.labels("site" if comment.site_id is not None else "public").inc()


@event.listens_for(Comment, "after_insert")
def _count_received(mapper, connection, comment: Comment) -> None:
    count_received(comment)


def queue_samples(now: datetime | None = None) -> Iterator[Sample]:
    """Pending comments by urgency, and the age of the oldest urgent one nobody holds."""
    now = now or utcnow()
    depth = dict(db.session.execute(
        select(Comment.urgency, func.count()).where(Comment.status == "pending")
        .group_by(Comment.urgency)).all())
    for urgency in ("urgent", "priority", "routine"):
        yield Sample("moderation_queue_depth", "Pending comments by urgency",
                     depth.get(urgency, 0), {"urgency": urgency})
    oldest = db.session.scalar(
        select(func.min(Comment.received_at)).where(
            Comment.status == "pending", Comment.urgency == "urgent",
            Comment.is_unclaimed(now)))
    age = (now - _aware(oldest)).total_seconds() if oldest is not None else 0.0
    yield Sample("moderation_oldest_unclaimed_urgent_age_seconds",
                 "Age of the oldest pending urgent comment nobody is answering (0: none)", age)


def _aware(value: datetime) -> datetime:
    from datetime import UTC

    return value if value.tzinfo else value.replace(tzinfo=UTC)


def heartbeat_samples(now: datetime | None = None) -> Iterator[Sample]:
    """Seconds since each kind of background worker last said it was alive."""
    now = now or utcnow()
    rows = db.session.execute(select(WorkerHeartbeat.kind, func.max(WorkerHeartbeat.beat_at))
                              .group_by(WorkerHeartbeat.kind)).all()
    for kind, beat_at in rows:
        yield Sample("moderation_worker_heartbeat_age_seconds",
                     "Seconds since a background worker of this kind last reported",
                     (now - _aware(beat_at)).total_seconds(), {"kind": kind})


def outbox_samples() -> Iterator[Sample]:
    """Outbox messages by status (pending and sending are the backlog; dead ones need a person)."""
    counts = dict(db.session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
    for status in OUTBOX_STATUSES:
        yield Sample("moderation_outbox_messages", "Outbox messages by status",
                     counts.get(status, 0), {"status": status})


class AppCollector(Collector):
    """Figures read at scrape time: database, queue, model, spool, workers, plugged sources."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def collect(self) -> Iterator[Metric]:
        from moderation.services.health import model_state
        from moderation.services.spool import spooled_files

        samples: list[Sample] = []
        with self.app.app_context():
            state = model_state(self.app)
            samples.append(Sample("moderation_model_info", "The triage model in this worker",
                                  1, {"state": state, "version": _model_version()}))
            samples.append(Sample("moderation_spool_files",
                                  "Public comments waiting in the spool for the database",
                                  len(spooled_files(Path(self.app.config["SPOOL_DIR"])))))
            database_up = 1
            for name, source in [("queue", queue_samples), ("workers", heartbeat_samples),
                                 ("outbox", outbox_samples), *_sources.items()]:
                try:
                    samples.extend(source())
                except Exception as exc:  # noqa: BLE001 - a scrape reports, it never fails
                    log.warning("Metrics source %s failed: %s", name, exc.__class__.__name__)
                    db.session.rollback()
                    if name == "queue":
                        database_up = 0
            samples.append(Sample("moderation_database_up",
                                  "1 if the database answered this scrape", database_up))
            db.session.remove()
        yield from _families(samples)


def _model_version() -> str:
    from moderation.services.triage import loaded_model_version

    return loaded_model_version() or "none"


def _families(samples: list[Sample]) -> Iterator[Metric]:
    families: dict[str, GaugeMetricFamily] = {}
    for sample in samples:
        keys = sorted(sample.labels)
        family = families.get(sample.name)
        if family is None:
            family = families[sample.name] = GaugeMetricFamily(sample.name, sample.help,
                                                               labels=keys)
        family.add_metric([sample.labels[k] for k in keys], sample.value)
    yield from families.values()


def render_metrics(app: Flask) -> bytes:
    """The Prometheus text exposition of every metric, all workers' counters included."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        counters = CollectorRegistry()
        multiprocess.MultiProcessCollector(counters)
    else:
        counters = REGISTRY
    scraped = CollectorRegistry(auto_describe=False)
    scraped.register(AppCollector(app))
    return generate_latest(counters) + generate_latest(scraped)

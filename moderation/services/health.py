"""Liveness and readiness: the triage model loaded at worker start, the database, the workers."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import func, select, text

from models import WorkerHeartbeat, db, utcnow

log = logging.getLogger(__name__)

MODEL_STATE_KEY = "triage_model_state"
# "loaded" and "missing" are known states (a missing model queues comments for a person, as
# priority); a worker that has not tried yet, or whose artifact is broken, is not ready.
READY_MODEL_STATES = frozenset({"loaded", "missing"})


def preload_model(app: Flask) -> str:
    """Load the triage model now, at worker start, and remember whether it is usable."""
    from classifier import ModelNotFoundError
    from moderation.services.triage import get_model

    with app.app_context():
        try:
            get_model()
            state = "loaded"
        except ModelNotFoundError as exc:
            log.warning("Triage model missing: %s", exc)
            state = "missing"
        except Exception:  # a broken artifact must not stop the worker: comments still queue
            log.exception("Triage model could not be loaded")
            state = "broken"
    app.extensions[MODEL_STATE_KEY] = state
    return state


def model_state(app: Flask | None = None) -> str:
    """The model's state in this process: loaded, missing, broken or not loaded."""
    app = app or current_app
    return app.extensions.get(MODEL_STATE_KEY, "not loaded")


def record_worker_heartbeat(name: str, kind: str = "outbox", now: datetime | None = None) -> None:
    """Say that background worker `name` is alive (flushes; the worker commits)."""
    now = now or utcnow()
    beat = db.session.get(WorkerHeartbeat, name)
    if beat is None:
        db.session.add(WorkerHeartbeat(name=name, kind=kind, beat_at=now))
    else:
        beat.kind, beat.beat_at = kind, now
    db.session.flush()


def newest_heartbeat(kind: str = "outbox") -> datetime | None:
    """When any worker of this kind last said it was alive, or None if none ever did."""
    return db.session.scalar(
        select(func.max(WorkerHeartbeat.beat_at)).where(WorkerHeartbeat.kind == kind))


def worker_state(max_age_seconds: int, now: datetime | None = None) -> str:
    """ok, stale, or none (no worker has ever reported: none is deployed)."""
    newest = newest_heartbeat()
    if newest is None:
        return "none"
    now = now or utcnow()
    return "ok" if now - newest <= timedelta(seconds=max_age_seconds) else "stale"


def readiness(now: datetime | None = None) -> tuple[bool, dict[str, str]]:
    """Check what serving needs; return (ready, the state of each part), nothing sensitive."""
    checks = {"model": model_state()}
    checks["database"] = _try(_database_answers, "unreachable")
    checks["worker"] = "unknown"
    if checks["database"] == "ok":
        max_age = current_app.config["WORKER_HEARTBEAT_MAX_AGE"]
        checks["worker"] = _try(lambda: worker_state(max_age, now), "unknown")
    ready = checks["database"] == "ok" and checks["model"] in READY_MODEL_STATES
    if current_app.config["READYZ_REQUIRES_WORKER"]:
        ready = ready and checks["worker"] == "ok"
    return ready, checks


def _database_answers() -> str:
    db.session.execute(text("SELECT 1"))
    return "ok"


def _try(check: Callable[[], str], failed: str) -> str:
    """Run one database check; any failure gives `failed`, never a 500."""
    try:
        return check()
    except Exception as exc:  # noqa: BLE001 - readiness reports, it does not raise
        log.warning("Readiness check failed: %s", exc.__class__.__name__)
        try:
            db.session.rollback()
        except Exception:  # noqa: BLE001 - the connection is already gone
            log.debug("Rollback failed too", exc_info=True)
        return failed

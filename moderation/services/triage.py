"""Triage at intake and rescore: red-flag rules, then the model, and the reply deadline."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from flask import current_app
from sqlalchemy import select

import classifier.decision as _decision
from classifier.decision import Decision
from models import Comment, LabelCorrection, db
from moderation.services.metrics import observe_triage
from moderation.services.settings import ServicePolicy, current_policy
from moderation.services.working_hours import reply_due_at

log = logging.getLogger(__name__)

# Comments the model cannot score are queued as priority so a person looks soon (unless a
# red-flag rule made them urgent: the rules never depend on the model).
FALLBACK_URGENCY = _decision.FALLBACK_URGENCY
FALLBACK_TOPIC = _decision.FALLBACK_TOPIC

# Pending comments re-scored per flush by `rescore_pending_comments`.
RESCORE_BATCH = 500

_model_lock = threading.Lock()
_model_cache: dict[str, tuple[float, object]] = {}


def get_model():
    """Load the triage model once per process (reloaded when the file changes)."""
    from classifier import load_model

    path = Path(current_app.config["TRIAGE_MODEL_PATH"])
    mtime = path.stat().st_mtime if path.exists() else -1.0
    key = str(path)
    with _model_lock:
        cached = _model_cache.get(key)
        if cached is None or cached[0] != mtime:
            _model_cache[key] = (mtime, load_model(path))
        return _model_cache[key][1]


def loaded_model_version() -> str | None:
    """The version of the model this process has loaded, if any (for metrics)."""
    with _model_lock:
        for _mtime, model in _model_cache.values():
            return getattr(model, "model_version", None)
    return None


def forget_loaded_model() -> None:
    """Drop the cached model (after a retrain in this process)."""
    with _model_lock:
        _model_cache.clear()


def triage_comments(comments: list[Comment], policy: ServicePolicy | None = None) -> None:
    """Decide urgency and topic (rules first, then the model) and set deadlines; never lose one."""
    from classifier.decision import decide_many

    policy = policy or current_policy()
    started = time.perf_counter()
    decisions = decide_many([c.body for c in comments], get_model)
    observe_triage(len(comments), time.perf_counter() - started,
                   failed=any(decision.model_failed for decision in decisions))
    for comment, decision in zip(comments, decisions, strict=True):
        apply_decision(comment, decision, policy)


def apply_decision(comment: Comment, decision: Decision, policy: ServicePolicy) -> None:
    """Store a triage decision on a comment, with its reply deadline."""
    comment.urgency = decision.urgency
    comment.topic = decision.topic
    comment.urgency_scores = dict(decision.urgency_scores)
    comment.topic_scores = dict(decision.topic_scores)
    comment.urgent_probability = float(decision.urgency_scores.get("urgent", 0.0))
    comment.model_version = decision.model_version
    comment.triage_reasons = list(decision.reasons)
    comment.red_flag = decision.red_flag
    comment.red_flag_categories = decision.red_flag_categories
    comment.check_soon = decision.check_soon
    comment.triaged = not decision.model_failed
    comment.triage_error = decision.model_error[:2000] if decision.model_error else None
    comment.due_at = reply_due_at(comment.received_at, comment.urgency, policy)


def triage_comment(comment: Comment, policy: ServicePolicy | None = None) -> None:
    """Score one comment and set its deadline."""
    triage_comments([comment], policy)


def rescore_pending_comments(batch_size: int = RESCORE_BATCH) -> int:
    """Re-score every pending comment not corrected by a midwife; flush; return how many."""
    total = 0
    last_id = 0
    while True:
        batch = list(db.session.scalars(
            select(Comment)
            .where(
                Comment.status == "pending",
                Comment.id > last_id,
                # A midwife's correction outranks the model: leave corrected comments alone.
                Comment.id.not_in(select(LabelCorrection.comment_id)),
            )
            .order_by(Comment.id).limit(batch_size)
        ))
        if not batch:
            return total
        triage_comments(batch)
        db.session.flush()
        total += len(batch)
        last_id = batch[-1].id

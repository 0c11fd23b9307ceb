"""Scoring comments with the triage model and setting their reply deadline."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from flask import current_app

from models import Comment
from moderation.services.metrics import observe_triage
from moderation.services.settings import ServicePolicy, current_policy
from moderation.services.working_hours import reply_due_at

log = logging.getLogger(__name__)

# Comments the model cannot score are queued as priority so a person looks soon.
FALLBACK_URGENCY = "priority"
FALLBACK_TOPIC = "other"
UNSCORED_REASON = "This comment could not be scored; treat it as urgent until you have read it."

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
    """Score comments and set their deadlines; on any model failure, never lose them."""
    policy = policy or current_policy()
    started = time.perf_counter()
    try:
        predictions = get_model().predict_many([c.body for c in comments])
    except Exception as exc:  # a missing or broken model must not lose a comment
        observe_triage(len(comments), time.perf_counter() - started, failed=True)
        log.error("Triage failed for %d comment(s): %s", len(comments), exc)
        for comment in comments:
            _mark_untriaged(comment, str(exc), policy)
        return
    observe_triage(len(comments), time.perf_counter() - started, failed=False)
    for comment, prediction in zip(comments, predictions, strict=True):
        comment.urgency = prediction.urgency
        comment.topic = prediction.topic
        comment.urgency_scores = dict(prediction.urgency_scores)
        comment.topic_scores = dict(prediction.topic_scores)
        comment.urgent_probability = float(prediction.urgency_scores.get("urgent", 0.0))
        comment.model_version = prediction.model_version
        comment.triage_reasons = list(prediction.reasons)
        comment.red_flag = any(detail.get("kind") == "safety" for detail in prediction.details)
        comment.triaged = True
        comment.triage_error = None
        comment.due_at = reply_due_at(comment.received_at, comment.urgency, policy)


def triage_comment(comment: Comment, policy: ServicePolicy | None = None) -> None:
    """Score one comment and set its deadline."""
    triage_comments([comment], policy)


def _mark_untriaged(comment: Comment, error: str, policy: ServicePolicy) -> None:
    # The safety rules need no model: a red flag they find still makes the comment urgent.
    from classifier import safety

    hits = safety.check(comment.body or "")
    comment.urgency = safety.raise_urgency(FALLBACK_URGENCY, hits)[0]
    comment.red_flag = bool(hits)
    comment.topic = FALLBACK_TOPIC
    comment.urgency_scores = {}
    comment.topic_scores = {}
    comment.urgent_probability = 0.0
    comment.model_version = None
    # Midwives read this; the technical error (paths, commands) stays in triage_error.
    comment.triage_reasons = [UNSCORED_REASON, *(hit.reason() for hit in hits)]
    comment.triaged = False
    comment.triage_error = error[:2000]
    comment.due_at = reply_due_at(comment.received_at, comment.urgency, policy)

"""The triage decision: red-flag rules first and on their own, then the model if it works.

The rules are pure regular expressions and run on every comment before the model is asked
anything, so a model that is missing, corrupt or raising can never switch them off. The model
is asked without its own copy of the rules (`use_safety=False`) and its answer is combined:
urgent if any rule that raises urgency fired, otherwise the model's urgency. If the model
cannot answer, the rules still decide (urgent when one fired, otherwise the fallback urgency)
and the decision says that the model failed, so the person is shown the full help box.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import safety
from .labels import URGENT
from .safety import SafetyHit

log = logging.getLogger(__name__)

FALLBACK_URGENCY = "priority"  # a comment nobody could score is read soon by a person
FALLBACK_TOPIC = "other"
NOT_SCORED = "This comment could not be scored; treat it as urgent until you have read it."
NOT_SCORED_RULES = (
    "This comment could not be scored; the red-flag rules made it urgent on their own."
)


@dataclass(frozen=True)
class Decision:
    """Urgency and topic for one comment, the rules that fired, and whether the model answered."""

    urgency: str
    topic: str
    reasons: list[str]
    hits: list[SafetyHit] = field(default_factory=list)
    urgency_scores: dict[str, float] = field(default_factory=dict)
    topic_scores: dict[str, float] = field(default_factory=dict)
    model_version: str | None = None
    model_urgency: str | None = None  # what the model alone said (None when it failed)
    model_error: str | None = None  # why the model did not answer
    details: list[dict[str, object]] = field(default_factory=list)
    # The model sees a possible risk below its urgent threshold (never set on urgent ones).
    check_soon: bool = False

    @property
    def model_failed(self) -> bool:
        """True when the model did not score this comment."""
        return self.model_error is not None

    @property
    def red_flag(self) -> bool:
        """True when a rule that makes a comment urgent fired."""
        return bool(safety.urgent_hits(self.hits))

    @property
    def red_flag_categories(self) -> list[str]:
        """Categories of every rule that fired, safeguarding included."""
        return safety.categories(self.hits)

    @property
    def raised_by_rules(self) -> bool:
        """True when the rules made urgent what the model would not have."""
        return self.red_flag and self.model_urgency not in (None, URGENT)

    def to_json(self, id: object) -> dict[str, object]:  # noqa: A002 - the CLI's field name
        """The CLI's output line for this decision, as a JSON-ready dict."""
        return {
            "id": id,
            "urgency": self.urgency,
            "urgency_scores": {k: round(v, 4) for k, v in self.urgency_scores.items()},
            "topic": self.topic,
            "topic_scores": {k: round(v, 4) for k, v in self.topic_scores.items()},
            "reasons": list(self.reasons),
            "model_version": self.model_version,
            "safety_raised": self.raised_by_rules,
            "red_flag": self.red_flag,
            "red_flag_categories": self.red_flag_categories,
            "check_soon": self.check_soon,
            "model_failed": self.model_failed,
            "model_error": self.model_error,
            "reason_details": [dict(d) for d in self.details],
        }


def _model_predictions(
    bodies: list[str], model: Any | Callable[[], Any] | None
) -> tuple[list[Any] | None, str | None]:
    """The model's predictions without its rules, or (None, why it failed)."""
    if model is None:
        return None, "no triage model is configured"
    try:
        loaded = model() if callable(model) and not hasattr(model, "predict_many") else model
        predictions = list(loaded.predict_many(bodies, use_safety=False))
        if len(predictions) != len(bodies):
            raise ValueError(f"the model returned {len(predictions)} answers for {len(bodies)}")
        return predictions, None
    except Exception as exc:  # noqa: BLE001 - any model failure leaves the rules in charge
        log.error("Triage model failed for %d comment(s): %s", len(bodies), exc)
        return None, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def decide_many(
    bodies: Sequence[str], model: Any | Callable[[], Any] | None
) -> list[Decision]:
    """Decide urgency and topic for many comments; `model` is a model or a loader of one."""
    bodies = [body if isinstance(body, str) else str(body) for body in bodies]
    if not bodies:
        return []
    all_hits = [safety.check(body) for body in bodies]  # first, and whatever the model does
    predictions, error = _model_predictions(bodies, model)
    if predictions is None:
        return [_without_model(hits, error or "unknown error") for hits in all_hits]
    return [_combine(hits, p) for hits, p in zip(all_hits, predictions, strict=True)]


def decide(body: str, model: Any | Callable[[], Any] | None) -> Decision:
    """Decide urgency and topic for one comment."""
    return decide_many([body], model)[0]


def _rule_reasons(hits: list[SafetyHit]) -> list[str]:
    return [hit.plain_reason() for hit in hits]


def _combine(hits: list[SafetyHit], prediction: Any) -> Decision:
    model_urgency = prediction.urgency
    red_flag = bool(safety.urgent_hits(hits))
    reasons = _rule_reasons(hits)
    if red_flag and model_urgency != URGENT:
        reasons.append(f"raised by a red-flag rule; the model alone would say {model_urgency}")
    reasons.extend(prediction.reasons)
    return Decision(
        urgency=URGENT if red_flag else model_urgency,
        topic=prediction.topic,
        reasons=reasons,
        hits=hits,
        urgency_scores=dict(prediction.urgency_scores),
        topic_scores=dict(prediction.topic_scores),
        model_version=prediction.model_version,
        model_urgency=model_urgency,
        details=[hit.to_dict() for hit in hits] + [dict(d) for d in prediction.details],
        check_soon=not red_flag and model_urgency != URGENT and bool(prediction.check_soon),
    )


def _without_model(hits: list[SafetyHit], error: str) -> Decision:
    red_flag = bool(safety.urgent_hits(hits))
    reasons = _rule_reasons(hits) + [NOT_SCORED_RULES if red_flag else NOT_SCORED]
    return Decision(
        urgency=URGENT if red_flag else FALLBACK_URGENCY,
        topic=FALLBACK_TOPIC,
        reasons=reasons,
        hits=hits,
        model_error=error,
        details=[hit.to_dict() for hit in hits],
    )

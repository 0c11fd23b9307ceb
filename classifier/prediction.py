"""The result of scoring one comment."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Prediction:
    """Urgency and topic for one comment, with scores and reasons a midwife can read."""

    # urgency_scores are the model's probabilities; urgency is the decision after the urgent
    # threshold and the safety layer (which can only raise it: see safety_raised and
    # model_urgency). details is the structured form of reasons.

    urgency: str
    urgency_scores: dict[str, float]
    topic: str
    topic_scores: dict[str, float]
    reasons: list[str]
    model_version: str
    safety_raised: bool = False
    model_urgency: str = ""
    details: list[dict[str, object]] = field(default_factory=list)
    # Not urgent, but the model's P(urgent) reached the lower "check soon" threshold.
    check_soon: bool = False

    def to_json(self, id: object) -> dict[str, object]:  # noqa: A002 - the CLI's field name
        """The CLI's output line for this prediction, as a JSON-ready dict."""
        return {
            "id": id,
            "urgency": self.urgency,
            "urgency_scores": {k: round(v, 4) for k, v in self.urgency_scores.items()},
            "topic": self.topic,
            "topic_scores": {k: round(v, 4) for k, v in self.topic_scores.items()},
            "reasons": list(self.reasons),
            "model_version": self.model_version,
            "safety_raised": self.safety_raised,
            "check_soon": self.check_soon,
            "reason_details": [dict(d) for d in self.details],
        }

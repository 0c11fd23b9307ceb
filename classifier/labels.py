"""Label names for the two triage heads, spelled exactly as in the labelling guide."""

from __future__ import annotations

URGENCIES: tuple[str, ...] = ("urgent", "priority", "routine")
TOPICS: tuple[str, ...] = (
    "bleeding",
    "first_period",
    "trying_again",
    "emotional_support",
    "recurrent_loss",
    "ectopic_molar",
    "remembrance",
    "recovery_work",
    "other",
)
URGENT = "urgent"


def label_words(name: str) -> str:
    """A label as words a person reads: 'first_period' -> 'first period'."""
    return name.replace("_", " ")

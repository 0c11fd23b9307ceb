"""Flask-WTF forms, one module per feature."""

from __future__ import annotations

from typing import Any

from wtforms.fields.choices import SelectChoice


def choices(pairs: list[tuple[Any, str]]) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(str(value), label) for value, label in pairs]

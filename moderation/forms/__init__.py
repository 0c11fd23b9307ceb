"""Flask-WTF forms, one module per feature."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice


def choices(pairs: list[tuple[Any, str]]) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(str(value), label) for value, label in pairs]


class ButtonForm(FlaskForm):
    """A form that is only a button (remove, retry, sign out, I'm on it): its CSRF token."""

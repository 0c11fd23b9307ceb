"""The internal note form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import TextAreaField


class NoteForm(FlaskForm):
    """An internal note; @name mentions a colleague."""

    body = TextAreaField("Internal note (never public; @name tells a colleague)")

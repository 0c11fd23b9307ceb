"""Jinja filters and globals shared by the templates."""

from __future__ import annotations

from flask import Flask, g
from markupsafe import Markup, escape

from classifier.labels import label_words
from classifier.reasons import short_reason
from models import utcnow
from moderation.formatting import london_time
from moderation.forms import ButtonForm


def paragraphs(text: str | None) -> Markup:
    """Render plain text as escaped paragraphs; nothing typed ever becomes HTML."""
    if not text:
        return Markup("")
    blocks = [b.strip("\n") for b in text.replace("\r\n", "\n").split("\n\n")]
    html = []
    for block in blocks:
        if not block.strip():
            continue
        lines = [str(escape(line)) for line in block.split("\n")]
        html.append("<p>" + "<br>".join(lines) + "</p>")
    return Markup("\n".join(html))


def humanize_duration(seconds: float) -> str:
    """Say a duration the way a person would: '3 h 20 min', '2 d 4 h', '45 min'."""
    seconds = int(abs(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min"


def _unacknowledged_near_misses() -> int:
    from moderation.services.near_misses import unacknowledged_count

    return unacknowledged_count()


def _button_form() -> ButtonForm:
    # One per request: a page may hold a button form per row (the queue's "Release").
    if "button_form" not in g:
        g.button_form = ButtonForm()
    return g.button_form


def register(app: Flask) -> None:
    """Register the filters and globals."""
    app.jinja_env.filters["paragraphs"] = paragraphs
    app.jinja_env.filters["duration"] = humanize_duration
    app.jinja_env.filters["uktime"] = london_time
    app.jinja_env.filters["label_words"] = label_words
    app.jinja_env.filters["short_reason"] = short_reason
    app.jinja_env.globals["unacknowledged_near_misses"] = _unacknowledged_near_misses
    app.jinja_env.globals["now"] = utcnow
    # The CSRF token of a form that is only a button, through a Flask-WTF form (csrf_field).
    app.jinja_env.globals["button_form"] = _button_form

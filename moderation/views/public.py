"""The demo public article pages, as a visitor sees them."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("public", __name__)

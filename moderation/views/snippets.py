"""The reply snippet library that supervisors keep."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("snippets", __name__, url_prefix="/snippets")

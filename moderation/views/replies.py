"""Composing, previewing and publishing replies to comments."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("replies", __name__)

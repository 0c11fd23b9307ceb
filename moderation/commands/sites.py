"""`flask sites …`: Websites allowed to send comments to the intake API."""

from __future__ import annotations

from flask.cli import AppGroup

cli = AppGroup("sites", help="Websites allowed to send comments to the intake API.")

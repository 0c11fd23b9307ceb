"""`flask export …`: Exports of answered threads."""

from __future__ import annotations

from flask.cli import AppGroup

cli = AppGroup("export", help="Exports of answered threads.")

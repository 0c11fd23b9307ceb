"""`flask comments …`: Importing comments from files."""

from __future__ import annotations

from flask.cli import AppGroup

cli = AppGroup("comments", help="Importing comments from files.")

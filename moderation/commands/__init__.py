"""Command groups of `flask --app wsgi …`."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Attach every command group to the app."""
    from moderation.commands import comments, demo, export, sites, triage, users

    for group in (users.cli, demo.cli, triage.cli, sites.cli, comments.cli, export.cli):
        app.cli.add_command(group)

"""`flask spool …`: Public comments kept on disk while the database was unavailable."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from moderation.services.spool import replay_spool, spooled_files

cli = AppGroup("spool", help="Public comments kept on disk while the database was unavailable.")


@cli.command("replay")
def replay_command() -> None:
    """Store every spooled comment in the database (a comment already stored is not doubled)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    stored = replay_spool(app)
    left = len(spooled_files(Path(app.config["SPOOL_DIR"])))
    click.echo(f"Stored {stored} new comment(s) from the spool; {left} file(s) left.")
    if left:
        raise click.ClickException(
            f"{left} spooled comment(s) could not be stored yet (see the log); they are kept in "
            f"{app.config['SPOOL_DIR']} and replayed again later.")


@cli.command("status")
def status_command() -> None:
    """Say how many comments wait in the spool."""
    count = len(spooled_files(Path(current_app.config["SPOOL_DIR"])))
    click.echo(f"{count} comment(s) waiting in {current_app.config['SPOOL_DIR']}.")

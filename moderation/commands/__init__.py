"""Command groups of `flask --app wsgi …`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask import Flask

from models import db


def register(app: Flask) -> None:
    """Attach every command group to the app."""
    from moderation.commands import (
        demo,
        exports,
        intake,
        privacy,
        reports,
        reviews,
        signposting,
        sites,
        spool,
        triage,
        users,
        worker,
    )

    for group in (users.cli, demo.cli, triage.cli, sites.cli, intake.cli, exports.cli,
                  signposting.cli, spool.cli, privacy.cli, reviews.cli, reports.cli):
        app.cli.add_command(group)
    app.cli.add_command(worker.worker_command)


@contextmanager
def refused_as_cli_error(*errors: type[Exception]) -> Iterator[None]:
    """Turn a service's user-facing refusal into a clean CLI failure, undoing its changes."""
    try:
        yield
    except errors as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc

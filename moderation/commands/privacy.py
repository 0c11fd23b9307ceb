"""`flask privacy …`: retention purge, erasure and subject access requests (UK GDPR)."""

from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import AppGroup

from models import db
from moderation.commands import refused_as_cli_error
from moderation.services.privacy import (
    PrivacyError,
    RetentionPolicy,
    erase,
    purge,
    subject_access,
)

cli = AppGroup("privacy", help="Retention, erasure and subject access requests.")


@cli.command("purge")
def purge_command() -> None:
    """Remove emails and delete rejected/spam comments the retention settings say are due."""
    policy = RetentionPolicy(
        email_days=current_app.config["PRIVACY_EMAIL_RETENTION_DAYS"],
        unpublished_days=current_app.config["PRIVACY_UNPUBLISHED_RETENTION_DAYS"],
    )
    report = purge(policy)
    db.session.commit()
    for line in report.lines():
        click.echo(line)


@cli.command("erase")
@click.option("--email", required=True, help="The commenter's email address.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def erase_command(email: str, yes: bool) -> None:
    """Anonymise a commenter's comments everywhere (replies and audit records are kept)."""
    if not yes:
        click.confirm(f"Erase every trace of {email}? This cannot be undone", abort=True)
    with refused_as_cli_error(PrivacyError):
        report = erase(email)
    db.session.commit()
    for line in report.lines():
        click.echo(line)


@cli.command("export")
@click.option("--email", required=True, help="The commenter's email address.")
@click.option("--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write to this file instead of standard output.")
def export_command(email: str, output: str | None) -> None:
    """Everything held about a commenter, as JSON (a subject access request)."""
    with refused_as_cli_error(PrivacyError):
        document = subject_access(email)
    text = json.dumps(document, ensure_ascii=False, indent=2)
    if output:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
        click.echo(f"{len(document['comments'])} comments written to {output}", err=True)
    else:
        click.echo(text)

"""`flask demo seed`: demo data for trying the app."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from models import db
from moderation.services.demo import DEMO_ACCOUNTS, seed_demo_data

cli = AppGroup("demo", help="Demo data.")

WARNING = (
    "WARNING: demo data only. The demo accounts below have published passwords: "
    "never run this on a service that holds real comments."
)


@cli.command("seed")
def seed_command() -> None:
    """Create demo pages, comments, answered threads, snippets and accounts (idempotent)."""
    if current_app.config.get("PRODUCTION"):
        raise click.ClickException(
            "Refused: this is a production service (MODERATION_ENV or FLASK_ENV is "
            "'production'); the demo's accounts have published passwords."
        )
    click.echo(WARNING, err=True)
    summary = seed_demo_data()
    db.session.commit()
    for key, count in summary.items():
        click.echo(f"{key}: {count} added")
    click.echo("Demo sign-ins (demo only, never use these in production):")
    for email, password, role in DEMO_ACCOUNTS:
        click.echo(f"  {role:<10} {email}  password: {password}")

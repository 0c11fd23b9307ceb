"""`flask demo seed`: demo data for trying the app."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from models import db
from moderation.services.demo import DEMO_ACCOUNTS, seed_demo_data

cli = AppGroup("demo", help="Demo data.")


@cli.command("seed")
def seed_command() -> None:
    """Create demo pages, comments, answered threads, snippets and accounts (idempotent)."""
    summary = seed_demo_data()
    db.session.commit()
    for key, count in summary.items():
        click.echo(f"{key}: {count} added")
    click.echo("Demo sign-ins (demo only, never use these in production):")
    for email, password, role in DEMO_ACCOUNTS:
        click.echo(f"  {role:<10} {email}  password: {password}")

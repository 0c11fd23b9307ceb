"""`flask signposting …`: seed and list the signposting register."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from models import db, utcnow
from moderation.services.signposting import all_entries, seed_register

cli = AppGroup("signposting", help="The signposting register (services people are sent to).")


@cli.command("seed")
def seed_command() -> None:
    """Add the checked seed entries that are missing (never changes an existing entry)."""
    added = seed_register()
    db.session.commit()
    click.echo(f"signposting entries: {added} added")


@cli.command("list")
def list_command() -> None:
    """Print every entry, flagging those not checked for six months."""
    now = utcnow()
    for entry in all_entries():
        flag = "CHECK OVERDUE " if entry.check_overdue(now) else ""
        reach = " / ".join(x for x in (entry.phone, entry.text_number and
                                       f"text {entry.text_number}") if x)
        click.echo(f"{flag}{entry.key}: {entry.name} {reach} "
                   f"(checked {entry.checked_at:%Y-%m-%d} by {entry.checked_by})")

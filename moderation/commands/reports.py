"""`flask reports …`: the reports' rolled-up days."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from models import db
from moderation.services.reports.rollups import roll_up_due
from moderation.services.settings import current_policy

cli = AppGroup("reports", help="The reports' rolled-up days.")


@cli.command("rebuild-rollups")
@click.option("--missing-only", is_flag=True,
              help="Roll up only the days not rolled up yet (what the worker does).")
def rebuild_rollups(missing_only: bool) -> None:
    """Count every finished day again from the comments and store its rollup."""
    zone = current_policy().timezone
    try:
        days = roll_up_due(zone, rebuild=not missing_only)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    click.echo(f"rolled up {days} day(s) in {zone}")

"""`flask reviews …`: the weekly peer-review sample."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from models import db
from moderation.commands import refused_as_cli_error
from moderation.services.review_sampling import SamplingError, draw_sample

cli = AppGroup("reviews", help="Peer review of replies by a second clinician.")


@cli.command("sample")
@click.option("--week", default=None, help="ISO week, e.g. 2026-W48 (default: last week).")
@click.option("--percent", default=None, help="Share of replies to sample (default: the "
              "setting, 5 %).")
@click.option("--seed", default=None, type=int, help="Seed that reproduces the draw.")
def sample_command(week: str | None, percent: str | None, seed: int | None) -> None:
    """Put a stratified random sample of a week's replies in the review queue."""
    with refused_as_cli_error(SamplingError):
        drawn = draw_sample(week, percent=percent, seed=seed)
    db.session.commit()
    click.echo(f"Week {drawn.week}: sampled {len(drawn.reviews)} of {drawn.candidates} "
               f"replies ({drawn.percent:g} %), seed {drawn.seed}.")
    for (urgency, midwife_id), (size, taken) in sorted(drawn.strata.items()):
        click.echo(f"  {urgency:<8} midwife #{midwife_id}: {taken} of {size}")

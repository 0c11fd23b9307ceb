"""`flask triage …`: train the triage model, score files and re-score the queue."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from models import Comment, LabelCorrection, db
from moderation.services.corrections import corrected_examples
from moderation.services.triage import forget_loaded_model, triage_comments

cli = AppGroup("triage", help="The triage model: train, predict, rescore.")

RESCORE_BATCH = 500


@cli.command("train")
@click.option("--seed", default=20261127, show_default=True, help="Random seed.")
@click.option("--if-missing", is_flag=True, help="Only train when no model file exists yet.")
def train_command(seed: int, if_missing: bool) -> None:
    """Train on the corpus plus the midwives' label corrections, and write the model card."""
    from classifier.train import train_and_save

    model_path = Path(current_app.config["TRIAGE_MODEL_PATH"])
    if if_missing and model_path.exists():
        problem = _unloadable_reason(model_path)
        if problem is None:
            click.echo(f"Model already present at {model_path}; not retraining.")
            return
        click.echo(f"The model at {model_path} cannot be used ({problem}); retraining.")
    extra = corrected_examples()
    click.echo(f"Training with {len(extra)} corrected comment(s) from the database…")
    card = train_and_save(model_path.parent, extra_examples=extra, seed=seed)
    forget_loaded_model()
    click.echo(f"Model {card.get('model_version', '?')} written to {model_path.parent}")


def _unloadable_reason(model_path: Path) -> str | None:
    """Say why an existing model file cannot be loaded (tampered, other version), or None."""
    from classifier import ClassifierError, load_model

    try:
        load_model(model_path)
    except ClassifierError as exc:
        return str(exc)
    return None


@cli.command("predict")
@click.argument("file", type=click.Path(allow_dash=True))
@click.option("--skip-bad", is_flag=True, help="Skip malformed lines instead of stopping.")
def predict_command(file: str, skip_bad: bool) -> None:
    """Score JSON lines (with id and body) from FILE or - and print one JSON line each."""
    from classifier.cli import run_predict

    model_path = Path(current_app.config["TRIAGE_MODEL_PATH"])
    if file == "-":
        code = run_predict(sys.stdin, sys.stdout, sys.stderr, model_path, skip_bad)
    else:
        try:
            stream = open(file, encoding="utf-8")  # noqa: SIM115
        except OSError as exc:
            raise click.ClickException(f"Cannot read {file}: {exc.strerror}") from exc
        with stream:
            code = run_predict(stream, sys.stdout, sys.stderr, model_path, skip_bad)
    sys.exit(code)


@cli.command("rescore")
def rescore_command() -> None:
    """Re-score every pending comment with the current model (after a retrain)."""
    forget_loaded_model()
    total = 0
    last_id = 0
    while True:
        batch = list(db.session.scalars(
            select(Comment)
            .where(
                Comment.status == "pending",
                Comment.id > last_id,
                # A midwife's correction outranks the model: leave corrected comments alone.
                Comment.id.not_in(select(LabelCorrection.comment_id)),
            )
            .order_by(Comment.id).limit(RESCORE_BATCH)
        ))
        if not batch:
            break
        triage_comments(batch)
        db.session.flush()
        total += len(batch)
        last_id = batch[-1].id
    db.session.commit()
    click.echo(f"Re-scored {total} pending comment(s).")

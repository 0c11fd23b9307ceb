"""`flask triage …`: train the triage model, score files and re-score the queue."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from models import db
from moderation.services.corrections import corrected_examples
from moderation.services.triage import forget_loaded_model, rescore_pending_comments

cli = AppGroup("triage", help="The triage model: train, predict, rescore.")



@cli.command("train")
@click.option("--seed", type=int, default=None,
              help="Random seed (default: the training seed, classifier.train.DEFAULT_SEED).")
@click.option("--if-missing", is_flag=True, help="Only train when no model file exists yet.")
@click.option("--sample", type=click.IntRange(min=50), default=None,
              help="Train on a stratified sample of this many examples (quick trials, tests).")
def train_command(seed: int | None, if_missing: bool, sample: int | None) -> None:
    """Train a CANDIDATE on the corpus plus corrections; the first model ever is promoted."""
    from moderation.services import model_releases

    model_path = Path(current_app.config["TRIAGE_MODEL_PATH"])
    if if_missing and model_path.exists():
        problem = _unloadable_reason(model_path)
        if problem is None:
            click.echo(f"Model already present at {model_path}; not retraining.")
            return
        click.echo(f"The model at {model_path} cannot be used ({problem}); retraining.")
    serving_ok = model_path.exists() and _unloadable_reason(model_path) is None
    if serving_ok:
        model_releases.adopt_serving_model()
    extra = corrected_examples()
    click.echo(f"Training with {len(extra)} corrected comment(s) from the database…")
    release, created = model_releases.train_candidate(seed=seed, sample=sample)
    if not created:
        click.echo(f"Model {release.version} already exists ({release.status}); nothing new.")
    else:
        click.echo(f"Candidate {release.version} written to {release.directory}")
        _echo_evaluation(release.evaluation)
    if model_releases.active_release() is None and not serving_ok:
        # Nothing serves yet (a fresh clone): the first model is promoted so the app works.
        model_releases.promote(release.version, None)
        click.echo(f"No model was active: {release.version} promoted and now serves from "
                   f"{model_path}.")
    elif release.status == "candidate":
        click.echo(f"Not serving yet. Compare it on the Models page, or promote it with "
                   f"`flask triage promote {release.version}`.")
    db.session.commit()


def _echo_evaluation(evaluation: dict) -> None:
    for name in ("frozen_test", "corrections"):
        entry = evaluation.get(name, {})
        for side in ("active", "candidate"):
            figures = entry.get(side)
            if not figures or not figures.get("examples"):
                continue
            click.echo(f"  {name} {side}: urgent recall {figures['urgent_recall']:.3f}, "
                       f"precision {figures['urgent_precision']:.3f}, topic macro-F1 "
                       f"{figures['topic_macro_f1']:.3f} ({figures['examples']} comments)")
        if "changed_count" in entry:
            click.echo(f"  {name}: {entry['changed_count']} comment(s) would change label")


@cli.command("promote")
@click.argument("version")
def promote_command(version: str) -> None:
    """Make release VERSION serve (also rolls back to any earlier release)."""
    from moderation.services import model_releases

    model_releases.adopt_serving_model()
    try:
        release = model_releases.promote(version, None)
    except model_releases.ReleaseError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Model {release.version} is now active.")


@cli.command("releases")
def releases_command() -> None:
    """List model releases, newest first, with their frozen-test urgent recall."""
    from moderation.services import model_releases

    model_releases.adopt_serving_model()
    db.session.commit()
    for release in model_releases.list_releases():
        recall = release.frozen_urgent_recall
        click.echo(f"{release.version}  {release.status:9}  frozen urgent recall "
                   f"{'?' if recall is None else f'{recall:.3f}'}  {release.note}")


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
    total = rescore_pending_comments()
    db.session.commit()
    click.echo(f"Re-scored {total} pending comment(s).")

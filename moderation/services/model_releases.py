"""Governed model releases: train a candidate, compare it with the active model, promote, roll back.

Each trained model lives in its own directory under `<serving dir>/releases/<version>/`. Only
promotion copies a release's artifact and sidecar to TRIAGE_MODEL_PATH, the one file the app
serves, so training never changes what serves. The first model trained when nothing is active
is promoted at once, so a fresh clone serves a model after `make run`.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import select

from models import LabelCorrection, ModelRelease, User, db, utcnow
from moderation.services.audit import record_event
from moderation.services.corrections import corrected_examples
from moderation.services.triage import forget_loaded_model

RELEASES_DIRNAME = "releases"
CHANGED_SHOWN = 50


class ReleaseError(ValueError):
    """A release action was refused; str(exc) is the message to show."""


def serving_path() -> Path:
    """The artifact the app serves (TRIAGE_MODEL_PATH)."""
    return Path(current_app.config["TRIAGE_MODEL_PATH"])


def releases_dir() -> Path:
    """Where every release keeps its own directory."""
    return serving_path().parent / RELEASES_DIRNAME


def active_release() -> ModelRelease | None:
    """The release that serves now, if any."""
    return db.session.scalar(select(ModelRelease).where(ModelRelease.status == "active"))


def list_releases() -> list[ModelRelease]:
    """Every release, newest first."""
    return list(db.session.scalars(
        select(ModelRelease).order_by(ModelRelease.created_at.desc(), ModelRelease.id.desc())
    ))


def get_release(version: str) -> ModelRelease:
    """The release with this version, or a clear error."""
    release = db.session.scalar(select(ModelRelease).where(ModelRelease.version == version))
    if release is None:
        known = ", ".join(r.version for r in list_releases()[:5]) or "none yet"
        raise ReleaseError(f"No model release {version!r} (latest: {known}).")
    return release


def _correction_examples() -> list[Any]:
    from classifier.corpus import validate_extra

    return validate_extra(corrected_examples(), source="corrections")


def _scores(model: Any, examples: Sequence[Any]) -> tuple[dict[str, Any], list[Any]]:
    from classifier.train import evaluate

    if not examples:
        return {"examples": 0}, []
    report = evaluate(model, examples)
    return report, model.predict_many([e.body for e in examples])


def _summary(report: Mapping[str, Any]) -> dict[str, Any]:
    if not report.get("examples"):
        return {"examples": 0}
    return {
        "examples": report["examples"],
        "urgent_recall": report["urgent"]["recall"],
        "urgent_precision": report["urgent"]["precision"],
        "topic_macro_f1": report["topic"]["macro_f1"],
        "urgency_confusion": report["urgency"]["confusion_matrix"],
        "topic_confusion": report["topic"]["confusion_matrix"],
    }


def evaluate_release(candidate: Any, active: Any | None) -> dict[str, Any]:
    """Candidate vs active on the frozen test file and on all midwives' corrections."""
    from classifier.corpus import FROZEN_TEST_PATH, load_frozen_test

    frozen = load_frozen_test(FROZEN_TEST_PATH) if FROZEN_TEST_PATH.is_file() else []
    sets = {"frozen_test": frozen, "corrections": _correction_examples()}
    out: dict[str, Any] = {"active_version": getattr(active, "model_version", None)}
    for name, examples in sets.items():
        cand_report, cand_preds = _scores(candidate, examples)
        entry: dict[str, Any] = {"candidate": _summary(cand_report)}
        if active is not None:
            act_report, act_preds = _scores(active, examples)
            entry["active"] = _summary(act_report)
            changed = [
                {"body": e.body[:200], "label": f"{e.urgency} / {e.topic}",
                 "active": f"{a.urgency} / {a.topic}", "candidate": f"{c.urgency} / {c.topic}"}
                for e, a, c in zip(examples, act_preds, cand_preds, strict=True)
                if (a.urgency, a.topic) != (c.urgency, c.topic)
            ]
            entry["changed_count"] = len(changed)
            entry["changed"] = changed[:CHANGED_SHOWN]
        out[name] = entry
    return out


def _load(directory: Path) -> Any:
    from classifier import load_model
    from classifier.model import ARTIFACT_NAME

    return load_model(directory / ARTIFACT_NAME)


def train_candidate(*, seed: int | None = None, sample: int | None = None,
                    data_dir: Path | None = None) -> tuple[ModelRelease, bool]:
    """Train a candidate in its own directory and evaluate it; (release, newly created?)."""
    from classifier.train import DEFAULT_SEED, train_and_save

    root = releases_dir()
    root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=root, prefix=".training-"))
    try:
        card = train_and_save(work, extra_examples=corrected_examples(), data_dir=data_dir,
                              seed=DEFAULT_SEED if seed is None else seed, sample=sample,
                              measure_speed=sample is None)
        version = card["model_version"]
        existing = db.session.scalar(select(ModelRelease).where(ModelRelease.version == version))
        if existing is not None:  # same data, parameters and seed: the same model
            return existing, False
        directory = root / version
        if directory.exists():
            shutil.rmtree(directory)
        os.replace(work, directory)
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)
    active = active_release()
    active_model = _load(Path(active.directory)) if active is not None else None
    evaluation = evaluate_release(_load(directory), active_model)
    frozen = evaluation["frozen_test"]["candidate"]
    release = ModelRelease(
        version=version, directory=str(directory), status="candidate", created_at=utcnow(),
        frozen_urgent_recall=frozen.get("urgent_recall"), evaluation=evaluation,
        note=f"trained on {card['data']['examples']} examples"
             + (f" (sample of {sample})" if sample else ""),
    )
    db.session.add(release)
    db.session.flush()
    return release, True


def _install(directory: Path) -> None:
    """Copy a release's artifact and sidecar over the serving path, each atomically."""
    from classifier.model import ARTIFACT_NAME, sidecar_path

    target = serving_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    # Sidecar first, then the artifact: until both match, loading refuses (checksum) rather
    # than serving a mixture.
    for source, dest in ((sidecar_path(directory / ARTIFACT_NAME), sidecar_path(target)),
                         (directory / ARTIFACT_NAME, target)):
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{dest.name}.")
        os.close(fd)
        shutil.copyfile(source, tmp)
        os.replace(tmp, dest)


def promote(version: str, user: User | None, now: datetime | None = None) -> ModelRelease:
    """Make a release the one that serves; refuse a candidate that lowers frozen urgent recall.

    A release that served before (a rollback) is not gated again: it was accepted once.
    """
    release = get_release(version)
    if release.status == "active":
        raise ReleaseError(f"Model {version} is already the active model.")
    if user is not None and not user.is_supervisor:
        raise ReleaseError("Only a supervisor can promote a model.")
    current = active_release()
    first_time = release.promoted_at is None
    if current is not None and first_time:
        new, old = release.frozen_urgent_recall, current.frozen_urgent_recall
        if new is None or (old is not None and new < old):
            raise ReleaseError(
                f"Model {version} was not promoted: its urgent recall on the frozen test file "
                f"({_fmt(new)}) is lower than the active model's ({_fmt(old)}). A candidate may "
                "never lower urgent recall."
            )
    try:
        _load(Path(release.directory))  # never install something that does not load
    except Exception as exc:
        raise ReleaseError(f"Model {version} cannot be loaded, so it was not promoted: {exc}") \
            from exc
    _install(Path(release.directory))
    if current is not None:
        current.status = "retired"
    release.status = "active"
    release.promoted_at = now or utcnow()
    release.promoted_by_id = user.id if user is not None else None
    db.session.flush()
    forget_loaded_model()
    record_event(user, "model.promoted" if first_time else "model.rolled_back", "model_release",
                 release.id, after={"version": version,
                                    "replaced": current.version if current else None})
    return release


def _fmt(value: float | None) -> str:
    return "unknown" if value is None else f"{value:.3f}"


def adopt_serving_model() -> ModelRelease | None:
    """Record a model already serving (trained before releases existed) as the active release."""
    from classifier import ClassifierError, load_model

    if active_release() is not None or not serving_path().is_file():
        return None
    try:
        model = load_model(serving_path())
    except ClassifierError:
        return None
    existing = db.session.scalar(
        select(ModelRelease).where(ModelRelease.version == model.model_version))
    if existing is not None:
        existing.status = "active"
        db.session.flush()
        return existing
    from classifier.model import sidecar_path

    # Keep its own copy, so a rollback to it still works after another model is installed.
    directory = releases_dir() / model.model_version
    directory.mkdir(parents=True, exist_ok=True)
    for source in (serving_path(), sidecar_path(serving_path())):
        shutil.copyfile(source, directory / source.name)
    release = ModelRelease(version=model.model_version, directory=str(directory),
                           status="active", created_at=utcnow(), promoted_at=utcnow(),
                           evaluation={}, note="serving before model releases were governed")
    release.frozen_urgent_recall = evaluate_release(model, None)["frozen_test"][
        "candidate"].get("urgent_recall")
    db.session.add(release)
    db.session.flush()
    return release


def corrections_count() -> int:
    """How many comments carry a midwife's correction (the second evaluation set)."""
    return len(set(db.session.scalars(select(LabelCorrection.comment_id))))

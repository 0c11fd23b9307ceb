"""Governed model releases: training makes a candidate; only a promoted model serves."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from sqlalchemy import select

from classifier import load_model
from models import AuditEvent, LabelCorrection, ModelRelease, db
from moderation.services import model_releases

SAMPLE = "200"  # a small stratified corpus sample keeps each training to a few seconds


# Each distinct training set (examples, parameters, seed: what the model version digests) is
# trained once per test process. These tests are about what the app does with candidates;
# training itself is tested in tests/classifier. The CLI, the files and the releases are real.
_trained: dict[str, tuple] = {}


@pytest.fixture(autouse=True)
def _each_model_trained_once(monkeypatch):
    from classifier import train

    real = train.train_model

    def train_model(examples, *, seed=train.DEFAULT_SEED, params=train.PARAMS):
        key = train.model_version_for(examples, params, seed)
        if key not in _trained:
            _trained[key] = real(examples, seed=seed, params=params)
        model, metrics = _trained[key]
        return model, copy.deepcopy(metrics)

    monkeypatch.setattr(train, "train_model", train_model)


@pytest.fixture
def serving(app, tmp_path) -> Path:
    """A private serving path, so promotions never touch the suite's shared model."""
    path = tmp_path / "serving" / "triage-model.skops"
    app.config["TRIAGE_MODEL_PATH"] = str(path)
    return path


def _train(runner, *extra: str):
    result = runner.invoke(args=["triage", "train", "--sample", SAMPLE, *extra])
    assert result.exit_code == 0, result.output
    return result


def _release(status: str) -> ModelRelease:
    return db.session.scalar(select(ModelRelease).where(ModelRelease.status == status))


def test_the_first_model_trained_on_a_fresh_install_is_promoted_and_serves(runner, serving):
    result = _train(runner)
    active = _release("active")
    assert "promoted and now serves" in result.output
    assert load_model(serving).model_version == active.version
    assert Path(active.directory) != serving.parent  # each release keeps its own directory
    assert active.frozen_urgent_recall is not None


def test_training_again_makes_a_candidate_and_what_serves_does_not_change(runner, serving):
    _train(runner)
    first = _release("active").version
    result = _train(runner, "--seed", "8")
    candidate = _release("candidate")
    assert candidate is not None and candidate.version != first
    assert "Not serving yet" in result.output
    assert load_model(serving).model_version == first
    frozen = candidate.evaluation["frozen_test"]
    assert frozen["active"]["examples"] == frozen["candidate"]["examples"] >= 300
    assert {"urgent_recall", "urgent_precision", "topic_macro_f1", "urgency_confusion"} <= set(
        frozen["candidate"])
    assert frozen["changed_count"] >= len(frozen["changed"])


def test_the_evaluation_covers_the_midwives_corrections(runner, serving, make_comment,
                                                          midwife):
    _train(runner)
    comment = make_comment("soaked two pads in an hour and I feel faint", urgency="urgent")
    db.session.add(LabelCorrection(comment_id=comment.id, user_id=midwife.id, field="urgency",
                                   old_value="routine", new_value="urgent"))
    db.session.commit()
    _train(runner, "--seed", "9")
    corrections = _release("candidate").evaluation["corrections"]
    assert corrections["candidate"]["examples"] == corrections["active"]["examples"] == 1


def test_a_supervisor_promotes_a_candidate_in_the_app_and_rolls_back_from_the_cli(
        runner, serving, supervisor, supervisor_client):
    _train(runner)
    first = _release("active").version
    _train(runner, "--seed", "8")
    second = _release("candidate")
    second.frozen_urgent_recall = _release("active").frozen_urgent_recall  # gate passes
    db.session.commit()
    assert second.version in supervisor_client.get("/models/").get_data(as_text=True)

    response = supervisor_client.post("/models/promote", data={"version": second.version})
    assert response.status_code == 303
    assert load_model(serving).model_version == second.version
    assert _release("active").promoted_by_id == supervisor.id
    assert db.session.scalar(select(ModelRelease).where(ModelRelease.version == first)
                             ).status == "retired"

    result = runner.invoke(args=["triage", "promote", first])
    assert result.exit_code == 0, result.output
    assert load_model(serving).model_version == first
    actions = list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions[-2:] == ["model.promoted", "model.rolled_back"]


def test_a_candidate_that_lowers_frozen_urgent_recall_cannot_be_promoted(
        runner, serving, supervisor, supervisor_client):
    _train(runner)
    active = _release("active")
    _train(runner, "--seed", "8")
    candidate = _release("candidate")
    active.frozen_urgent_recall, candidate.frozen_urgent_recall = 0.99, 0.95
    db.session.commit()
    with pytest.raises(model_releases.ReleaseError, match="lower than the active model"):
        model_releases.promote(candidate.version, supervisor)
    result = runner.invoke(args=["triage", "promote", candidate.version])
    assert result.exit_code != 0 and "never lower urgent recall" in result.output
    page = supervisor_client.post("/models/promote", data={"version": candidate.version},
                                  follow_redirects=True).get_data(as_text=True)
    assert "was not promoted" in page
    assert load_model(serving).model_version == active.version


def test_promoting_an_unknown_version_is_a_clear_error(runner, serving):
    result = runner.invoke(args=["triage", "promote", "triage-nope"])
    assert result.exit_code != 0 and "No model release 'triage-nope'" in result.output


def test_midwives_cannot_promote(runner, serving, midwife_client):
    _train(runner)
    response = midwife_client.post("/models/promote", data={"version": "anything"})
    assert response.status_code in (302, 403)

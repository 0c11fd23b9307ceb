"""Triage on arrival inside the app, and the `flask triage …` commands."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from models import Comment, LabelCorrection, ModelRelease, db, utcnow
from moderation.services.corrections import corrected_examples
from moderation.services.triage import triage_comment

# Training tests use a stratified sample of the corpus: seconds instead of most of a minute.
SAMPLE = "200"

HEAVY_BLEEDING = (
    "bleeding since yesterday and now im soaking a pad every hour, feel really dizzy and "
    "shaky, what do i do"
)


def _new_comment(make_comment, body: str) -> Comment:
    comment = make_comment(body, urgency="routine", topic="other")
    comment.triaged = False
    return comment


def test_urgent_comment_is_scored_urgent_and_due_within_the_hour(app, make_comment):
    comment = _new_comment(make_comment, HEAVY_BLEEDING)
    triage_comment(comment)
    assert comment.urgency == "urgent"
    assert comment.topic == "bleeding"
    assert comment.triaged and comment.model_version
    assert comment.due_at == comment.received_at + timedelta(minutes=60)
    assert comment.urgent_probability == comment.urgency_scores["urgent"]
    assert comment.triage_reasons


def test_missing_model_keeps_a_plain_comment_as_priority(app, make_comment, tmp_path, caplog):
    app.config["TRIAGE_MODEL_PATH"] = str(tmp_path / "absent.skops")
    comment = _new_comment(make_comment, "How long does the bleeding usually last?")
    with caplog.at_level(logging.ERROR):
        triage_comment(comment)
    db.session.commit()
    stored = db.session.get(Comment, comment.id)
    assert stored.urgency == "priority" and not stored.triaged
    assert stored.triage_error and not stored.red_flag
    assert "Triage model failed" in caplog.text


def _break_model(app, tmp_path, how: str) -> None:
    """Point the app at a model file that is missing or corrupt."""
    path = tmp_path / "broken.skops"
    if how == "corrupt":
        path.write_bytes(b"this is not a model")
    app.config["TRIAGE_MODEL_PATH"] = str(path)


@pytest.mark.parametrize("how", ["missing", "corrupt"])
def test_red_flag_rules_still_make_an_emergency_urgent_without_a_model(
    app, make_comment, tmp_path, how
):
    """A missing or corrupt model never switches the rules off: heavy bleeding is urgent."""
    _break_model(app, tmp_path, how)
    comment = _new_comment(make_comment, HEAVY_BLEEDING)
    triage_comment(comment)
    db.session.commit()
    stored = db.session.get(Comment, comment.id)
    assert stored.urgency == "urgent" and stored.red_flag and not stored.triaged
    assert stored.red_flag_categories == ["physical_emergency"]
    assert stored.triage_error
    assert stored.due_at == stored.received_at + timedelta(minutes=60)
    assert stored.triage_reasons[0].startswith("heavy bleeding now")


def test_a_model_that_raises_leaves_the_rules_in_charge(app, make_comment, monkeypatch):
    """A model that loads but fails while scoring: the rules still decide, the error is kept."""
    from moderation.services import triage

    class Exploding:
        def predict_many(self, bodies, use_safety=True):
            raise RuntimeError("scoring exploded")

    monkeypatch.setattr(triage, "get_model", lambda: Exploding())
    comment = _new_comment(make_comment, "I've taken all my tablets")
    triage_comment(comment)
    assert comment.urgency == "urgent" and comment.red_flag
    assert comment.red_flag_categories == ["mental_health_crisis"]
    assert "scoring exploded" in comment.triage_error


def test_rules_raise_what_the_model_would_not_and_say_so(app, make_comment):
    """When a rule makes urgent what the model calls less, the reasons say both."""
    comment = _new_comment(make_comment, "my lips look a bit blue and I can't catch my breath")
    triage_comment(comment)
    assert comment.urgency == "urgent" and comment.triaged
    assert comment.triage_reasons[0].startswith("chest pain, breathlessness")
    assert comment.red_flag_categories == ["physical_emergency"]
    if comment.urgency_scores["urgent"] < 0.5:
        assert any(r.startswith("raised by a red-flag rule; the model alone would say")
                   for r in comment.triage_reasons)


def test_safeguarding_flag_alone_does_not_make_a_comment_urgent(app, make_comment):
    """Under-18 is a safeguarding flag that goes with any urgency; it does not raise it."""
    comment = _new_comment(make_comment, "I'm 15 and I think I might be pregnant, what do I do?")
    triage_comment(comment)
    assert comment.red_flag_categories == ["safeguarding"]
    assert not comment.red_flag


def test_rescore_updates_pending_comments_but_not_corrected_or_answered_ones(
    app, runner, make_comment, midwife
):
    pending = _new_comment(make_comment, HEAVY_BLEEDING)
    corrected = _new_comment(make_comment, HEAVY_BLEEDING)
    answered = make_comment(HEAVY_BLEEDING, urgency="routine", status="published")
    db.session.add(LabelCorrection(comment_id=corrected.id, user_id=midwife.id, field="urgency",
                                   old_value="urgent", new_value="routine"))
    db.session.commit()
    result = runner.invoke(args=["triage", "rescore"])
    assert result.exit_code == 0, result.output
    assert "Re-scored 1 pending comment" in result.output
    db.session.expire_all()
    assert db.session.get(Comment, pending.id).urgency == "urgent"
    assert db.session.get(Comment, corrected.id).urgency == "routine"
    assert db.session.get(Comment, answered.id).urgency == "routine"


def test_corrections_become_training_examples_with_the_corrected_labels(
    app, make_comment, midwife
):
    comment = make_comment("can we try again straight away?", urgency="priority",
                           topic="trying_again")
    comment.urgency = "routine"
    db.session.add(LabelCorrection(comment_id=comment.id, user_id=midwife.id, field="urgency",
                                   old_value="priority", new_value="routine"))
    db.session.commit()
    assert corrected_examples() == [
        {"body": "can we try again straight away?", "urgency": "routine",
         "topic": "trying_again"}
    ]


def test_train_if_missing_keeps_an_existing_model(runner):
    result = runner.invoke(args=["triage", "train", "--if-missing"])
    assert result.exit_code == 0
    assert "not retraining" in result.output


def test_predict_writes_one_json_line_per_input(runner, tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "a1", "body": HEAVY_BLEEDING}) + "\n"
                      + json.dumps({"id": "a2", "body": "thank you for this page x"}) + "\n")
    result = runner.invoke(args=["triage", "predict", str(source)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["id"] for line in lines] == ["a1", "a2"]
    assert lines[0]["urgency"] == "urgent"
    assert set(lines[0]) >= {"urgency_scores", "topic", "topic_scores", "reasons",
                             "model_version"}


def test_predict_names_a_malformed_line_and_writes_nothing(runner, tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "a1", "body": "ok"}) + "\n{not json\n")
    result = runner.invoke(args=["triage", "predict", str(source)])
    assert result.exit_code != 0
    assert "line 2" in result.stderr
    assert result.stdout == ""


def test_predict_reports_an_unreadable_file(runner, tmp_path):
    result = runner.invoke(args=["triage", "predict", str(tmp_path / "missing.jsonl")])
    assert result.exit_code != 0
    assert "Cannot read" in result.output


def test_received_time_drives_the_deadline_not_the_scoring_time(app, make_comment):
    comment = _new_comment(make_comment, HEAVY_BLEEDING)
    comment.received_at = utcnow() - timedelta(minutes=50)
    triage_comment(comment)
    assert comment.due_at - utcnow() < timedelta(minutes=11)


def test_train_learns_from_the_midwives_corrections(app, runner, make_comment, midwife, tmp_path):
    novel = make_comment("wotsit wotsit zebra crossing question", urgency="priority",
                         topic="other")
    db.session.add(LabelCorrection(comment_id=novel.id, user_id=midwife.id, field="topic",
                                   old_value="bleeding", new_value="other"))
    db.session.commit()
    app.config["TRIAGE_MODEL_PATH"] = str(tmp_path / "triage-model.skops")
    result = runner.invoke(args=["triage", "train", "--seed", "7", "--sample", SAMPLE])
    assert result.exit_code == 0, result.output
    assert "Training with 1 corrected comment(s)" in result.output
    release = db.session.scalar(select(ModelRelease))
    card = json.loads((Path(release.directory) / "model-card.json").read_text())
    assert card["data"]["extra_examples_added"] + card["data"]["corrections_applied"] == 1
    assert card["seed"] == 7
    # A stratified sample of the corpus (rounded per stratum) plus the correction.
    assert card["data"]["sampled"]
    assert abs(card["data"]["examples"] - int(SAMPLE)) <= 5


def test_train_if_missing_replaces_a_model_that_cannot_be_loaded(app, runner, tmp_path):
    broken = tmp_path / "triage-model.skops"
    broken.write_bytes(b"not a model")
    app.config["TRIAGE_MODEL_PATH"] = str(broken)
    result = runner.invoke(args=["triage", "train", "--if-missing", "--sample", SAMPLE])
    assert result.exit_code == 0, result.output
    assert "cannot be used" in result.output
    from classifier import load_model

    assert load_model(broken).predict(HEAVY_BLEEDING).urgency == "urgent"


def test_predict_without_a_model_still_writes_the_rules_decision(app, runner, tmp_path):
    """`flask triage predict` with the model file gone: exit 1, but each line is decided."""
    app.config["TRIAGE_MODEL_PATH"] = str(tmp_path / "gone.skops")
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": 1, "body": "I've taken all my tablets"}) + "\n")
    result = runner.invoke(args=["triage", "predict", str(source)])
    assert result.exit_code == 1
    row = json.loads(result.stdout.strip().splitlines()[-1])
    assert row["urgency"] == "urgent" and row["model_failed"]
    assert row["red_flag_categories"] == ["mental_health_crisis"]

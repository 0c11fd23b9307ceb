"""The trained model's public behaviour: labels, scores, reasons, determinism, the safety layer."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from classifier import TOPICS, URGENCIES, Prediction, TriageModel, load_model
from classifier.corpus import load_corpus
from classifier.train import train_model

PHRASES = [
    "When can we start trying again after an early miscarriage?",
    "Tonight I'm soaking through a pad every hour and I feel faint.",
    "Thank you so much for this page.",
    "I keep thinking everyone would be better off without me.",
    "Still no period ten weeks after the D&C, tests negative.",
]


def test_prediction_uses_the_guide_labels(model: TriageModel) -> None:
    """Every prediction uses exactly the labelling guide's names, with full score dicts."""
    for p in model.predict_many(PHRASES):
        assert isinstance(p, Prediction)
        assert p.urgency in URGENCIES and p.topic in TOPICS
        assert list(p.urgency_scores) == list(URGENCIES)
        assert list(p.topic_scores) == list(TOPICS)
        assert sum(p.urgency_scores.values()) == pytest.approx(1.0)
        assert sum(p.topic_scores.values()) == pytest.approx(1.0)
        assert p.model_version.startswith("triage-2026.11-")


def test_predict_matches_predict_many(model: TriageModel) -> None:
    """Scoring one comment gives the same result as scoring it in a batch."""
    assert [model.predict(text) for text in PHRASES] == model.predict_many(PHRASES)


def test_obvious_comments_get_the_expected_labels(model: TriageModel) -> None:
    """Clear-cut comments land where the guide says."""
    trying, bleeding, thanks, self_harm, period = model.predict_many(PHRASES)
    assert (trying.urgency, trying.topic) == ("routine", "trying_again")
    assert bleeding.urgency == "urgent" and bleeding.topic == "bleeding"
    assert (thanks.urgency, thanks.topic) == ("routine", "other")
    assert self_harm.urgency == "urgent" and self_harm.topic == "emotional_support"
    assert period.topic == "first_period"


def test_urgent_decision_uses_the_threshold(model: TriageModel) -> None:
    """Urgent exactly when P(urgent) reaches the threshold; else the likelier other class."""
    proba = np.array([[0.5, 0.3, 0.2], [0.1, 0.2, 0.7], [0.1, 0.6, 0.3]])
    proba[0, 0] = model.urgent_threshold
    proba[1, 0] = model.urgent_threshold - 1e-6
    assert [URGENCIES[i] for i in model.decide_urgency(proba)] == ["urgent", "routine", "priority"]


def test_reasons_name_safety_rule_and_matched_text(model: TriageModel) -> None:
    """A safety hit appears in the reasons with its rule name and the comment's own words."""
    p = model.predict("Since tea time I've been soaking through a pad every hour.")
    assert p.urgency == "urgent"
    assert any("heavy_bleeding_rate" in r and "soaking through a pad every hour" in r
               for r in p.reasons)
    safety = [d for d in p.details if d["kind"] == "safety"]
    assert safety and safety[0]["matched"] == "soaking through a pad every hour"


def test_reasons_give_top_words_for_both_heads(model: TriageModel) -> None:
    """Each prediction explains both heads in words, keeping at most three weighted terms."""
    p = model.predict("How soon can we try again after the miscarriage, do we wait for a period?")
    terms = [d for d in p.details if d["kind"] == "term"]
    for head in ("urgency", "topic"):
        head_terms = [d for d in terms if d["head"] == head]
        assert 1 <= len(head_terms) <= 3
        assert all(d["weight"] > 0 for d in head_terms)
    prefixes = (f"model says {p.model_urgency}", "check soon", f"topic {p.topic.replace('_', ' ')}")
    assert all(any(r.startswith(prefix) for r in p.reasons) for prefix in prefixes[::2])
    assert any(d["term"] in {"again", "try again", "try"} for d in terms if d["head"] == "topic")


def test_safety_layer_only_raises(model: TriageModel) -> None:
    """With safety on, urgency is the model's own or urgent, never lower."""
    bodies = [e.body for examples in load_corpus().values() for e in examples][::3]
    plain = model.predict_many(bodies, use_safety=False)
    served = model.predict_many(bodies)
    for before, after in zip(plain, served, strict=True):
        assert after.model_urgency == before.urgency
        if after.urgency != before.urgency:
            assert after.urgency == "urgent" and after.safety_raised
        else:
            assert not after.safety_raised
        assert after.urgency_scores == before.urgency_scores


def test_safety_raise_is_explained(model: TriageModel) -> None:
    """A comment lifted by the safety layer says so and keeps the model's own scores."""
    p = model.predict(
        "Got the all clear on my hCG, so glad. Just one thing: since lunch I've had a sharp "
        "pain on my left side and I feel a bit dizzy."
    )
    assert p.urgency == "urgent"
    assert any(r.startswith("safety rule") for r in p.reasons)


def test_to_json_is_the_cli_line(model: TriageModel) -> None:
    """to_json gives the documented keys, with the caller's id."""
    line = model.predict("Thank you for this page").to_json("c-17")
    assert {"id", "urgency", "urgency_scores", "topic", "topic_scores", "reasons",
            "model_version"} <= set(line)
    assert line["id"] == "c-17"
    assert all(isinstance(r, str) for r in line["reasons"])


def test_empty_batch_gives_no_predictions(model: TriageModel) -> None:
    """Scoring nothing returns an empty list."""
    assert model.predict_many([]) == []


def test_same_seed_gives_same_model(small_data_dir: Path) -> None:
    """Training twice with the same seed gives the same version and identical predictions."""
    examples = [e for ex in load_corpus(small_data_dir).values() for e in ex]
    first, _ = train_model(examples, seed=11)
    second, _ = train_model(examples, seed=11)
    assert first.model_version == second.model_version
    assert first.urgent_threshold == second.urgent_threshold
    assert first.predict_many(PHRASES) == second.predict_many(PHRASES)


def test_loaded_model_predicts_like_the_trained_one(model_path: Path, model: TriageModel) -> None:
    """Loading the artifact twice gives identical predictions."""
    assert load_model(model_path).predict_many(PHRASES) == model.predict_many(PHRASES)


def test_fast_probabilities_equal_scikit_learns(model):
    """The intake's fast softmax gives exactly what predict_proba gives."""
    import numpy as np
    import scipy.sparse as sp

    from classifier.model import linear_probabilities

    blocks = model.features.transform_blocks(["soaking a pad an hour and dizzy?", "thanks x"])
    X = sp.hstack(blocks, format="csr")
    for head in (model.urgency_head, model.topic_head):
        assert np.allclose(linear_probabilities(head, X), head.predict_proba(X), atol=1e-12)

"""The served urgency decision (red-flag rules OR model) and its two thresholds."""

from __future__ import annotations

import numpy as np
import pytest

from classifier import TriageModel
from classifier.train import choose_system_threshold, served_urgent

# Five urgent comments (two caught by a rule) and four that are not.
P_URGENT = np.array([0.90, 0.60, 0.30, 0.05, 0.10, 0.50, 0.20, 0.02, 0.35])
RULE = np.array([False, False, False, True, True, False, False, False, False])
URGENT = np.array([True, True, True, True, True, False, False, False, False])


def test_the_threshold_counts_what_the_rules_already_catch():
    """Rules catch 2 of 5: the model must find 2 more for recall 0.8, so it stops at 0.60."""
    threshold = choose_system_threshold(P_URGENT, RULE, URGENT, target=0.8)
    assert threshold == pytest.approx(0.60)
    served = served_urgent(P_URGENT, RULE, threshold)
    assert served.tolist() == [True, True, False, True, True, False, False, False, False]


def test_full_recall_lowers_the_threshold_to_the_weakest_urgent_the_rules_miss():
    threshold = choose_system_threshold(P_URGENT, RULE, URGENT, target=1.0)
    assert threshold == pytest.approx(0.30)
    assert served_urgent(P_URGENT, RULE, threshold)[URGENT].all()


def test_when_the_rules_alone_meet_the_target_the_threshold_stays_at_its_cap():
    everything = np.array([True] * 5 + [False] * 4)
    assert choose_system_threshold(P_URGENT, everything, URGENT, 0.97, maximum=0.5) == 0.5


def test_the_served_threshold_meets_the_recall_target_by_cross_validation(model: TriageModel,
                                                                          trained_dir):
    import json

    card = json.loads((trained_dir / "model-card.json").read_text())
    cv = card["cross_validation"]
    assert cv["urgent_with_safety"]["recall"] >= cv["urgent_recall_target"]
    assert cv["check_soon_threshold"] <= cv["urgent_threshold"] == pytest.approx(
        model.urgent_threshold, abs=1e-6)
    assert cv["check_soon"]["served_or_check_soon_recall"] >= cv["urgent_with_safety"]["recall"]


def test_check_soon_marks_only_comments_below_urgent(model: TriageModel):
    bodies = [
        "soaked through two pads in the last hour and I feel faint",
        "three weeks after the miscarriage and I still feel a bit dizzy some mornings",
        "thank you for this page",
    ]
    for prediction in model.predict_many(bodies):
        p_urgent = prediction.urgency_scores["urgent"]
        expected = prediction.urgency != "urgent" and p_urgent >= model.check_soon_threshold
        assert prediction.check_soon is expected
        if prediction.urgency == "urgent":
            assert not prediction.check_soon


# Administrative and off-topic posts written for this test, not in the corpus.
ADMINISTRATIVE = [
    "Please take my email address off your mailing list, thanks.",
    "How do I stop getting a notification every time someone replies?",
    "Is there a version of this page in Lithuanian for my mum?",
    "The link to the leaflet at the bottom of the page goes nowhere.",
    "Thank you, the midwife's reply really helped me last week.",
    "Cheap loans approved in minutes, visit my site",
    "What a useless charity, nobody ever answers anything.",
    "We'd love to plant a tree for our baby next spring, any ideas where?",
    "Can I run a bake sale at work to raise money for you?",
    "my hamster is off his food, should I worry",
]


def test_no_urgent_badge_on_administrative_or_off_topic_posts(model: TriageModel):
    predictions = model.predict_many(ADMINISTRATIVE)
    assert [p.urgency for p in predictions if p.urgency == "urgent"] == []

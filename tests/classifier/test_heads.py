"""The NB-LR topic head: valid probabilities, and the guide's topic rule on real comments."""

from __future__ import annotations

import numpy as np
import pytest

from classifier import TriageModel
from classifier.features import TextFeatures
from classifier.heads import NBLogisticRegression

DOCS = ["when can we try again", "trying to conceive again soon", "still bleeding lightly",
        "bleeding and clots today", "back to work next week", "can i go back to the gym"]
LABELS = ["trying_again", "trying_again", "bleeding", "bleeding", "recovery_work",
          "recovery_work"]


def test_head_probabilities_sum_to_one_and_follow_its_scores() -> None:
    """Each row's probabilities add up to 1 and the predicted topic is the most probable."""
    features = TextFeatures(word_min_df=1, char_min_df=1).fit(DOCS)
    X = features.transform(DOCS)
    head = NBLogisticRegression(C=4.0).fit(X, LABELS)
    proba = head.predict_proba(X)
    assert np.allclose(proba.sum(axis=1), 1.0)
    assert list(head.predict(X)) == list(head.classes_[proba.argmax(axis=1)])
    assert list(head.predict(X)) == LABELS


def test_ridge_blend_is_one_linear_head() -> None:
    """With a ridge share the head still scores with one weight per feature, as fitted."""
    features = TextFeatures(word_min_df=1, char_min_df=1).fit(DOCS)
    X = features.transform(DOCS)
    head = NBLogisticRegression(C=4.0, ridge_share=0.5).fit(X, LABELS)
    assert head.coef_.shape == (3, X.shape[1])
    assert np.allclose(head.decision_function(X), X @ head.coef_.T + head.intercept_)
    assert np.allclose(head.predict_proba(X).sum(axis=1), 1.0)
    assert list(head.predict(X)) == LABELS
    with pytest.raises(ValueError, match="ridge_share"):
        NBLogisticRegression(ridge_share=1.0).fit(X, LABELS)


def test_head_refuses_fewer_than_three_topics() -> None:
    """One-vs-rest over two labels is a binary problem: fitting it says so instead of guessing."""
    features = TextFeatures(word_min_df=1, char_min_df=1).fit(DOCS[:4])
    with pytest.raises(ValueError, match="three classes"):
        NBLogisticRegression().fit(features.transform(DOCS[:4]), LABELS[:4])


def test_the_question_asked_decides_the_topic(model: TriageModel) -> None:
    """Bleeding in the story but a question about the gym or trying: the question's topic wins."""
    gym = model.predict("The bleeding has stopped. Can I go back to the gym next week?")
    trying = model.predict("Still bleeding a bit. When can we start trying again?")
    helpline = model.predict("Is the helpline open at weekends?")
    assert (gym.topic, trying.topic, helpline.topic) == ("recovery_work", "trying_again", "other")

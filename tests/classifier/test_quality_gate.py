"""Quality gate: train on a stratified 80% of the corpus, judge the served model on the rest."""

from __future__ import annotations

from classifier.corpus import build_training_set, load_corpus
from classifier.train import evaluate, holdout_split, train_model

URGENT_RECALL_MIN = 0.95
TOPIC_MACRO_F1_MIN = 0.85
# Every topic (the composer's first snippet depends on it). The 0.80 target is judged by
# cross-validation in docs/model-card.md; on this one 20 % split a topic has 35-80 examples,
# and its F1 moves by about 0.04 when a few examples are added anywhere in the corpus.
TOPIC_F1_MIN = 0.75


def test_held_out_quality_does_not_regress() -> None:
    """Urgent recall >= 0.95, topic macro-F1 >= 0.85 and no topic below 0.75 on the held-out 20%."""
    examples = list(build_training_set(load_corpus()).examples)
    train, held_out = holdout_split(examples, fraction=0.2)
    model, _ = train_model(train)
    report = evaluate(model, held_out)
    assert report["urgent"]["recall"] >= URGENT_RECALL_MIN, report["urgent"]
    assert report["topic"]["macro_f1"] >= TOPIC_MACRO_F1_MIN, report["topic"]["per_class"]
    weakest = min(report["topic"]["per_class"].items(), key=lambda item: item[1]["f1"])
    assert weakest[1]["f1"] >= TOPIC_F1_MIN, weakest

"""Urgent recall and false alarms of the red-flag rules alone, the model alone, and both.

Run: .venv/bin/python -m bench.bench_safety_rules [--json]

Splits the corpus with `classifier.train.holdout_split` (20 % held out, stratified by urgency x
topic, default seed), trains the model on the rest, and scores the held-out comments three
ways: the rules alone (urgent when a rule that raises urgency fires), the model alone
(`use_safety=False`) and the served decision (`classifier.decision`). A false alarm is a
comment labelled priority or routine that comes out urgent; the rate is over those comments.
The rules were written from the labelling guide and the clinical review, not fitted to this
split, but some corpus phrases did shape them: the held-out figures are an upper bound for
live text.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence

from classifier import safety
from classifier.corpus import load_corpus
from classifier.decision import decide_many
from classifier.labels import URGENT
from classifier.train import build_training_set, holdout_split, train_model


def rates(truth: Sequence[str], predicted: Sequence[str]) -> dict[str, float | int]:
    """Urgent recall, precision and false-alarm rate of one way of deciding."""
    tp = sum(t == URGENT and p == URGENT for t, p in zip(truth, predicted, strict=True))
    fn = sum(t == URGENT and p != URGENT for t, p in zip(truth, predicted, strict=True))
    fp = sum(t != URGENT and p == URGENT for t, p in zip(truth, predicted, strict=True))
    negatives = sum(t != URGENT for t in truth)
    return {
        "urgent_recall": round(tp / max(tp + fn, 1), 4),
        "urgent_precision": round(tp / max(tp + fp, 1), 4),
        "false_alarm_rate": round(fp / max(negatives, 1), 4),
        "missed_urgent": fn,
        "false_alarms": fp,
    }


def measure() -> dict[str, object]:
    """Train on 80 %, score the held-out 20 % three ways."""
    examples = list(build_training_set(load_corpus(), []).examples)
    train, held = holdout_split(examples)
    model, _ = train_model(train)
    bodies = [e.body for e in held]
    truth = [e.urgency for e in held]
    rules_only = [URGENT if safety.urgent_hits(safety.check(b)) else "not urgent" for b in bodies]
    model_only = [p.urgency for p in model.predict_many(bodies, use_safety=False)]
    served = [d.urgency for d in decide_many(bodies, model)]
    return {
        "held_out": len(held),
        "held_out_urgent": sum(t == URGENT for t in truth),
        "trained_on": len(train),
        "rules_alone": rates(truth, rules_only),
        "model_alone": rates(truth, model_only),
        "rules_then_model": rates(truth, served),
    }


def main() -> None:
    """Print the figures as a table (or JSON)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    figures = measure()
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(f"held out {figures['held_out']} comments ({figures['held_out_urgent']} urgent), "
          f"model trained on {figures['trained_on']}")
    print(f"{'':18} {'recall':>7} {'precision':>9} {'false alarms':>13} {'missed':>7}")
    for name in ("rules_alone", "model_alone", "rules_then_model"):
        r = figures[name]
        print(f"{name:18} {r['urgent_recall']:7.3f} {r['urgent_precision']:9.3f} "
              f"{r['false_alarm_rate']:8.3f} ({r['false_alarms']:3}) {r['missed_urgent']:7}")


if __name__ == "__main__":
    main()

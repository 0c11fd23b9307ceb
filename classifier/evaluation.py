"""Judging a model: per-label reports, urgent recall/precision, the held-out split, speed."""

from __future__ import annotations

import platform
import statistics
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .corpus import Example
from .labels import TOPICS, URGENCIES, URGENT
from .model import TriageModel, load_model

DEFAULT_SEED = 20261127


def classification_report(
    y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str]
) -> dict[str, Any]:
    """Per-class precision/recall/F1/support, macro-F1, accuracy and the confusion matrix."""
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=list(labels), zero_division=0
    )
    per_class = {
        label: {
            "precision": round(float(precision[i]), 4),
            "recall": round(float(recall[i]), 4),
            "f1": round(float(f1[i]), 4),
            "support": int(support[i]),
        }
        for i, label in enumerate(labels)
    }
    matrix = confusion_matrix(y_true, y_pred, labels=list(labels))
    return {
        "per_class": per_class,
        "macro_f1": round(float(np.mean(f1)), 4),
        "accuracy": round(float(np.mean(np.asarray(y_true) == np.asarray(y_pred))), 4),
        "confusion_matrix": {"labels": list(labels), "rows_true_cols_predicted": matrix.tolist()},
    }


def urgent_pr(y_true: Sequence[str], y_pred: Sequence[str]) -> dict[str, float]:
    truth = np.asarray(y_true) == URGENT
    pred = np.asarray(y_pred) == URGENT
    tp = int(np.sum(truth & pred))
    return {
        "recall": round(tp / max(int(truth.sum()), 1), 4),
        "precision": round(tp / max(int(pred.sum()), 1), 4),
        "true_positives": tp,
        "false_negatives": int(np.sum(truth & ~pred)),
        "false_positives": int(np.sum(~truth & pred)),
    }


def holdout_split(
    examples: Sequence[Example], fraction: float = 0.2, seed: int = DEFAULT_SEED
) -> tuple[list[Example], list[Example]]:
    """Stratified (urgency x topic) split into (train, held-out), deterministic for a seed."""
    rng = np.random.default_rng(seed)
    groups: dict[str, list[int]] = {}
    for i, e in enumerate(examples):
        groups.setdefault(f"{e.urgency}|{e.topic}", []).append(i)
    held: set[int] = set()
    for key in sorted(groups):
        members = groups[key]
        count = int(round(fraction * len(members)))
        held.update(int(i) for i in rng.permutation(members)[:count])
    train = [e for i, e in enumerate(examples) if i not in held]
    test = [e for i, e in enumerate(examples) if i in held]
    return train, test


def evaluate(model: TriageModel, examples: Sequence[Example]) -> dict[str, Any]:
    """Served decisions (threshold + safety layer) against labels: the quality-gate figures."""
    predictions = model.predict_many([e.body for e in examples])
    y_urgency = [e.urgency for e in examples]
    y_topic = [e.topic for e in examples]
    rules_only = [URGENT if p.details and any(d.get("kind") == "safety" for d in p.details)
                  else "not urgent" for p in predictions]
    return {
        "examples": len(examples),
        "urgent_rules_only": urgent_pr(y_urgency, rules_only),
        "urgent_model_only": urgent_pr(y_urgency, [p.model_urgency for p in predictions]),
        "check_soon": int(sum(p.check_soon for p in predictions)),
        "check_soon_urgent": int(sum(
            p.check_soon and e.urgency == URGENT
            for p, e in zip(predictions, examples, strict=True)
        )),
        "urgency": classification_report(y_urgency, [p.urgency for p in predictions], URGENCIES),
        "topic": classification_report(y_topic, [p.topic for p in predictions], TOPICS),
        "urgent": urgent_pr(y_urgency, [p.urgency for p in predictions]),
    }


def speed_report(model_path: Path, bodies: Sequence[str]) -> dict[str, float]:
    started = time.perf_counter()
    model = load_model(model_path)
    load_seconds = time.perf_counter() - started
    batch = list(bodies) * max(1, -(-2000 // max(len(bodies), 1)))
    model.predict_many(batch[:200])  # warm the caches as a running app would be
    # CPU time of this process: what one core spends, even when other work shares the machine.
    started = time.process_time()
    model.predict_many(batch)
    batch_rate = len(batch) / max(time.process_time() - started, 1e-9)
    single = []
    for body in bodies[:200]:
        t0 = time.process_time()
        model.predict(body)
        single.append((time.process_time() - t0) * 1000)
    return {
        "load_seconds": round(load_seconds, 3),
        "batch_comments_per_second": round(batch_rate),
        "single_comment_ms_median": round(statistics.median(single), 3),
        "single_comment_ms_p95": round(float(np.percentile(single, 95)), 3),
        "measured_on": f"in-process right after training, CPU time, {len(batch)} training "
        "comments",
    }


def library_versions() -> dict[str, str]:
    import scipy
    import sklearn
    import skops

    return {
        "python": platform.python_version(),
        "scikit_learn": sklearn.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "skops": skops.__version__,
    }

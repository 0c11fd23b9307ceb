"""Training: cross-validation, the urgent threshold, the artifact and the model card."""

from __future__ import annotations

import hashlib
import json
import time
import warnings
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from . import safety
from .card import write_card
from .corpus import (
    FROZEN_TEST_PATH,
    Example,
    build_training_set,
    frozen_keys,
    load_corpus,
    load_frozen_test,
    validate_extra,
)
from .evaluation import (
    DEFAULT_SEED,
    classification_report,
    evaluate,
    holdout_split,
    library_versions,
    speed_report,
    urgent_pr,
)
from .features import TextFeatures
from .heads import NBLogisticRegression
from .labels import TOPICS, URGENCIES, URGENT
from .model import ARTIFACT_NAME, TriageModel, decide_urgency, save_model

MODEL_SERIES = "2026.11"
PARAMS: dict[str, Any] = {
    "word_ngram_range": [1, 2],
    "char_ngram_range": [3, 5],
    "word_min_df": 2,
    "char_min_df": 3,
    "sublinear_tf": True,
    # The word n-grams of the sentences that ask a question again, at this weight: the topic
    # is the subject of the question asked (labelling guide). +0.5 point of CV topic macro-F1.
    "question_weight": 0.5,
    "classifier": "LogisticRegression(class_weight='balanced', lbfgs, multinomial)",
    "urgency_C": 10.0,
    # The topic head is NB-LR (classifier/heads.py): by cross-validation about three points of
    # macro-F1 above the multinomial head, at the same scoring cost.
    "topic_classifier": "NBLogisticRegression(class_weight='balanced', one-vs-rest)"
                        " + RidgeClassifier(class_weight='balanced'), scores blended",
    "topic_C": 4.0,
    # ...plus a ridge classifier's scores at this share, folded into the same weights (free at
    # scoring time): +0.4 point of CV topic macro-F1 (mean of three fold seeds), frozen 0.914 to
    # 0.916.
    "topic_ridge_share": 0.5,
    "topic_ridge_alpha": 1.0,
    "cv_folds": 5,
    # The served decision is "a red-flag rule fired OR P(urgent) >= threshold"; the threshold
    # is the highest whose served urgent recall, by cross-validation, reaches this target.
    "urgent_recall_target": 0.97,
    # Never above this, so the model still calls urgent what it finds more likely than not
    # even if the rules alone would meet the target.
    "urgent_threshold_max": 0.5,
    # "Check soon" (below urgent): the highest lower threshold at which served urgent plus
    # check-soon comments hold this share of the urgent ones, by cross-validation.
    "check_soon_recall_target": 0.995,
    # ...but it may mark at most this share of the comments not served as urgent: a marker on
    # one comment in five would be noise, not a safety net.
    "check_soon_max_share": 0.10,
}


def _features(params: Mapping[str, Any]) -> TextFeatures:
    return TextFeatures(
        word_ngram_range=tuple(params["word_ngram_range"]),
        char_ngram_range=tuple(params["char_ngram_range"]),
        word_min_df=params["word_min_df"],
        char_min_df=params["char_min_df"],
        sublinear_tf=params["sublinear_tf"],
        question_weight=params.get("question_weight", 0.0),
    )


def _head(C: float, seed: int) -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(
        C=C, class_weight="balanced", max_iter=5000, solver="lbfgs", random_state=seed
    )


def _fit_heads(
    bodies: Sequence[str], urgencies: Sequence[str], topics: Sequence[str],
    params: Mapping[str, Any], seed: int,
) -> tuple[TextFeatures, Any, Any]:
    features = _features(params).fit(bodies)
    X = features.transform(bodies)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=FutureWarning)
        urgency_head = _head(params["urgency_C"], seed).fit(X, urgencies)
        topic_head = NBLogisticRegression(
            C=params["topic_C"], random_state=seed,
            ridge_share=params.get("topic_ridge_share", 0.0),
            ridge_alpha=params.get("topic_ridge_alpha", 1.0),
        ).fit(X, topics)
    return features, urgency_head, topic_head


def _strata(examples: Sequence[Example], folds: int) -> list[str]:
    """Urgency x topic where each has enough members, else urgency, else one pooled stratum."""
    joint = [f"{e.urgency}|{e.topic}" for e in examples]
    counts = Counter(joint)
    strata = [j if counts[j] >= folds else e.urgency for j, e in zip(joint, examples, strict=True)]
    counts = Counter(strata)
    strata = [s if counts[s] >= folds else "pooled" for s in strata]
    if 0 < strata.count("pooled") < folds:  # too few to pool: join the largest stratum
        largest = Counter(s for s in strata if s != "pooled").most_common(1)[0][0]
        strata = [largest if s == "pooled" else s for s in strata]
    return strata


def choose_threshold(p_urgent: np.ndarray, is_urgent: np.ndarray, target: float) -> float:
    """The highest threshold whose urgent recall on these scores is at least target."""
    scores = np.sort(p_urgent[is_urgent])[::-1]
    if len(scores) == 0:
        return 0.5
    needed = int(np.ceil(target * len(scores)))
    return float(scores[max(needed, 1) - 1])


def choose_system_threshold(
    p_urgent: np.ndarray, rule_fired: np.ndarray, is_urgent: np.ndarray, target: float,
    maximum: float = 1.0,
) -> float:
    """The highest threshold at which (rule fired OR P(urgent) >= it) has recall >= target."""
    n_urgent = int(is_urgent.sum())
    if n_urgent == 0:
        return min(0.5, maximum)
    needed = int(np.ceil(target * n_urgent)) - int((is_urgent & rule_fired).sum())
    if needed <= 0:
        return float(maximum)
    missed_by_rules = np.sort(p_urgent[is_urgent & ~rule_fired])[::-1]
    return float(min(missed_by_rules[needed - 1], maximum))


def served_urgent(p_urgent: np.ndarray, rule_fired: np.ndarray, threshold: float) -> np.ndarray:
    """The served urgent decision: a red-flag rule fired, or the model reached the threshold."""
    return rule_fired | (p_urgent >= threshold)


def cross_validate(
    examples: Sequence[Example], *, seed: int = DEFAULT_SEED, params: Mapping[str, Any] = PARAMS
) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-fold probabilities (URGENCIES and TOPICS column order) by stratified k-fold."""
    from sklearn.model_selection import StratifiedKFold

    folds = int(params["cv_folds"])
    bodies = [e.body for e in examples]
    urgencies = np.array([e.urgency for e in examples])
    topics = np.array([e.topic for e in examples])
    urgency_oof = np.zeros((len(examples), len(URGENCIES)))
    topic_oof = np.zeros((len(examples), len(TOPICS)))
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train_idx, test_idx in splitter.split(bodies, _strata(examples, folds)):
        train_bodies = [bodies[i] for i in train_idx]
        features, urgency_head, topic_head = _fit_heads(
            train_bodies, urgencies[train_idx], topics[train_idx], params, seed
        )
        X = features.transform([bodies[i] for i in test_idx])
        u_order = [list(urgency_head.classes_).index(u) for u in URGENCIES]
        t_order = [list(topic_head.classes_).index(t) for t in TOPICS]
        urgency_oof[test_idx] = urgency_head.predict_proba(X)[:, u_order]
        topic_oof[test_idx] = topic_head.predict_proba(X)[:, t_order]
    return urgency_oof, topic_oof


def with_safety(bodies: Sequence[str], urgencies: Sequence[str]) -> list[str]:
    """Apply the safety layer to model urgencies (it can only raise them)."""
    return [
        safety.raise_urgency(u, safety.check(body))[0]
        for body, u in zip(bodies, urgencies, strict=True)
    ]


def model_version_for(examples: Sequence[Example], params: Mapping[str, Any], seed: int) -> str:
    """`triage-<series>-<hash of the training examples, parameters and seed>`."""
    digest = hashlib.sha256()
    digest.update(json.dumps({"series": MODEL_SERIES, "params": params, "seed": seed},
                             sort_keys=True).encode("utf-8"))
    for e in examples:
        digest.update(json.dumps([e.body, e.urgency, e.topic]).encode("utf-8"))
    return f"triage-{MODEL_SERIES}-{digest.hexdigest()[:10]}"


def train_model(
    examples: Sequence[Example], *, seed: int = DEFAULT_SEED, params: Mapping[str, Any] = PARAMS
) -> tuple[TriageModel, dict[str, Any]]:
    """Cross-validate, pick the urgent threshold, fit on everything; return (model, metrics)."""
    from threadpoolctl import threadpool_limits

    # One BLAS thread: the problem is small, and extra threads only fight on a busy 2-core box.
    with threadpool_limits(limits=1):
        return _train_model(examples, seed, params)


def _train_model(
    examples: Sequence[Example], seed: int, params: Mapping[str, Any]
) -> tuple[TriageModel, dict[str, Any]]:
    started = time.perf_counter()
    bodies = [e.body for e in examples]
    y_urgency = [e.urgency for e in examples]
    y_topic = [e.topic for e in examples]
    urgency_oof, topic_oof = cross_validate(examples, seed=seed, params=params)
    is_urgent = np.asarray(y_urgency) == URGENT
    rule_fired = np.array([bool(safety.check(body)) for body in bodies], dtype=bool)
    p_urgent = urgency_oof[:, URGENCIES.index(URGENT)]
    target = float(params["urgent_recall_target"])
    maximum = float(params.get("urgent_threshold_max", 1.0))
    threshold = choose_system_threshold(p_urgent, rule_fired, is_urgent, target, maximum)
    soon_target = float(params.get("check_soon_recall_target", target))
    check_soon = min(
        choose_system_threshold(p_urgent, rule_fired, is_urgent, soon_target, maximum),
        threshold,
    )
    cv_urgency = [URGENCIES[i] for i in decide_urgency(urgency_oof, threshold)]
    cv_system = with_safety(bodies, cv_urgency)
    cv_topic = [TOPICS[i] for i in topic_oof.argmax(axis=1)]
    served = np.asarray(cv_system) == URGENT
    max_share = float(params.get("check_soon_max_share", 1.0))
    if max_share < 1.0 and (~served).any():
        floor = float(np.quantile(p_urgent[~served], 1.0 - max_share, method="higher"))
        check_soon = min(max(check_soon, floor), threshold)
    flagged_soon = ~served & (p_urgent >= check_soon)
    cv_seconds = time.perf_counter() - started

    features, urgency_head, topic_head = _fit_heads(bodies, y_urgency, y_topic, params, seed)
    version = model_version_for(examples, params, seed)
    model = TriageModel(features, urgency_head, topic_head, threshold, version, check_soon)
    rules_only = [URGENT if fired else "not urgent" for fired in rule_fired]
    metrics = {
        "model_version": version,
        "folds": int(params["cv_folds"]),
        "urgent_threshold": round(threshold, 6),
        "urgent_recall_target": target,
        "check_soon_threshold": round(check_soon, 6),
        "check_soon_recall_target": soon_target,
        "check_soon_max_share": max_share,
        "urgency_model": classification_report(y_urgency, cv_urgency, URGENCIES),
        "urgency_with_safety": classification_report(y_urgency, cv_system, URGENCIES),
        "topic": classification_report(y_topic, cv_topic, TOPICS),
        "urgent_at_threshold": urgent_pr(y_urgency, cv_urgency),
        "urgent_with_safety": urgent_pr(y_urgency, cv_system),
        "urgent_rules_only": urgent_pr(y_urgency, rules_only),
        "check_soon": {
            "flagged": int(flagged_soon.sum()),
            "share_of_not_urgent": round(float(flagged_soon.sum()) / max(int((~served).sum()), 1),
                                         4),
            "urgent_caught": int((flagged_soon & is_urgent).sum()),
            "served_or_check_soon_recall": round(
                float(((served | flagged_soon) & is_urgent).sum()) / max(int(is_urgent.sum()), 1),
                4,
            ),
        },
        "safety_raised_in_cv": int(sum(
            s != m for s, m in zip(cv_system, cv_urgency, strict=True)
        )),
        "cv_seconds": round(cv_seconds, 2),
        "training_seconds": round(time.perf_counter() - started, 2),
    }
    return model, metrics


def train_and_save(
    output_dir: Path,
    *,
    data_dir: Path | None = None,
    extra_examples: Iterable[Mapping[str, object]] | None = None,
    seed: int = DEFAULT_SEED,
    measure_speed: bool = True,
    frozen_path: Path | None = FROZEN_TEST_PATH,
    sample: int | None = None,
) -> dict[str, Any]:
    """Train on the corpus plus corrections, write artifact, sidecar and card; return the card.

    The frozen test file is never trained on: its comments are removed from the training set
    and the model is judged on it. `sample` trains on a stratified subset (fast tests).
    """
    started = time.perf_counter()
    corpus = load_corpus(data_dir)
    extra = validate_extra(extra_examples or [], source="extra_examples")
    exclude = frozen_keys(frozen_path) if frozen_path is not None else frozenset()
    training = build_training_set(corpus, extra, exclude=exclude)
    examples = list(training.examples)
    if sample is not None and sample < len(examples):
        # The midwives' corrections are the reason to retrain: a sample always keeps them.
        corrections = set(extra)
        kept = [e for e in examples if e in corrections]
        rest = [e for e in examples if e not in corrections]
        wanted = max(sample - len(kept), 0)
        examples, _ = holdout_split(rest, fraction=1 - wanted / len(rest), seed=seed)
        examples += kept
    model, metrics = train_model(examples, seed=seed)
    output_dir = Path(output_dir)
    model_path = output_dir / ARTIFACT_NAME
    meta = save_model(model, model_path, {"seed": seed})
    training_seconds = time.perf_counter() - started
    card: dict[str, Any] = {
        "model_version": model.model_version,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "seed": seed,
        "params": PARAMS,
        "artifact": {"file": ARTIFACT_NAME, "sha256": meta["sha256"],
                     "size_bytes": meta["size_bytes"], "format": meta["format"]},
        "data": {
            "files": training.files,
            "examples": len(examples),
            "duplicates_dropped": training.duplicates_dropped,
            "conflicting_duplicates": training.conflicting_duplicates,
            "corrections_applied": training.corrections_applied,
            "extra_examples_added": training.extra_added,
            "frozen_test_excluded": training.frozen_excluded,
            "sampled": sample is not None,
            "urgency_counts": {u: sum(e.urgency == u for e in examples) for u in URGENCIES},
            "topic_counts": {t: sum(e.topic == t for e in examples) for t in TOPICS},
        },
        "cross_validation": metrics,
        "frozen_test": (
            evaluate(model, load_frozen_test(frozen_path))
            if frozen_path is not None and Path(frozen_path).is_file() else None
        ),
        "safety_rules": sorted({rule.name for rule in safety.RULES}),
        "timing": {"training_seconds": round(training_seconds, 2),
                   "cv_seconds": metrics["cv_seconds"]},
        "environment": library_versions(),
    }
    if measure_speed:
        card["timing"].update(speed_report(model_path, [e.body for e in examples]))
    write_card(card, output_dir)
    return card

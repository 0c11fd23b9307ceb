"""The trained triage model: scoring, explanations, and the checked skops artifact."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from . import reasons as wording
from . import safety
from .errors import ModelLoadError, ModelNotFoundError
from .labels import TOPICS, URGENCIES, URGENT
from .prediction import Prediction

ARTIFACT_NAME = "triage-model.skops"
FORMAT_VERSION = 1
DEFAULT_MODEL_DIR = Path(__file__).resolve().parent / "artifacts"
DEFAULT_MODEL_PATH = DEFAULT_MODEL_DIR / ARTIFACT_NAME
TOP_TERMS = 6  # candidates per head; reasons show at most two distinct phrases
DETAIL_TERMS = 3  # weighted terms per head kept in the structured details

# Types the artifact may hold beyond skops' defaults (which cover scikit-learn and numpy):
# only our own feature transformer and topic head. Anything else in a file makes loading fail.
ALLOWED_TYPES: frozenset[str] = frozenset(
    {"classifier.features.TextFeatures", "classifier.heads.NBLogisticRegression"}
)


def sidecar_path(model_path: Path) -> Path:
    """The metadata file written next to the artifact (version and SHA-256)."""
    return Path(model_path).with_suffix(".json")


class TriageModel:
    """Two linear heads (urgency, topic) on shared TF-IDF features, plus the safety layer."""

    def __init__(
        self,
        features: Any,
        urgency_head: Any,
        topic_head: Any,
        urgent_threshold: float,
        model_version: str,
        check_soon_threshold: float | None = None,
    ) -> None:
        self.features = features
        self.urgency_head = urgency_head
        self.topic_head = topic_head
        self.urgent_threshold = float(urgent_threshold)
        # Below urgent, P(urgent) at or above this marks a comment "check soon" (None: never).
        self.check_soon_threshold = (
            float(check_soon_threshold) if check_soon_threshold is not None else None
        )
        self.model_version = model_version
        for head in (urgency_head, topic_head):  # `X @ coef_.T` copies C-ordered weights per call
            head.coef_ = np.asfortranarray(head.coef_)
        self._urgency_order = self._column_order(urgency_head, URGENCIES)
        self._topic_order = self._column_order(topic_head, TOPICS)
        self._urgency_weights = self._centred_weights(urgency_head, self._urgency_order)
        self._topic_weights = self._centred_weights(topic_head, self._topic_order)
        names = [str(n) for n in features.word_vectorizer_.get_feature_names_out()]
        self._word_names = names
        self._readable = np.array([wording.readable(name) for name in names], dtype=bool)

    @staticmethod
    def _column_order(head: Any, labels: Sequence[str]) -> np.ndarray:
        classes = [str(c) for c in head.classes_]
        if sorted(classes) != sorted(labels):
            raise ModelLoadError(
                f"model labels {classes} do not match the labelling guide's {list(labels)}"
            )
        return np.array([classes.index(label) for label in labels])

    @staticmethod
    def _centred_weights(head: Any, order: np.ndarray) -> np.ndarray:
        coef = np.asarray(head.coef_, dtype=np.float64)
        if coef.shape[0] == 1:  # binary head: one row for the positive class
            coef = np.vstack([-coef[0] / 2, coef[0] / 2])
        coef = coef - coef.mean(axis=0, keepdims=True)
        return coef[order]

    def pipelines(self) -> dict[str, Any]:
        """The two heads as scikit-learn Pipelines sharing the fitted features step."""
        from sklearn.pipeline import Pipeline

        return {
            "urgency": Pipeline([("features", self.features), ("clf", self.urgency_head)]),
            "topic": Pipeline([("features", self.features), ("clf", self.topic_head)]),
        }

    def probabilities(self, bodies: Sequence[str]) -> tuple[np.ndarray, np.ndarray, Any]:
        """Model probabilities (columns in URGENCIES and TOPICS order) and the word features."""
        import scipy.sparse as sp

        blocks = self.features.transform_blocks(bodies)
        word = blocks[0]
        X = sp.hstack(blocks, format="csr")
        urgency = linear_probabilities(self.urgency_head, X)[:, self._urgency_order]
        topic = linear_probabilities(self.topic_head, X)[:, self._topic_order]
        return urgency, topic, word

    def decide_urgency(self, urgency_proba: np.ndarray) -> np.ndarray:
        """Urgent when P(urgent) >= threshold, otherwise the most likely of the other classes."""
        return decide_urgency(urgency_proba, self.urgent_threshold)

    def predict(self, body: str) -> Prediction:
        """Score one comment."""
        return self.predict_many([body])[0]

    def predict_many(self, bodies: Sequence[str], *, use_safety: bool = True) -> list[Prediction]:
        """Score many comments at once (much faster per comment than calling predict)."""
        bodies = [body if isinstance(body, str) else str(body) for body in bodies]
        if not bodies:
            return []
        urgency_p, topic_p, word_X = self.probabilities(bodies)
        urgency_idx = self.decide_urgency(urgency_p)
        topic_idx = topic_p.argmax(axis=1)
        urgent_col = URGENCIES.index(URGENT)
        urgent_p = urgency_p[:, urgent_col]
        soon = (
            (urgent_p >= self.check_soon_threshold) & (urgency_idx != urgent_col)
            if self.check_soon_threshold is not None
            else np.zeros(len(bodies), dtype=bool)
        )
        # A check-soon comment is explained by what pushed it towards urgent.
        explained_idx = np.where(soon, urgent_col, urgency_idx)
        urgency_terms = self._top_terms(word_X, explained_idx, self._urgency_weights)
        topic_terms = self._top_terms(word_X, topic_idx, self._topic_weights)
        urgency_rows = urgency_p.tolist()
        topic_rows = topic_p.tolist()
        predictions = []
        for row, body in enumerate(bodies):
            model_urgency = URGENCIES[urgency_idx[row]]
            topic = TOPICS[topic_idx[row]]
            hits = safety.check(body) if use_safety else []
            urgency, raised = safety.raise_urgency(model_urgency, hits)
            check_soon = bool(soon[row]) and urgency != URGENT
            details: list[dict[str, object]] = [hit.to_dict() for hit in hits]
            reasons = [hit.reason() for hit in hits]
            if raised:
                reasons.append(wording.raised_by_rule(model_urgency))
            words = wording.Words(body)
            urgency_words = wording.phrases(words, (t for t, _ in urgency_terms[row]))
            topic_words = wording.phrases(words, (t for t, _ in topic_terms[row]))
            reasons.append(wording.urgency_reason(model_urgency, urgency_words, check_soon))
            reasons.append(wording.topic_reason(topic, topic_words))
            for head, label, terms in (
                ("urgency", URGENCIES[explained_idx[row]], urgency_terms[row]),
                ("topic", topic, topic_terms[row]),
            ):
                details.extend(
                    {"kind": "term", "head": head, "label": label, "term": term,
                     "weight": round(weight, 4)}
                    for term, weight in terms[:DETAIL_TERMS]
                )
            predictions.append(
                Prediction(
                    urgency=urgency,
                    urgency_scores=dict(zip(URGENCIES, urgency_rows[row], strict=True)),
                    topic=topic,
                    topic_scores=dict(zip(TOPICS, topic_rows[row], strict=True)),
                    reasons=reasons,
                    model_version=self.model_version,
                    safety_raised=raised,
                    model_urgency=model_urgency,
                    details=details,
                    check_soon=check_soon,
                )
            )
        return predictions

    def _top_terms(
        self, X: Any, labels: np.ndarray, weights: np.ndarray
    ) -> list[list[tuple[str, float]]]:
        """Per row, the word n-grams pushing hardest towards its label (tf-idf x coefficient)."""
        n_rows = X.shape[0]
        rows = np.repeat(np.arange(n_rows), np.diff(X.indptr))
        cols, values = X.indices, X.data  # the word block: its columns come first in X
        contrib = values * weights[labels[rows], cols]
        positive = (contrib > 0) & self._readable[cols]
        rows, cols, contrib = rows[positive], cols[positive], contrib[positive]
        # one sort groups the rows and puts each row's strongest terms first
        span = float(contrib.max()) + 1.0 if len(contrib) else 1.0
        order = np.argsort(rows * span - contrib, kind="stable")
        rows, cols, contrib = rows[order], cols[order], contrib[order]
        starts = np.searchsorted(rows, np.arange(n_rows))
        rank = np.arange(len(rows)) - starts[rows]
        keep = rank < TOP_TERMS
        out: list[list[tuple[str, float]]] = [[] for _ in range(n_rows)]
        names = self._word_names
        for row, col, value in zip(
            rows[keep].tolist(), cols[keep].tolist(), contrib[keep].tolist(), strict=True
        ):
            out[row].append((names[col], value))
        return out


def linear_probabilities(head: Any, X: Any) -> np.ndarray:
    """A linear head's predict_proba, without scikit-learn's per-call checks."""
    # Input validation costs about 0.3 ms per head and call, a fifth of scoring one comment
    # at intake; the features are ours and already checked, so compute softmax(Xw + b).
    if len(head.classes_) <= 2:
        return head.predict_proba(X)
    scores = np.asarray(X @ head.coef_.T) + head.intercept_
    if hasattr(head, "proba_from_scores"):  # the one-vs-rest topic head (classifier.heads)
        return head.proba_from_scores(scores)
    scores -= scores.max(axis=1, keepdims=True)
    np.exp(scores, out=scores)
    scores /= scores.sum(axis=1, keepdims=True)
    return scores


def decide_urgency(urgency_proba: np.ndarray, threshold: float) -> np.ndarray:
    """Indices into URGENCIES: urgent at or above threshold, else argmax of the others."""
    urgent_col = URGENCIES.index(URGENT)
    others = urgency_proba.copy()
    others[:, urgent_col] = -np.inf
    decided = others.argmax(axis=1)
    decided[urgency_proba[:, urgent_col] >= threshold] = urgent_col
    return decided


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _major_minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def save_model(model: TriageModel, path: Path, extra_metadata: dict | None = None) -> dict:
    """Write the artifact with skops plus its metadata sidecar; return the sidecar dict."""
    import sklearn
    import skops
    import skops.io as sio

    payload = {
        "format": FORMAT_VERSION,
        "model_version": model.model_version,
        "urgencies": list(URGENCIES),
        "topics": list(TOPICS),
        "urgent_threshold": model.urgent_threshold,
        "check_soon_threshold": model.check_soon_threshold,
        "features": model.features,
        "urgency_head": model.urgency_head,
        "topic_head": model.topic_head,
    }
    data = sio.dumps(payload)
    unexpected = sorted(set(sio.get_untrusted_types(data=data)) - ALLOWED_TYPES)
    if unexpected:
        raise ModelLoadError(f"refusing to save types outside the allow-list: {unexpected}")
    path = Path(path)
    meta = {
        "format": FORMAT_VERSION,
        "model_version": model.model_version,
        "artifact": path.name,
        "sha256": _sha256(data),
        "size_bytes": len(data),
        "urgent_threshold": model.urgent_threshold,
        "check_soon_threshold": model.check_soon_threshold,
        "sklearn_version": sklearn.__version__,
        "skops_version": skops.__version__,
        "numpy_version": np.__version__,
        **(extra_metadata or {}),
    }
    _atomic_write(path, data)
    _atomic_write(sidecar_path(path), (json.dumps(meta, indent=2) + "\n").encode("utf-8"))
    return meta


def load_model(
    path: Path | str | None = None, *, expected_version: str | None = None
) -> TriageModel:
    """Load and verify a model artifact (or the default one); refuse anything tampered."""
    path = Path(path) if path is not None else DEFAULT_MODEL_PATH
    if path.is_dir():
        path = path / ARTIFACT_NAME
    if not path.is_file():
        raise ModelNotFoundError(path)
    # Imported only now: a missing model costs no scikit-learn import.
    import sklearn

    from .artifact import UntrustedArtifactTypes, read_artifact

    meta_path = sidecar_path(path)
    retrain = "Retrain with `make model` or `python -m classifier train`."
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ModelLoadError(f"{meta_path} is missing, so {path} cannot be verified. {retrain}") \
            from exc
    except (OSError, ValueError) as exc:
        raise ModelLoadError(f"{meta_path} is unreadable ({exc}). {retrain}") from exc
    if not isinstance(meta, dict) or meta.get("format") != FORMAT_VERSION:
        got = meta.get("format") if isinstance(meta, dict) else None
        raise ModelLoadError(
            f"{path}: artifact format {got!r} does not match this code's {FORMAT_VERSION}. "
            f"{retrain}"
        )
    data = path.read_bytes()
    if _sha256(data) != meta.get("sha256"):
        raise ModelLoadError(
            f"{path}: SHA-256 checksum does not match {meta_path.name}; the file was modified or "
            f"is incomplete. Refusing to load it. {retrain}"
        )
    trained_with = str(meta.get("sklearn_version", "?"))
    if _major_minor(trained_with) != _major_minor(sklearn.__version__):
        raise ModelLoadError(
            f"{path} was trained with scikit-learn {trained_with} but {sklearn.__version__} is "
            f"installed. {retrain}"
        )
    if expected_version is not None and meta.get("model_version") != expected_version:
        raise ModelLoadError(
            f"{path} holds model {meta.get('model_version')!r}, expected {expected_version!r}."
        )
    try:
        payload = read_artifact(data, ALLOWED_TYPES)
    except UntrustedArtifactTypes as exc:
        raise ModelLoadError(f"{path} contains {exc}") from exc
    except Exception as exc:  # skops raises many kinds of errors on a broken file
        raise ModelLoadError(f"{path} could not be read by skops: {exc}. {retrain}") from exc
    if not isinstance(payload, dict) or payload.get("format") != FORMAT_VERSION:
        raise ModelLoadError(f"{path}: unexpected artifact content. {retrain}")
    if payload.get("model_version") != meta.get("model_version"):
        raise ModelLoadError(
            f"{path}: model version {payload.get('model_version')!r} does not match "
            f"{meta_path.name} ({meta.get('model_version')!r}). {retrain}"
        )
    labels = (tuple(payload.get("urgencies", ())), tuple(payload.get("topics", ())))
    if labels != (URGENCIES, TOPICS):
        raise ModelLoadError(f"{path}: labels differ from the labelling guide's. {retrain}")
    return TriageModel(
        features=payload["features"],
        urgency_head=payload["urgency_head"],
        topic_head=payload["topic_head"],
        urgent_threshold=payload["urgent_threshold"],
        model_version=payload["model_version"],
        check_soon_threshold=payload.get("check_soon_threshold"),
    )

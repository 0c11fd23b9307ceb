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

from . import safety
from .errors import ModelLoadError, ModelNotFoundError
from .labels import TOPICS, URGENCIES, URGENT
from .prediction import Prediction

ARTIFACT_NAME = "triage-model.skops"
FORMAT_VERSION = 1
DEFAULT_MODEL_DIR = Path(__file__).resolve().parent / "artifacts"
DEFAULT_MODEL_PATH = DEFAULT_MODEL_DIR / ARTIFACT_NAME
TOP_TERMS = 3
# Function words and contraction fragments say nothing to a reader; explanations skip terms
# made only of these (the model still uses them). Negations and words like "again", "first",
# "back" or "still" carry meaning here and are kept.
FUNCTION_WORDS = frozenset("""
a an the and or but if so as to of in on at by for with from into about than then up out
is are was were be been being am do does did have has had will would can could should may
might must shall i me my mine myself we us our you your he him his she her it its they them
their this that these those there here what which who whom how when why where just also very
really much many some any all each such own same too only ve re ll im ive id don didn doesn
haven hasn hadn isn aren wasn weren won wouldn couldn shouldn ain get got go going one lot
""".split())

# Types the artifact may hold beyond skops' defaults (which cover scikit-learn and numpy):
# only our own feature transformer. Anything else in a file makes loading fail.
ALLOWED_TYPES: frozenset[str] = frozenset({"classifier.features.TextFeatures"})


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
    ) -> None:
        self.features = features
        self.urgency_head = urgency_head
        self.topic_head = topic_head
        self.urgent_threshold = float(urgent_threshold)
        self.model_version = model_version
        self._urgency_order = self._column_order(urgency_head, URGENCIES)
        self._topic_order = self._column_order(topic_head, TOPICS)
        self._urgency_weights = self._centred_weights(urgency_head, self._urgency_order)
        self._topic_weights = self._centred_weights(topic_head, self._topic_order)
        names = [str(n) for n in features.word_vectorizer_.get_feature_names_out()]
        self._word_names = names
        self._readable = np.array(
            [not all(token in FUNCTION_WORDS for token in name.split()) for name in names]
        )

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

        word, char = self.features.transform_blocks(bodies)
        X = sp.hstack([word, char], format="csr")
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
        urgency_terms = self._top_terms(word_X, urgency_idx, self._urgency_weights)
        topic_terms = self._top_terms(word_X, topic_idx, self._topic_weights)
        urgency_rows = urgency_p.tolist()
        topic_rows = topic_p.tolist()
        urgent_col = URGENCIES.index(URGENT)
        predictions = []
        for row, body in enumerate(bodies):
            model_urgency = URGENCIES[urgency_idx[row]]
            topic = TOPICS[topic_idx[row]]
            hits = safety.check(body) if use_safety else []
            urgency, raised = safety.raise_urgency(model_urgency, hits)
            details: list[dict[str, object]] = [hit.to_dict() for hit in hits]
            reasons = [hit.reason() for hit in hits]
            if raised:
                reasons.append(
                    f"urgency raised to urgent by the safety rules (model said {model_urgency}, "
                    f"P(urgent)={urgency_rows[row][urgent_col]:.2f})"
                )
            for head, label, terms in (
                ("urgency", model_urgency, urgency_terms[row]),
                ("topic", topic, topic_terms[row]),
            ):
                if not terms:
                    continue
                quoted = ", ".join(f'"{term}"' for term, _ in terms)
                reasons.append(f"{head} {label}: words that weighed most: {quoted}")
                details.extend(
                    {"kind": "term", "head": head, "label": label, "term": term,
                     "weight": round(weight, 4)}
                    for term, weight in terms
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
    """The multinomial logistic head's predict_proba, without scikit-learn's per-call checks."""
    # Input validation costs about 0.3 ms per head and call, a fifth of scoring one comment
    # at intake; the features are ours and already checked, so compute softmax(Xw + b).
    if len(head.classes_) <= 2:
        return head.predict_proba(X)
    scores = np.asarray(X @ head.coef_.T) + head.intercept_
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
    )

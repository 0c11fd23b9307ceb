"""Reading a skops artifact while importing only what scoring needs.

`import skops.io` builds its list of default trusted types by calling scikit-learn's
`all_estimators()`, which imports every scikit-learn module (and pytest): seconds of CPU in every
fresh worker. The artifact holds only the types below, so skops is imported with that discovery
answered by this explicit list, and `loads` is given the same list as its trusted types. Any other
type in a file is refused.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterable
from typing import Any

# The scikit-learn estimators a triage artifact holds. A new kind of head in train.py must be
# added here, or loading its artifact fails with "outside the allow-list".
SCORING_ESTIMATORS: tuple[tuple[str, str], ...] = (
    ("sklearn.linear_model", "LogisticRegression"),
)

_import_lock = threading.Lock()


class UntrustedArtifactTypes(Exception):
    """The artifact holds types that are not on the allow-list."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"types outside the allow-list ({detail})")


def _scoring_estimator_classes() -> list[tuple[str, type]]:
    import importlib

    return [(name, getattr(importlib.import_module(module), name))
            for module, name in SCORING_ESTIMATORS]


def scoring_type_names() -> list[str]:
    """The fully qualified names of the scoring estimators (as skops names types)."""
    return [f"{cls.__module__}.{cls.__qualname__}" for _, cls in _scoring_estimator_classes()]


def skops_io() -> Any:
    """Import `skops.io` without its scan of every scikit-learn estimator (if not yet imported)."""
    if "skops.io" in sys.modules:
        return sys.modules["skops.io"]
    with _import_lock:
        if "skops.io" in sys.modules:
            return sys.modules["skops.io"]
        import sklearn.utils

        original = sklearn.utils.all_estimators
        # skops reads this name once, at import, to list its default trusted estimators.
        sklearn.utils.all_estimators = lambda *args, **kwargs: _scoring_estimator_classes()
        try:
            import skops.io
        finally:
            sklearn.utils.all_estimators = original
        return skops.io


def read_artifact(data: bytes, allowed_types: Iterable[str]) -> Any:
    """Deserialize artifact bytes, trusting only the scoring estimators and `allowed_types`."""
    sio = skops_io()
    from skops.io.exceptions import UntrustedTypesFoundException

    trusted = [*scoring_type_names(), *allowed_types]
    try:
        return sio.loads(data, trusted=trusted)
    except UntrustedTypesFoundException as exc:
        raise UntrustedArtifactTypes(str(exc).splitlines()[0]) from exc

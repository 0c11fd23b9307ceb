"""Exceptions raised by the classifier package."""

from __future__ import annotations

TRAIN_HINT = (
    "Train one with `make model`, `flask --app wsgi triage train` or `python -m classifier train`."
)


class ClassifierError(Exception):
    """Base class for every error the classifier package raises on purpose."""


class ModelNotFoundError(ClassifierError, FileNotFoundError):
    """No model artifact at the given path."""

    def __init__(self, path: object) -> None:
        self.path = path
        super().__init__(f"No triage model found at {path}. {TRAIN_HINT}")

    def __str__(self) -> str:
        return self.args[0]


class ModelLoadError(ClassifierError):
    """The artifact exists but is tampered, mismatched or unreadable."""


class CorpusError(ClassifierError, ValueError):
    """A labelled example is malformed; the message names the file and line."""

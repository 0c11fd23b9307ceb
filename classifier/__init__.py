"""Triage model for the moderation queue: urgency and topic for public comments.

Importable without Flask. The app uses:

    from classifier import TriageModel, Prediction, load_model, ModelNotFoundError, ...
    from classifier.train import train_and_save
"""

from .errors import ClassifierError, CorpusError, ModelLoadError, ModelNotFoundError
from .labels import TOPICS, URGENCIES
from .model import DEFAULT_MODEL_PATH, TriageModel, load_model
from .prediction import Prediction

__all__ = [
    "DEFAULT_MODEL_PATH",
    "TOPICS",
    "URGENCIES",
    "ClassifierError",
    "CorpusError",
    "ModelLoadError",
    "ModelNotFoundError",
    "Prediction",
    "TriageModel",
    "load_model",
]

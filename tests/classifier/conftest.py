"""Fixtures for the classifier tests: one model trained per session, plus a small corpus."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest

from classifier import TriageModel, load_model
from classifier.corpus import DATA_DIR, load_corpus
from classifier.model import ARTIFACT_NAME
from tests.helpers import trained_model_dir


@pytest.fixture(scope="session")
def trained_dir() -> Path:
    """The suite's one model (full corpus, default seed), shared with the app tests'
    `triage_model_path`: read it, or use `model_copy` to change it."""
    return trained_model_dir()


@pytest.fixture(scope="session")
def model_path(trained_dir: Path) -> Path:
    """Path of the session model's artifact."""
    return trained_dir / ARTIFACT_NAME


@pytest.fixture(scope="session")
def model(model_path: Path) -> TriageModel:
    """The session model, loaded."""
    return load_model(model_path)


@pytest.fixture(scope="session")
def small_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 160-example stratified sample of the corpus, for quick training tests."""
    rng = random.Random(7)
    examples = [e for examples in load_corpus(DATA_DIR).values() for e in examples]
    by_topic: dict[str, list] = {}
    for e in examples:
        by_topic.setdefault(e.topic, []).append(e)
    sample = []
    for topic in sorted(by_topic):
        urgent = [e for e in by_topic[topic] if e.urgency == "urgent"]
        other = [e for e in by_topic[topic] if e.urgency != "urgent"]
        sample += rng.sample(urgent, min(5, len(urgent))) + rng.sample(other, 13)
    out = tmp_path_factory.mktemp("small-corpus")
    with (out / "small.jsonl").open("w", encoding="utf-8") as handle:
        for e in sample:
            record = {"body": e.body, "urgency": e.urgency, "topic": e.topic}
            handle.write(json.dumps(record) + "\n")
    return out


@pytest.fixture()
def model_copy(trained_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the session artifact and sidecar, safe to tamper with."""
    for name in (ARTIFACT_NAME, "triage-model.json"):
        shutil.copy(trained_dir / name, tmp_path / name)
    return tmp_path / ARTIFACT_NAME

"""The fast TF-IDF transform is exactly scikit-learn's, and the package needs no Flask."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np

from classifier import TriageModel
from classifier.features import questions

ROOT = Path(__file__).resolve().parents[2]
ODD = ["", "   ", "a", "I\u2019m OK", "ünïcödé wörds", "x" * 300, "two\n\nlines\tand tabs",
       "12 38.5"]


def test_fast_transform_equals_scikit_learn(model: TriageModel) -> None:
    """The cached transform gives the same matrix as the fitted TfidfVectorizers."""
    docs = ODD + ["Since my D&C I've been bleeding on and off, is that normal?"] * 3
    fast = model.features.transform(docs)
    reference = model.features.reference_transform(docs)
    assert fast.shape == reference.shape
    assert np.abs((fast - reference).toarray()).max() < 1e-12


def test_pipelines_reproduce_model_probabilities(model: TriageModel) -> None:
    """The heads as scikit-learn Pipelines give the model's probabilities."""
    pipes = model.pipelines()
    urgency, topic, _ = model.probabilities(ODD)
    order = [list(pipes["urgency"].classes_).index(u) for u in ("urgent", "priority", "routine")]
    assert np.allclose(pipes["urgency"].predict_proba(ODD)[:, order], urgency)
    assert pipes["topic"].predict_proba(ODD).shape == topic.shape


def test_package_imports_without_flask() -> None:
    """Importing and using the classifier never imports flask or the app."""
    code = (
        "import sys, classifier, classifier.train, classifier.cli, classifier.safety;"
        "assert 'flask' not in sys.modules and 'moderation' not in sys.modules, sorted(sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_only_the_sentences_that_ask_make_the_question_block() -> None:
    """A comment's questions are its sentences ending in '?'; a comment that asks none has none."""
    assert questions("we lost her in may. is the helpline open at weekends? thanks x") == (
        " is the helpline open at weekends?"
    )
    assert questions("so sad today. thank you all") == ""


def test_question_block_holds_only_the_words_of_the_question(model: TriageModel) -> None:
    """The question columns of a comment come from the words of its question, not its story."""
    names = model.features.get_feature_names_out()
    row = model.features.transform(["The bleeding has stopped. Can I go back to work?"])
    asked = {str(names[c]) for c in row.indices if str(names[c]).startswith("question:")}
    assert asked and all(
        set(name.removeprefix("question:").split()) <= {"can", "go", "back", "to", "work"}
        for name in asked
    )

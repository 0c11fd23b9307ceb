"""The labelled corpus loader and the merging of midwives' corrections."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from classifier import TOPICS, URGENCIES, CorpusError
from classifier.corpus import (
    Example,
    build_training_set,
    load_corpus,
    load_jsonl,
    normalise_body,
    validate_extra,
)


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_shipped_corpus_is_valid_and_covers_every_label() -> None:
    """Every shipped file validates and every urgency and topic has examples."""
    examples = [e for ex in load_corpus().values() for e in ex]
    assert len(examples) > 900
    assert {e.urgency for e in examples} == set(URGENCIES)
    assert {e.topic for e in examples} == set(TOPICS)


def test_bad_label_error_names_file_and_line(tmp_path: Path) -> None:
    """An unknown label is reported with its file and line number."""
    path = _write(tmp_path / "c.jsonl", [
        json.dumps({"body": "ok", "urgency": "routine", "topic": "other"}),
        json.dumps({"body": "hi", "urgency": "urgnt", "topic": "other"}),
    ])
    with pytest.raises(CorpusError, match=r"c\.jsonl:2: unknown urgency 'urgnt'"):
        load_jsonl(path)


def test_bad_json_and_missing_body_are_all_reported(tmp_path: Path) -> None:
    """All bad lines are listed, each with its line number."""
    path = _write(tmp_path / "c.jsonl", [
        "{not json",
        json.dumps({"urgency": "routine", "topic": "other"}),
        json.dumps({"body": "x", "urgency": "routine", "topic": "gossip"}),
    ])
    with pytest.raises(CorpusError) as err:
        load_jsonl(path)
    message = str(err.value)
    assert "c.jsonl:1: invalid JSON" in message
    assert "c.jsonl:2: 'body'" in message
    assert "c.jsonl:3: unknown topic 'gossip'" in message


def test_blank_lines_are_ignored(tmp_path: Path) -> None:
    """Blank lines in a corpus file are not errors."""
    path = _write(tmp_path / "c.jsonl", ["", json.dumps({"body": "a", "urgency": "routine",
                                                         "topic": "other"}), "  "])
    assert len(load_jsonl(path)) == 1


def test_bad_correction_names_its_position() -> None:
    """A malformed correction dict is reported with its position."""
    with pytest.raises(CorpusError, match="item 2"):
        validate_extra([{"body": "a", "urgency": "routine", "topic": "other"},
                        {"body": "b", "urgency": "later", "topic": "other"}])


def test_normalised_body_ignores_case_quotes_and_spacing() -> None:
    """Bodies differing only by case, curly quotes or spaces share a key."""
    assert normalise_body("  I\u2019m  FINE\n") == normalise_body("i'm fine")


def test_correction_wins_over_corpus() -> None:
    """A correction replaces the corpus example with the same normalised body."""
    corpus = {"a.jsonl": [Example("Is this normal?", "routine", "bleeding", "a.jsonl:1"),
                          Example("Other", "routine", "other", "a.jsonl:2")]}
    extra = validate_extra([{"body": "is this  NORMAL?", "urgency": "priority",
                             "topic": "first_period"}])
    training = build_training_set(corpus, extra)
    labels = {normalise_body(e.body): (e.urgency, e.topic) for e in training.examples}
    assert labels[normalise_body("Is this normal?")] == ("priority", "first_period")
    assert len(training.examples) == 2
    assert training.corrections_applied == 1 and training.extra_added == 0


def test_corpus_duplicates_keep_the_first() -> None:
    """Within the corpus, the first occurrence of a body is kept and duplicates counted."""
    corpus = {"a.jsonl": [Example("Same", "routine", "other"), Example("same ", "urgent", "other")]}
    training = build_training_set(corpus)
    assert [e.urgency for e in training.examples] == ["routine"]
    assert training.duplicates_dropped == 1 and training.conflicting_duplicates == 1


def test_the_corpus_has_two_thousand_comments_and_a_separate_frozen_test_file() -> None:
    """At least 2,000 training comments, plus >= 300 frozen ones that are not among them."""
    from classifier.corpus import FROZEN_TEST_PATH, frozen_keys

    training = build_training_set(load_corpus())
    assert len(training.examples) >= 2000
    frozen = frozen_keys()
    assert len(frozen) >= 300
    assert FROZEN_TEST_PATH.parent.name == "frozen"  # out of load_corpus' *.jsonl glob
    assert not frozen & {normalise_body(e.body) for e in training.examples}


def test_training_drops_a_frozen_comment_even_when_it_comes_back_as_a_correction(
        tmp_path: Path) -> None:
    """A frozen test comment never reaches training, from the corpus or from corrections."""
    from classifier.corpus import frozen_keys, load_frozen_test

    frozen_body = load_frozen_test()[0].body
    data = _write(tmp_path / "c.jsonl", [
        json.dumps({"body": frozen_body.upper(), "urgency": "routine", "topic": "other"}),
        json.dumps({"body": "a normal training comment", "urgency": "routine", "topic": "other"}),
    ])
    extra = [Example(frozen_body, "urgent", "bleeding", "extra item 1")]
    training = build_training_set({data.name: load_jsonl(data)}, extra, exclude=frozen_keys())
    assert [e.body for e in training.examples] == ["a normal training comment"]
    assert training.frozen_excluded == 1

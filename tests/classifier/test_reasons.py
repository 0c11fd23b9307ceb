"""Reasons a midwife reads in one glance: phrases from the comment, never bare numbers."""

from __future__ import annotations

import re

import pytest

from classifier import TriageModel
from classifier.reasons import FUNCTION_WORDS, is_bare_probability, quote, readable, short_reason

BODIES = [
    "getting cramps twice a day, do they stop after the first period?",
    "I'm soaking a pad every hour and feel faint",
    "bleeding is light and brown, no fever, is that normal at two weeks?",
    "thank you so much for this page x",
    "lost our baby at 9 weeks and I can't stop crying, is this normal",
    "when can we try again after the erpc",
    "ok",
]
_QUOTED = re.compile(r"\u201c([^\u201d]+)\u201d")


def test_stop_word_phrases_are_never_readable():
    assert not readable("do stop")
    assert not readable("getting")
    assert not readable("twice")
    assert not readable("12")
    assert readable("soaking")
    assert readable("feel faint")


def test_model_reasons_quote_phrases_that_start_and_end_with_content_words(model: TriageModel):
    for prediction in model.predict_many(BODIES):
        for reason in prediction.reasons:
            assert not is_bare_probability(reason), reason
            assert not re.search(r"\d\.\d", reason), reason
            for phrase in _QUOTED.findall(reason):
                words = phrase.lower().split()
                assert words[0] not in FUNCTION_WORDS and words[-1] not in FUNCTION_WORDS, reason


def test_quoted_phrases_are_the_writers_own_words(model: TriageModel):
    body = "Soaking a pad every hour, feel FAINT"
    [prediction] = model.predict_many([body])
    for reason in prediction.reasons:
        for phrase in _QUOTED.findall(reason):
            assert phrase in body


def test_a_rule_that_raised_the_comment_is_said_in_words(model: TriageModel):
    body = "I have taken 20 paracetamol tablets an hour ago"
    [prediction] = model.predict_many([body])
    if prediction.safety_raised:
        assert any("raised by a red-flag rule; the model alone would say "
                   f"{prediction.model_urgency}" == r for r in prediction.reasons)
    [plain] = model.predict_many([body], use_safety=False)
    assert not any("red-flag" in r for r in plain.reasons)


@pytest.mark.parametrize("reasons, expected", [
    (["P(urgent)=0.01", "model says routine because of \u201cthank\u201d"],
     "model says routine because of \u201cthank\u201d"),
    ([{"rule": "x"}, "", "topic bleeding"], "topic bleeding"),
    ([], ""),
    (None, ""),
])
def test_the_queue_row_gets_the_first_readable_reason(reasons, expected):
    assert short_reason(reasons) == expected


def test_a_long_reason_is_cut_at_a_word_boundary():
    text = "model says urgent because of " + ", ".join(["\u201csoaking\u201d"] * 20)
    short = short_reason([text], limit=60)
    assert len(short) <= 60 and short.endswith("\u2026")
    assert not short[:-1].endswith(" ")


def test_every_prediction_gives_the_queue_one_short_reason(model: TriageModel):
    for prediction in model.predict_many(BODIES):
        assert short_reason(prediction.reasons)


@pytest.mark.parametrize(
    ("body", "term", "expected"),
    [
        ("Soaking a PAD a  Day, pads all night", "pad day", "PAD a  Day"),  # "a" is no word
        ("pads every hour, then a Pad every hour", "pad every", "Pad every"),  # whole words only
        ("my pad_a day", "pad day", "pad day"),  # pad_a is one word: not in the comment
        ("Brauch ich ein Pad? Pad  Day.", "pad day", "Pad  Day"),
        ("Pad\u00e9 day, PAD day", "pad day", "PAD day"),  # not ASCII: the word-by-word path
    ],
)
def test_a_term_is_quoted_as_the_writer_typed_its_first_whole_occurrence(body, term, expected):
    """Quotes keep the writer's case and spacing and match whole consecutive words only."""
    assert quote(body, term) == expected

"""Forms of the safeguarding route."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, TextAreaField


class ConcernForm(FlaskForm):
    """A midwife's safeguarding concern about a comment."""

    concern = TextAreaField("What worries you (only the lead and supervisors read it)")


class RecordForm(FlaskForm):
    """The lead's decision, actions and outcome; closing needs an outcome."""

    decision = TextAreaField("Decision")
    actions = TextAreaField("Actions taken")
    outcome = TextAreaField("Outcome")
    close = BooleanField("Close the record (needs an outcome)")

"""The export form: which answered threads to download, and in which format."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SubmitField
from wtforms.validators import Optional

from classifier.labels import TOPICS
from moderation.forms import choices
from moderation.forms.reports import PlainDateField
from moderation.rules import EXPORT_FORMATS

FORMAT_LABELS = {"csv": "CSV (Excel)", "json": "JSON", "jsonl": "JSON Lines"}


class ThreadExportForm(FlaskForm):
    """What to export: format, first-reply dates, topic, pseudonymisation."""

    format = SelectField("Format", choices=choices([(f, FORMAT_LABELS[f]) for f in EXPORT_FORMATS]),
                         default="csv", validate_choice=False)
    date_from = PlainDateField("First reply from", validators=[Optional()])
    date_to = PlainDateField("First reply to", validators=[Optional()])
    topic = SelectField("Topic", choices=choices([("", "All topics")] + [(t, t) for t in TOPICS]),
                        default="", validate_choice=False)
    pseudonymise = BooleanField("Pseudonymise: drop emails and replace commenters' names")
    submit = SubmitField("Download answered threads")

    def prefill(self, date_from: date | None, date_to: date | None) -> ThreadExportForm:
        """Start from the report's period when nothing was typed yet."""
        if self.date_from.data is None and self.date_to.data is None:
            self.date_from.data, self.date_to.data = date_from, date_to
        return self

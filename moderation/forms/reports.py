"""The report period form and the export form."""

from __future__ import annotations

from datetime import date, datetime

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, RadioField, SelectField, SubmitField
from wtforms.validators import Optional

from classifier.labels import TOPICS
from moderation.forms import choices
from moderation.services.exports import EXPORT_FORMATS

PERIOD_CHOICES = [("7", "Last 7 days"), ("30", "Last 30 days"), ("90", "Last 90 days"),
                  ("custom", "Custom range")]
FORMAT_LABELS = {"csv": "CSV (Excel)", "json": "JSON", "jsonl": "JSON Lines"}


class PlainDateField(DateField):
    """A YYYY-MM-DD date whose parse error says what to type."""

    def process_formdata(self, valuelist: list[str]) -> None:
        text = " ".join(valuelist).strip() if valuelist else ""
        if not text:
            self.data = None
            return
        try:
            self.data = datetime.strptime(text, "%Y-%m-%d").date()
        except ValueError:
            self.data = None
            raise ValueError(
                f"{text!r} is not a valid date: use the date picker or YYYY-MM-DD."
            ) from None
        if not 1970 <= self.data.year <= 2999:
            # 9999-12-31 plus the day that ends the range would overflow.
            self.data = None
            raise ValueError(f"{text!r} is out of range: choose a year from 1970 to 2999.")


class ReportPeriodForm(FlaskForm):
    """Which period the reports cover (a GET form: it changes nothing)."""

    class Meta:
        csrf = False

    period = RadioField("Period", choices=choices(PERIOD_CHOICES), default="30",
                        validate_choice=False)
    date_from = PlainDateField("From", validators=[Optional()])
    date_to = PlainDateField("To", validators=[Optional()])
    submit = SubmitField("Show")


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

"""The report period form."""

from __future__ import annotations

from datetime import datetime

from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SubmitField
from wtforms.validators import Optional

from moderation.forms import choices

PERIOD_CHOICES = [("7", "Last 7 days"), ("30", "Last 30 days"), ("90", "Last 90 days"),
                  ("custom", "Custom range")]


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

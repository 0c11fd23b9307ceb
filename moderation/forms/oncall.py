"""Forms of the on-call rota and the alerts page."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateTimeLocalField, SelectField, StringField, TimeField
from wtforms.validators import DataRequired, Length, Optional

from moderation.forms import choices
from moderation.rules import WEEKDAYS


class ShiftForm(FlaskForm):
    """A weekly shift."""

    weekday = SelectField("Day", choices=choices(list(enumerate(WEEKDAYS))), coerce=int)
    starts = TimeField("From", validators=[DataRequired("Give the time the shift starts.")])
    ends = TimeField("To", validators=[DataRequired("Give the time the shift ends.")])
    user_id = SelectField("Who", coerce=int, choices=[])


class OverrideForm(FlaskForm):
    """A one-off cover that replaces the weekly rota for its period."""

    starts_at = DateTimeLocalField("From", format="%Y-%m-%dT%H:%M",
                                   validators=[DataRequired("Give when the cover starts.")])
    ends_at = DateTimeLocalField("To", format="%Y-%m-%dT%H:%M",
                                 validators=[DataRequired("Give when the cover ends.")])
    user_id = SelectField("Who", coerce=int, choices=[])
    note = StringField("Note", validators=[Optional(), Length(max=200)])


class ChannelsForm(FlaskForm):
    """Where one person is alerted."""

    user_id = SelectField("Who", coerce=int, choices=[])
    email = StringField("Alert email (empty: her sign-in email)",
                        validators=[Optional(), Length(max=254)])
    email_enabled = BooleanField("Email", default=True)
    webhook_enabled = BooleanField("Webhook (chat or SMS gateway)")

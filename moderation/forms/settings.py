"""The supervisor's service settings form: reply targets, working hours and the claim lease."""

from __future__ import annotations

from datetime import time
from typing import Any

from flask_wtf import FlaskForm
from wtforms import FloatField, IntegerField, SelectMultipleField, SubmitField, TimeField
from wtforms.validators import InputRequired, NumberRange, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from moderation.forms import choices
from moderation.rules import POLICY_BOUNDS, WEEKDAYS

WEEKDAY_CHOICES = list(enumerate(WEEKDAYS))


def _within(name: str) -> NumberRange:
    """The setting's bounds, as the service checks them too (moderation/rules.py)."""
    low, high, unit = POLICY_BOUNDS[name]
    return NumberRange(min=low, max=high, message=f"Between {low:g} and {high:g} {unit}.")


class MultiCheckboxField(SelectMultipleField):
    """A set of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SettingsForm(FlaskForm):
    """Reply targets, working hours and the claim lease."""

    urgent_target_minutes = IntegerField(
        "Urgent: reply within (minutes, any time of day)",
        validators=[InputRequired("Give the urgent reply target in minutes."),
                    _within("urgent_target_minutes")])
    priority_target_working_hours = FloatField(
        "Priority: reply within (working hours)",
        validators=[InputRequired("Give the priority reply target in working hours."),
                    _within("priority_target_working_hours")])
    routine_target_working_days = FloatField(
        "Routine: reply within (working days)",
        validators=[InputRequired("Give the routine reply target in working days."),
                    _within("routine_target_working_days")])
    workday_start = TimeField("Working day starts", validators=[
        InputRequired("Give the time the working day starts (HH:MM).")])
    workday_end = TimeField("Working day ends", validators=[
        InputRequired("Give the time the working day ends (HH:MM).")])
    working_weekdays = MultiCheckboxField("Working days", choices=choices(WEEKDAY_CHOICES),
                                          coerce=int)
    claim_timeout_minutes = IntegerField(
        "A claim lapses after (idle minutes)",
        validators=[InputRequired("Give the claim timeout in minutes."),
                    _within("claim_timeout_minutes")])
    submit = SubmitField("Save settings")

    def validate_working_weekdays(self, field: MultiCheckboxField) -> None:
        if not field.data:
            raise ValidationError("Choose at least one working day.")

    def validate_workday_end(self, field: TimeField) -> None:
        if self.workday_start.data and field.data and field.data <= self.workday_start.data:
            raise ValidationError("The working day must end after it starts.")

    def fill_from(self, settings: dict[str, Any]) -> None:
        """Show the settings in force."""
        for name in ("urgent_target_minutes", "priority_target_working_hours",
                     "routine_target_working_days", "claim_timeout_minutes"):
            getattr(self, name).data = settings[name]
        self.workday_start.data = time.fromisoformat(settings["workday_start"])
        self.workday_end.data = time.fromisoformat(settings["workday_end"])
        self.working_weekdays.data = [int(d) for d in settings["working_weekdays"]]

    def changes(self, settings: dict[str, Any]) -> dict[str, Any]:
        """The submitted values that differ from the stored settings, in stored form."""
        submitted = {
            "urgent_target_minutes": int(self.urgent_target_minutes.data),
            "priority_target_working_hours": float(self.priority_target_working_hours.data),
            "routine_target_working_days": float(self.routine_target_working_days.data),
            "workday_start": self.workday_start.data.strftime("%H:%M"),
            "workday_end": self.workday_end.data.strftime("%H:%M"),
            "working_weekdays": sorted(set(self.working_weekdays.data)),
            "claim_timeout_minutes": int(self.claim_timeout_minutes.data),
        }
        return {key: value for key, value in submitted.items() if value != settings[key]}

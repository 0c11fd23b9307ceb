"""Forms of the queue: filters (GET), take-next, release, relabel and the service settings."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    FloatField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TimeField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from moderation.forms import choices
from moderation.services.queue import MAX_SEARCH_CHARS, CursorError, decode_cursor

try:
    from classifier import TOPICS, URGENCIES
except ImportError:  # the package may not re-export its label names (yet)
    from classifier.labels import TOPICS, URGENCIES

STATUS_CHOICES = [
    ("pending", "Waiting for a reply"),
    ("mine", "Being answered by me"),
    ("published", "Published"),
    ("rejected", "Rejected"),
    ("spam", "Spam"),
]
WEEKDAY_CHOICES = [(0, "Monday"), (1, "Tuesday"), (2, "Wednesday"), (3, "Thursday"),
                   (4, "Friday"), (5, "Saturday"), (6, "Sunday")]


def label_words(name: str) -> str:
    """A label name as people read it: 'first_period' -> 'first period'."""
    return name.replace("_", " ")


class FilterChoice(SelectField):
    """A select whose unknown values get a message naming what was wrong."""

    def pre_validate(self, form: Any) -> None:
        if self.data in (None, ""):
            return
        if self.data not in {choice.value for choice in self.choices}:
            raise ValidationError(
                f"Unknown {self.label.text.lower()} “{self.data}”: choose one from the list.")


class QueueFilterForm(FlaskForm):
    """The queue's filters, read from the query string (no CSRF: reading changes nothing)."""

    class Meta:
        csrf = False

    status = FilterChoice("Status", choices=choices(STATUS_CHOICES), default="pending")
    urgency = FilterChoice("Urgency", choices=choices(
        [("", "Any urgency")] + [(u, label_words(u)) for u in URGENCIES]), default="")
    topic = FilterChoice("Topic", choices=choices(
        [("", "Any topic")] + [(t, label_words(t)) for t in TOPICS]), default="")
    page = FilterChoice("Page", choices=choices([("", "Any page")]), default="")
    q = StringField("Search", validators=[Optional(), Length(
        max=MAX_SEARCH_CHARS, message=f"Search for at most {MAX_SEARCH_CHARS} characters.")])
    after = StringField("After", validators=[Optional()])

    def set_pages(self, pages: list[Any]) -> None:
        """Offer the article pages that exist."""
        self.page.choices = choices([("", "Any page")] + [(p.id, p.title) for p in pages])

    def validate_q(self, field: StringField) -> None:
        if field.data and any(ord(ch) < 32 for ch in field.data):
            raise ValidationError("Search for plain words: control characters cannot be used.")

    def validate_after(self, field: StringField) -> None:
        if field.data:
            try:
                decode_cursor(field.data, self.status.data or "pending")
            except CursorError as exc:
                raise ValidationError(str(exc)) from exc

    def filter_values(self) -> dict[str, Any]:
        """The validated filters, as the service's QueueFilters fields."""
        return {
            "status": self.status.data or "pending",
            "urgency": self.urgency.data or None,
            "topic": self.topic.data or None,
            "page_id": int(self.page.data) if self.page.data else None,
            "search": (self.q.data or "").strip(),
        }

    def query_args(self, **changes: Any) -> dict[str, str]:
        """The current filters as query-string arguments (empty ones left out)."""
        args = {"status": self.status.data, "urgency": self.urgency.data,
                "topic": self.topic.data, "page": self.page.data, "q": self.q.data}
        args.update(changes)
        return {k: v for k, v in args.items() if v and not (k == "status" and v == "pending")}


class TakeNextForm(FlaskForm):
    """The "Take next" button."""

    submit = SubmitField("Take next")


class ReleaseForm(FlaskForm):
    """Give a claim back."""

    next = HiddenField()
    submit = SubmitField("Release")


class RelabelForm(FlaskForm):
    """Correct a comment's urgency and topic."""

    urgency = SelectField("Urgency", choices=choices([(u, label_words(u)) for u in URGENCIES]),
                          validators=[InputRequired()])
    topic = SelectField("Topic", choices=choices([(t, label_words(t)) for t in TOPICS]),
                        validators=[InputRequired()])
    expected_version = IntegerField(validators=[Optional()])
    next = HiddenField()
    submit = SubmitField("Save labels")


class MultiCheckboxField(SelectMultipleField):
    """A set of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SettingsForm(FlaskForm):
    """Reply targets, working hours and the claim lease."""

    urgent_target_minutes = IntegerField(
        "Urgent: reply within (minutes, any time of day)",
        validators=[InputRequired("Give the urgent reply target in minutes."),
                    NumberRange(min=5, max=24 * 60, message="Between 5 and 1440 minutes.")])
    priority_target_working_hours = FloatField(
        "Priority: reply within (working hours)",
        validators=[InputRequired("Give the priority reply target in working hours."),
                    NumberRange(min=0.25, max=80, message="Between 0.25 and 80 working hours.")])
    routine_target_working_days = FloatField(
        "Routine: reply within (working days)",
        validators=[InputRequired("Give the routine reply target in working days."),
                    NumberRange(min=0.25, max=30, message="Between 0.25 and 30 working days.")])
    workday_start = TimeField("Working day starts", validators=[
        InputRequired("Give the time the working day starts (HH:MM).")])
    workday_end = TimeField("Working day ends", validators=[
        InputRequired("Give the time the working day ends (HH:MM).")])
    working_weekdays = MultiCheckboxField("Working days", choices=choices(WEEKDAY_CHOICES),
                                          coerce=int)
    claim_timeout_minutes = IntegerField(
        "A claim lapses after (idle minutes)",
        validators=[InputRequired("Give the claim timeout in minutes."),
                    NumberRange(min=1, max=8 * 60, message="Between 1 and 480 minutes.")])
    submit = SubmitField("Save settings")

    def validate_working_weekdays(self, field: MultiCheckboxField) -> None:
        if not field.data:
            raise ValidationError("Choose at least one working day.")

    def validate_workday_end(self, field: TimeField) -> None:
        if self.workday_start.data and field.data and field.data <= self.workday_start.data:
            raise ValidationError("The working day must end after it starts.")

    def fill_from(self, settings: dict[str, Any]) -> None:
        """Show the settings in force."""
        from datetime import time

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

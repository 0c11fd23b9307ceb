"""Forms of the queue: filters (GET), take-next, release and relabel."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from classifier.labels import TOPICS, URGENCIES, label_words
from moderation.forms import choices
from moderation.rules import MAX_SEARCH_CHARS

STATUS_CHOICES = [
    ("pending", "Waiting for a reply"),
    ("mine", "Being answered by me"),
    ("published", "Published"),
    ("rejected", "Rejected"),
    ("spam", "Spam"),
]


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

"""The audit trail's filters, read from the query string."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField
from wtforms.validators import NumberRange, Optional, ValidationError


class AuditFilterForm(FlaskForm):
    """Person, comment, kind and a range of days (no CSRF: reading changes nothing)."""

    class Meta:
        csrf = False

    person = SelectField("Person", choices=[], validate_choice=False, validators=[Optional()])
    comment = IntegerField("Comment number", validators=[Optional(), NumberRange(min=1)])
    kind = SelectField("Kind", choices=[], validate_choice=False, validators=[Optional()])
    date_from = DateField("From", validators=[Optional()])
    date_to = DateField("To", validators=[Optional()])
    before = IntegerField("Before", validators=[Optional(), NumberRange(min=1)])

    def set_choices(self, people: list[Any], kinds: list[str]) -> None:
        """Offer the people and kinds that exist."""
        self.person.choices = [("", "Anyone")] + [(str(p.id), p.name) for p in people]
        self.kind.choices = [("", "Any kind")] + [(kind, kind) for kind in kinds]

    def validate_person(self, field: SelectField) -> None:
        if field.data and field.data not in {value for value, _ in field.choices}:
            raise ValidationError("Unknown person: choose one from the list.")

    def validate_kind(self, field: SelectField) -> None:
        if field.data and field.data not in {value for value, _ in field.choices}:
            raise ValidationError(f"Unknown kind “{field.data}”: choose one from the list.")

    def validate_date_to(self, field: DateField) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("The end date is before the start date.")

    def filter_values(self) -> dict[str, Any]:
        """The valid filters, as the service's AuditFilters fields."""
        return {
            "person_id": int(self.person.data) if self.person.data else None,
            "comment_id": self.comment.data, "kind": self.kind.data or None,
            "date_from": self.date_from.data, "date_to": self.date_to.data,
        }

    def query_args(self) -> dict[str, str]:
        """The filters as query-string arguments, for links and the CSV download."""
        args = {"person": self.person.data, "comment": self.comment.data,
                "kind": self.kind.data, "date_from": self.date_from.data,
                "date_to": self.date_to.data}
        return {key: str(value) for key, value in args.items() if value not in (None, "")}

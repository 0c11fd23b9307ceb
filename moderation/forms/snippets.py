"""Forms of the snippet library."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, Optional
from wtforms.widgets import HiddenInput


class SnippetForm(FlaskForm):
    """A snippet's fields; the service validates them (one set of rules for every caller)."""

    key = StringField("Key (never changes; lower-case letters, digits, _ or -)")
    title = StringField("Title")
    topic = SelectField("Topic", choices=[], validate_choice=False)
    body = TextAreaField("Text")
    clinical_owner_id = SelectField("Clinical owner", choices=[], validate_choice=False)
    review_by = DateField("Review by", validators=[Optional()])
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])


class MoveForm(FlaskForm):
    """Move a snippet one place up or down within its topic."""

    direction = HiddenField(validators=[AnyOf(("up", "down"))])


class ActionForm(FlaskForm):
    """A CSRF-protected button with no fields (retire, restore)."""


class ApprovalForm(FlaskForm):
    """Approve or discard one draft version of a snippet."""

    version = IntegerField(widget=HiddenInput())
    decision = HiddenField(validators=[AnyOf(("approve", "discard"))])


class ReferenceForm(FlaskForm):
    """A guidance document behind a snippet: title, optional link, date checked."""

    ref_title = StringField("Guidance (title)")
    ref_url = StringField("Link (optional)")
    ref_checked_on = DateField("Checked on", validators=[Optional()])

"""Forms of a thread after the first answer: redaction, editing a reply, reasons to unpublish."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional
from wtforms.widgets import HiddenInput


class RedactForm(FlaskForm):
    """The words to remove from the comment, and the comment version they were chosen from."""

    text = StringField("Words to redact")
    expected_version = IntegerField(widget=HiddenInput(), validators=[Optional()])


class EditReplyForm(FlaskForm):
    """The new text of a published reply and the reply version it was written against."""

    body = TextAreaField("Reply text")
    expected_version = IntegerField(
        widget=HiddenInput(),
        validators=[InputRequired("This form is missing the reply's version: open the reply "
                                  "again (copy your text first).")],
    )


class ReasonForm(FlaskForm):
    """A reason, for unpublishing a reply or a thread."""

    reason = TextAreaField("Reason (the public does not see it)")

"""The reply composer's form: one form for publish, preview, reject and spam.

Every action posts the whole form, so whichever button is pressed and whatever is refused, the
midwife's text comes back with the page.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, TextAreaField
from wtforms.validators import InputRequired, Optional
from wtforms.widgets import HiddenInput


class ReplyForm(FlaskForm):
    """The reply text, the comment version it was written against and the snippet used."""

    body = TextAreaField("Your reply")
    expected_version = IntegerField(
        widget=HiddenInput(),
        validators=[InputRequired("This form is missing the comment's version: open the "
                                  "comment again (copy your text first).")],
    )
    snippet_id = IntegerField(widget=HiddenInput(), validators=[Optional()])
    snippet_version = IntegerField(widget=HiddenInput(), validators=[Optional()])
    confirm = BooleanField("I have read this reply through and it is ready to publish")
    reason = TextAreaField("Reason (needed to reject or mark as spam)")
    override_reason = TextAreaField("Publish without an emergency route because… (recorded)")
    # Publishing with identifying details left in the comment needs this tick.
    identifiers_ok = BooleanField("Publish with these details left in: I checked they are safe "
                                  "to show")

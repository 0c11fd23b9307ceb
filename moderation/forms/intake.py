"""The "Add a comment" form of the demo public page."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, StringField, SubmitField, TextAreaField


class PublicCommentForm(FlaskForm):
    """Name, email and comment; the intake service validates them like any API request."""

    # No WTForms validators on purpose: one validation (services.intake) for every way in.
    author_name = StringField("Your name (optional, shown on this page)")
    author_email = EmailField("Your email (optional, never shown)")
    body = TextAreaField("Your comment")
    form_token = HiddenField()
    # "1" once the visitor has seen the red-flag advice and chosen to post anyway.
    confirmed = HiddenField()
    # Set by a thread's "Reply" link: the comment joins that thread as a follow-up.
    in_reply_to = HiddenField()
    submit = SubmitField("Post comment")

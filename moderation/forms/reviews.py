"""Forms of the reply reviews: the reviewer's form, the settings and the weekly sample."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from moderation.forms import choices

YES_NO = choices([("yes", "Yes"), ("no", "No")])


class ReviewForm(FlaskForm):
    """Agree or concern, a note, and the peer-review questions (the service checks them)."""

    verdict = RadioField("Your view", choices=choices([("agree", "Agree"),
                                                       ("concern", "Concern")]),
                         validate_choice=False)
    note = TextAreaField("Note (required for a concern: the author and a supervisor read it)")
    accurate = RadioField("Accurate (clinically correct)", choices=YES_NO, validate_choice=False)
    safe = RadioField("Safe (nothing missed that was urgent)", choices=YES_NO,
                      validate_choice=False)
    safety_netted = RadioField("Safety-netted (says when to seek help, and where)",
                               choices=YES_NO, validate_choice=False)
    kind = RadioField("Kind (warm, no blame)", choices=YES_NO, validate_choice=False)
    on_topic = RadioField("On topic (answers what was asked)", choices=YES_NO,
                          validate_choice=False)


class FourEyesForm(FlaskForm):
    """The rule per high-risk category, and the weekly sampling percentage."""

    private = SelectField("Private-channel replies", validate_choice=False)
    safeguarding = SelectField("Safeguarding replies", validate_choice=False)
    urgent = SelectField("Urgent replies", validate_choice=False)
    peer_review_percent = StringField("Weekly peer-review sample (% of replies)")


class SampleForm(FlaskForm):
    """Draw one week's peer-review sample (the last full week unless given)."""

    week = StringField("Week (YYYY-Www)", validators=[Optional()])
    seed = IntegerField("Seed (optional: the same seed draws the same replies)",
                        validators=[Optional()])

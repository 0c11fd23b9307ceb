"""Forms of the users page: invite, change role, accept an invitation."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from models import ROLES

ROLE_CHOICES = [(role, role.capitalize()) for role in ROLES]


class InviteForm(FlaskForm):
    """Who to invite, and as what."""

    name = StringField("Full name", validators=[DataRequired(), Length(max=120)])
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    role = SelectField("Role", choices=ROLE_CHOICES, default="midwife")
    submit = SubmitField("Send invitation")


class RoleForm(FlaskForm):
    """A new role for one account."""

    role = SelectField("Role", choices=ROLE_CHOICES)
    submit = SubmitField("Change role")


class AcceptInvitationForm(FlaskForm):
    """The password an invited person chooses, twice."""

    password = PasswordField("New password", validators=[DataRequired(), Length(min=12, max=1024)])
    confirm = PasswordField(
        "New password again",
        validators=[DataRequired(), EqualTo("password", message="The two do not match.")],
    )
    submit = SubmitField("Set password and sign in")

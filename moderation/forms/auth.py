"""Sign-in, second-factor, password and session forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    """Email and password."""

    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])
    remember = BooleanField("Keep me signed in on this device (30 days)", default=False)
    submit = SubmitField("Sign in")


class CodeForm(FlaskForm):
    """A 6-digit code from the authenticator app, or a recovery code."""

    code = StringField("Code", validators=[DataRequired(), Length(max=32)])
    submit = SubmitField("Continue")


class ChangePasswordForm(FlaskForm):
    """Current password and a new one, twice."""

    current_password = PasswordField("Current password", validators=[DataRequired()])
    new_password = PasswordField(
        "New password", validators=[DataRequired(), Length(min=12, max=1024)]
    )
    confirm = PasswordField(
        "New password again",
        validators=[DataRequired(), EqualTo("new_password", message="The two do not match.")],
    )
    submit = SubmitField("Change password")


class ResetSecondFactorForm(FlaskForm):
    """A supervisor clears a colleague's second factor."""

    email = EmailField("Email of the account", validators=[DataRequired(), Length(max=254)])
    submit = SubmitField("Reset second factor")


class LogoutForm(FlaskForm):
    """A CSRF-protected sign-out button."""

    submit = SubmitField("Sign out")


class ForgotPasswordForm(FlaskForm):
    """The address a reset link is sent to, if an account uses it."""

    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    submit = SubmitField("Email me a link")


class ResetPasswordForm(FlaskForm):
    """A new password, twice, chosen through a reset link."""

    password = PasswordField("New password", validators=[DataRequired(), Length(max=1024)])
    confirm = PasswordField(
        "New password again",
        validators=[DataRequired(), EqualTo("password", message="The two do not match.")],
    )
    submit = SubmitField("Set new password")

"""`flask users …`: staff accounts."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from models import ROLES, db
from moderation.commands import refused_as_cli_error
from moderation.services.auth import AccountError, create_user, deactivate_user, password_problem

cli = AppGroup("users", help="Create and deactivate staff accounts.")


@cli.command("create")
@click.option("--email", required=True, help="Sign-in email address.")
@click.option("--name", required=True, help="Full name.")
@click.option("--role", required=True, type=click.Choice(ROLES), help="midwife or supervisor.")
@click.option("--display-name", default=None, help="Name used to sign replies (default: name).")
def create_command(email: str, name: str, role: str, display_name: str | None) -> None:
    """Create an account; asks for the password twice and refuses a weak one."""
    while True:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        problem = password_problem(password, email=email, name=name)
        if problem is None:
            break
        click.echo(f"Weak password: {problem}", err=True)
        if not sys.stdin.isatty():
            raise SystemExit(1)
    with refused_as_cli_error(AccountError):
        user = create_user(
            email=email, name=name, role=role, password=password, display_name=display_name
        )
    db.session.commit()
    click.echo(f"Created {user.role} {user.email}.")


@cli.command("deactivate")
@click.option("--email", required=True)
def deactivate_command(email: str) -> None:
    """Stop an account from signing in and end its sessions."""
    with refused_as_cli_error(AccountError):
        user = deactivate_user(email)
    db.session.commit()
    click.echo(f"Deactivated {user.email}.")

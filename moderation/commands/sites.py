"""`flask sites …`: Websites allowed to send comments to the intake API."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from models import db
from moderation.commands import refused_as_cli_error
from moderation.services.sites import SiteError, create_site, list_sites, revoke_site

cli = AppGroup("sites", help="Websites allowed to send comments to the intake API.")


@cli.command("create")
@click.argument("name")
def create_command(name: str) -> None:
    """Create a site and print its new API key (shown once, on the last line)."""
    with refused_as_cli_error(SiteError):
        site, key = create_site(name)
    db.session.commit()
    click.echo(f"Created site {site.name!r}. Its API key is shown once, below: store it now.")
    click.echo("The website sends it as 'Authorization: Bearer <key>'.")
    click.echo(key)


@cli.command("revoke")
@click.argument("name")
def revoke_command(name: str) -> None:
    """Revoke a site's key: the API refuses it from now on."""
    with refused_as_cli_error(SiteError):
        site = revoke_site(name)
    db.session.commit()
    click.echo(f"Revoked site {site.name!r} (key {site.key_prefix}…).")


@cli.command("list")
def list_command() -> None:
    """List the sites with their key prefixes and status."""
    sites = list_sites()
    if not sites:
        click.echo("No sites yet. Create one with `flask --app wsgi sites create NAME`.")
        return
    for site in sites:
        state = "active" if site.is_active else f"revoked {site.revoked_at:%Y-%m-%d %H:%M} UTC"
        click.echo(f"{site.name:<30} {site.key_prefix}…  created {site.created_at:%Y-%m-%d}  "
                   f"{state}")

"""`flask export …`: Exports of answered threads."""

from __future__ import annotations

import getpass
import os
import tempfile
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from models import db
from moderation.services.exports import (
    EXPORT_FORMATS,
    ExportInputError,
    parse_export_options,
    start_thread_export,
)

cli = AppGroup("export", help="Exports of answered threads.")


@cli.command("threads")
@click.option("--format", "fmt", default="csv", show_default=True,
              help=f"One of: {', '.join(EXPORT_FORMATS)}.")
@click.option("--from", "date_from", metavar="DATE",
              help="First reply on or after this day (YYYY-MM-DD, UK time).")
@click.option("--to", "date_to", metavar="DATE",
              help="First reply on or before this day (YYYY-MM-DD, UK time).")
@click.option("--topic", metavar="TOPIC", help="Only threads of this topic.")
@click.option("--pseudonymise", "--pseudonymize", "pseudonymise", is_flag=True,
              help="Drop emails and replace commenters' names with stable pseudonyms.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Write to FILE (replaced only once complete) instead of standard output.")
def threads(fmt: str, date_from: str | None, date_to: str | None, topic: str | None,
            pseudonymise: bool, output: Path | None) -> None:
    """Export answered threads: one record per thread, streamed, audited."""
    # Every check comes before FILE is touched: bad input never creates or empties it.
    try:
        options = parse_export_options(fmt, date_from, date_to, topic, pseudonymise)
    except ExportInputError as error:
        raise click.UsageError(str(error)) from None
    if output is not None and not output.parent.is_dir():
        raise click.UsageError(f"The folder {str(output.parent)!r} does not exist.")

    export = start_thread_export(options, None, secret_key=current_app.config["SECRET_KEY"],
                                 via="cli", system_user=_system_user(),
                                 output=str(output) if output else "stdout")
    db.session.commit()
    try:
        if output is None:
            for chunk in export.chunks():
                click.echo(chunk, nl=False)
        else:
            _write_atomically(output, export.chunks())
    finally:
        export.close()
    where = str(output) if output else "standard output"
    click.echo(f"Exported {export.rows} answered thread(s) as {options.format} to {where}.",
               err=True)


def _write_atomically(path: Path, chunks) -> None:
    """Write beside the target and rename at the end: FILE is never left half written."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                         suffix=".part")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as file:
            for chunk in chunks:
                file.write(chunk)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _system_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (e.g. in a container)
        return f"uid {os.getuid()}" if hasattr(os, "getuid") else "unknown"

"""`flask comments …`: intake from files (the backlog import), validated like the API."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from models import db
from moderation.commands import refused_as_cli_error
from moderation.services.intake import (
    CSV_COLUMNS,
    IMPORT_BATCH,
    ImportFileError,
    ImportRecord,
    ImportReport,
    detect_format,
    import_batch,
    open_import_text,
    read_csv,
    read_jsonl,
)
from moderation.services.settings import current_policy
from moderation.services.sites import find_site

cli = AppGroup("comments", help="Importing comments from files.")


def _count_lines(path: Path) -> int:
    count = 0
    with path.open("rb") as raw:
        for chunk in iter(lambda: raw.read(1 << 20), b""):
            count += chunk.count(b"\n")
    return count


@cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--site", "site_name", default=None,
              help="The site these comments came from: their external ids are that site's. "
                   "Default: no site (like comments posted on the demo page).")
@click.option("--format", "file_format", type=click.Choice(["auto", "jsonl", "csv"]),
              default="auto", show_default=True,
              help="jsonl: one API request body per line; csv: columns "
                   + ", ".join(CSV_COLUMNS) + ". auto: by extension, else by content.")
@click.option("--batch-size", type=click.IntRange(1, 5000), default=IMPORT_BATCH,
              show_default=True, help="Comments triaged and committed together.")
def import_command(file: Path, site_name: str | None, file_format: str, batch_size: int) -> None:
    """Import comments from FILE through the same validation and triage as the API.

    Safe to run again: comments already received (same site and external_id) are skipped.
    Exits with status 1 when any line was rejected.
    """
    site = None
    if site_name is not None:
        site = find_site(site_name)
        if site is None:
            raise click.ClickException(f"No site called {site_name!r} (see `sites list`).")
    if file_format == "auto":
        with file.open("rb") as raw:
            file_format = detect_format(file.name, raw.read(4096).decode("utf-8", "replace"))

    report = ImportReport()
    policy = current_policy()
    total_lines = _count_lines(file)
    with file.open("rb") as raw, click.progressbar(
        length=max(total_lines, 1), label=f"Importing {file.name}",
        file=sys.stderr,
    ) as bar:
        lines = open_import_text(raw)
        records = read_csv(lines) if file_format == "csv" else read_jsonl(lines)
        batch: list[ImportRecord] = []
        done_lines = 0
        with refused_as_cli_error(ImportFileError):
            for record in records:
                batch.append(record)
                bar.update(record.line - done_lines)
                done_lines = record.line
                if len(batch) >= batch_size:
                    _import(batch, site, report, policy)
                    batch = []
            _import(batch, site, report, policy)
        bar.update(max(total_lines - done_lines, 0))

    click.echo(f"Imported {file.name}: {report.added} added, {report.duplicates} duplicate(s) "
               f"skipped, {len(report.rejected)} rejected.")
    if report.rejected:
        click.echo("Rejected lines:")
        for line, reason in report.rejected:
            click.echo(f"  line {line}: {reason}")
        sys.exit(1)


def _import(batch: list[ImportRecord], site, report: ImportReport, policy) -> None:
    """Import one batch and commit it, so a long import keeps what it has done."""
    if not batch:
        return
    import_batch(batch, site, report, policy)
    db.session.commit()

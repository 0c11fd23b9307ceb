"""The public comment spool: comments the database could not take, kept on disk until it returns.

One file per comment in SPOOL_DIR (instance/spool by default), written to a temporary file,
fsync'd, renamed into place and the folder fsync'd, readable by the app's user only (0600). The
file is named after the form's one-time token, so a double click spools one file, and replaying it
is idempotent: the token is the comment's external id, and intake never stores an id twice.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from flask import Flask

from models import db, utcnow

log = logging.getLogger(__name__)

SPOOL_SUFFIX = ".json"
FORMAT = 1


class SpoolError(Exception):
    """The comment could not be written to the spool either."""


@dataclass(frozen=True)
class SpooledComment:
    """What the visitor typed, and when it reached us."""

    page_slug: str
    author_name: str | None
    author_email: str | None
    body: str
    form_token: str
    received_at: str  # ISO 8601, UTC
    format: int = FORMAT


def spool_public_comment(
    spool_dir: Path, page_slug: str, author_name: str | None, author_email: str | None,
    body: str, form_token: str, now: datetime | None = None,
) -> Path:
    """Write one comment durably to the spool; raise SpoolError if that fails too."""
    from moderation.services.intake import PUBLIC_TOKEN_PATTERN, new_form_token

    if not PUBLIC_TOKEN_PATTERN.fullmatch(form_token or ""):
        form_token = new_form_token()  # the token names the file: never trust its shape
    record = SpooledComment(page_slug=page_slug, author_name=author_name,
                            author_email=author_email, body=body, form_token=form_token,
                            received_at=(now or utcnow()).isoformat())
    target = spool_dir / f"{form_token}{SPOOL_SUFFIX}"
    data = json.dumps(asdict(record), ensure_ascii=False).encode("utf-8")
    try:
        spool_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=spool_dir, prefix=".incoming-")  # mode 0600
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        _fsync_folder(spool_dir)
    except OSError as exc:
        raise SpoolError(f"Could not write to the spool in {spool_dir}: {exc}") from exc
    log.warning("Database unavailable: public comment spooled as %s", target.name)
    return target


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def spooled_files(spool_dir: Path) -> list[Path]:
    """The spooled comments, oldest first."""
    if not spool_dir.is_dir():
        return []
    files = [p for p in spool_dir.iterdir() if p.suffix == SPOOL_SUFFIX and p.is_file()]
    return sorted(files, key=lambda p: p.stat().st_mtime)


@contextmanager
def _replay_lock(spool_dir: Path) -> Iterator[bool]:
    """One replayer at a time across this host's processes; others skip (yield False)."""
    spool_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(spool_dir / ".replay.lock", os.O_CREAT | os.O_RDWR, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _store(record: dict) -> bool:
    """Store one spooled comment through the public intake; True if it was new."""
    from moderation.services.feed import find_page
    from moderation.services.intake import submit_public_comment
    from moderation.services.settings import current_policy
    from moderation.services.working_hours import reply_due_at

    page = find_page(record["page_slug"])
    if page is None:
        raise LookupError(f"page {record['page_slug']!r} no longer exists")
    result = submit_public_comment(page, record.get("author_name"), record.get("author_email"),
                                   record["body"], record["form_token"])
    if result.created:
        # Its deadline runs from when the visitor sent it, not from when the database returned.
        comment = result.comment
        comment.received_at = datetime.fromisoformat(record["received_at"])
        comment.due_at = reply_due_at(comment.received_at, comment.urgency, current_policy())
        db.session.flush()
    return result.created


def replay_spool(app: Flask) -> int:
    """Store every spooled comment in the database, idempotently; return how many were new.

    A file is deleted only after its comment is committed (or found already stored). If the
    database fails again the replay stops and the remaining files wait for the next one.
    """
    from moderation.errors import DATABASE_UNAVAILABLE

    spool_dir = Path(app.config["SPOOL_DIR"])
    stored = 0
    with app.app_context(), _replay_lock(spool_dir) as mine:
        if not mine:
            return 0
        for path in spooled_files(spool_dir):
            try:
                record = json.loads(path.read_text(encoding="utf-8"))
            except FileNotFoundError:
                continue  # another process replayed it meanwhile
            except (OSError, ValueError) as exc:
                log.error("Spooled comment %s is unreadable and kept for a person: %s",
                          path.name, exc)
                continue
            try:
                created = _store(record)
                db.session.commit()
            except DATABASE_UNAVAILABLE as exc:
                db.session.rollback()
                log.warning("Spool replay paused, database still unavailable: %s",
                            exc.__class__.__name__)
                break
            except Exception:  # a bad record must not block the others; it stays on disk
                db.session.rollback()
                log.exception("Spooled comment %s could not be stored; kept", path.name)
                continue
            path.unlink(missing_ok=True)
            stored += int(created)
        if stored:
            log.info("Spool replay stored %d comment(s)", stored)
        db.session.remove()
    return stored


_check_lock = threading.Lock()


def replay_spool_soon(app: Flask) -> threading.Thread | None:
    """At most every SPOOL_REPLAY_INTERVAL seconds, replay a non-empty spool in the background."""
    interval = app.config["SPOOL_REPLAY_INTERVAL"]
    if interval <= 0:
        return None
    with _check_lock:
        last_check = app.extensions.setdefault("spool_last_check", {"at": float("-inf")})
        now = time.monotonic()
        if now - last_check["at"] < interval:
            return None
        last_check["at"] = now
    if not spooled_files(Path(app.config["SPOOL_DIR"])):
        return None
    thread = threading.Thread(target=replay_spool, args=(app,), name="spool-replay", daemon=True)
    thread.start()
    app.extensions["spool_replay_thread"] = thread
    return thread

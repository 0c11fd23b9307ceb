"""Helpers shared by the tests and the conftests: settings, sign-in, forms, model, factories.

Import them from here (`from tests.helpers import sign_in`); `tests.conftest` re-exports the
older names so tests written before this module keep working.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import tempfile
import uuid
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyotp
from sqlalchemy import select

from models import AuditEvent, User, db, utcnow

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "").strip()
REQUIRE_BROWSER = os.environ.get("REQUIRE_BROWSER") == "1"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
PASSWORD = "correct-horse-battery-42"

# argon2id at its lowest legal cost: tests check passwords, not the hash's strength (a test
# checks that production keeps the strong defaults).
TEST_PASSWORD_HASH_PARAMETERS = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}

# Every database test runs on SQLite; on PostgreSQL too when TEST_DATABASE_URL is set.
BACKENDS = ["sqlite"] + (["postgresql"] if TEST_DATABASE_URL else [])


def postgres_url() -> str:
    """The PostgreSQL URL for tests, with the psycopg 3 driver."""
    url = TEST_DATABASE_URL
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def xdist_worker() -> str | None:
    """This pytest-xdist worker's id ("gw0", "gw1"…), or None when the suite runs alone."""
    return os.environ.get("PYTEST_XDIST_WORKER") or None


def xdist_worker_number() -> int:
    """0 for the first (or only) worker, 1 for the second…"""
    worker = xdist_worker()
    return int(worker[2:]) if worker and worker[2:].isdigit() else 0


@lru_cache(maxsize=8)
def hash_password(password: str) -> str:
    """The password's hash at the tests' cheap argon2 cost, computed once per session."""
    from argon2 import PasswordHasher

    return PasswordHasher(**TEST_PASSWORD_HASH_PARAMETERS).hash(password)


# The name older tests import.
_hash = hash_password


def audited():
    """The audit trail of state changes, without the security events (sign-ins and such)."""
    return select(AuditEvent).where(~AuditEvent.action.like("security.%")).order_by(AuditEvent.id)


def totp_code(user: User) -> str:
    """A real TOTP code for the user's enrolled secret, one she has not used yet."""
    fresh = db.session.get(User, user.id, populate_existing=True)
    totp = pyotp.TOTP(fresh.totp_secret)
    step = totp.timecode(utcnow())
    # A code works once; a second sign-in in the same 30 s uses the next step's code,
    # which the server accepts for clock drift.
    if fresh.totp_last_step is not None and fresh.totp_last_step >= step:
        step = fresh.totp_last_step + 1
    return totp.generate_otp(step)


def sign_in(client, user: User, password: str = PASSWORD):
    """Sign a user in through the real forms (password, then a TOTP code when enrolled), with
    each form's CSRF token when the client's app checks them (browser tests' apps do)."""
    response = client.post("/login", data={"email": user.email, "password": password,
                                           **_csrf_field(client, "/login")})
    if response.status_code == 302 and response.headers["Location"] == "/login/code":
        response = client.post("/login/code", data={"code": totp_code(user),
                                                    **_csrf_field(client, "/login/code")})
    return response


def _csrf_field(client, path: str) -> dict[str, str]:
    """{"csrf_token": …} read from the form at `path`, or {} when the app does not check it."""
    if not client.application.config.get("WTF_CSRF_ENABLED", True):
        return {}
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(path).get_data(True))
    assert match, f"no CSRF token on {path}"
    return {"csrf_token": match.group(1)}


class FakeClock:
    """A monotonic clock the test moves by hand (set `now`), so no test waits or depends on
    the machine's speed."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def post_form(client, url: str, **fields: Any):
    """Post a form as a browser would (CSRF is off in tests); returns the response."""
    return client.post(url, data=fields)


def browser_sign_in(tab, email: str, password: str = PASSWORD) -> None:
    """Sign in through the login form in the browser (with a TOTP code when enrolled).

    Use it where signing in is what the test is about; elsewhere `sign_in_tab` is cheaper.
    """
    tab.goto("/login")
    tab.get_by_label("Email").fill(email)
    tab.get_by_label("Password", exact=True).fill(password)
    tab.get_by_role("button", name="Sign in").click()
    user = db.session.scalar(select(User).where(User.email == email))
    if user is not None and user.totp_secret:
        tab.wait_for_url("**/login/code")
        tab.get_by_label("Code").fill(totp_code(user))
        tab.get_by_role("button", name="Continue").click()


def sign_in_tab(tab, email: str, password: str = PASSWORD) -> None:
    """Give a browser tab a signed-in session without rendering the login pages, then open the
    queue: the same forms are posted by the test client, as the tab's own browser (its user
    agent and address, to which the session is bound), and the tab takes the session cookie."""
    from flask import current_app

    user = db.session.scalar(select(User).where(User.email == email))
    assert user is not None, f"no account for {email}"
    client = current_app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = tab.evaluate("navigator.userAgent")
    answer = sign_in(client, user, password)
    assert answer.status_code == 302 and not answer.headers["Location"].startswith("/login"), (
        f"{email} could not sign in ({answer.status_code} to {answer.headers.get('Location')})")
    name = current_app.config["SESSION_COOKIE_NAME"]
    cookie = client.get_cookie(name)
    # Cookies are per host, not per port: every live server of the tests is on 127.0.0.1.
    tab.context.add_cookies([{"name": name, "value": cookie.value, "domain": "127.0.0.1",
                              "path": "/", "httpOnly": True, "sameSite": "Lax"}])
    tab.goto("/")


def new_user(role: str = "midwife", *, email: str, name: str, password: str = PASSWORD,
             active: bool = True, mfa: bool | None = None) -> User:
    """Add a staff account (supervisors get a second factor unless `mfa` says otherwise)."""
    enrolled = role == "supervisor" if mfa is None else mfa
    user = User(email=email, name=name, display_name=name.split()[0], role=role,
                password_hash=hash_password(password), active=active,
                totp_secret=pyotp.random_base32() if enrolled else None)
    db.session.add(user)
    db.session.commit()
    return user


# --- The triage model ----------------------------------------------------------------------

def _model_fingerprint() -> str:
    digest = hashlib.sha256()
    for path in sorted((PROJECT_ROOT / "classifier").rglob("*")):
        if path.is_file() and path.suffix in {".py", ".jsonl"} and "artifacts" not in path.parts:
            digest.update(path.relative_to(PROJECT_ROOT).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def trained_model_dir() -> Path:
    """The suite's one model (full corpus, default seed), trained once and cached between runs
    until the corpus or the classifier's code changes. Read it; copy it before changing it."""
    from classifier.train import train_and_save

    cache_root = PROJECT_ROOT / ".pytest_cache" / "triage-model"
    cache = cache_root / _model_fingerprint()
    if (cache / "triage-model.json").exists():
        return cache
    cache_root.mkdir(parents=True, exist_ok=True)
    # One trainer at a time (parallel workers wait for the first and then reuse its model).
    with (cache_root / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (cache / "triage-model.json").exists():
            # Train beside the cache and rename, so nobody ever sees half a model.
            staging = Path(tempfile.mkdtemp(dir=cache_root))
            train_and_save(staging, measure_speed=False)
            try:
                staging.rename(cache)
            except OSError:  # another run finished first; use its model
                shutil.rmtree(staging, ignore_errors=True)
    return cache


__all__ = [
    "BACKENDS", "CHROMIUM", "PASSWORD", "PROJECT_ROOT", "REQUIRE_BROWSER", "TEST_DATABASE_URL",
    "TEST_PASSWORD_HASH_PARAMETERS", "audited", "browser_sign_in", "hash_password",
    "new_user", "post_form", "postgres_url", "sign_in", "totp_code",
    "trained_model_dir", "xdist_worker", "xdist_worker_number",
]


def sample_path(rule: str, value: str = "1") -> str:
    """A route's path with every argument filled: an any(...) argument by its first choice."""
    rule = re.sub(r"<any\(([^,)]+)[^>]*>", lambda match: match.group(1).strip(), rule)
    return re.sub(r"<(?:[a-z]+:)?[^>]+>", value, rule)


# A question a visitor asks on the demo article page.
QUESTION = "How long does the bleeding usually go on for after a miscarriage at eight weeks?"


def form_token(html: str) -> str:
    """The public form's one-time token, read from the article page."""
    match = re.search(r'name="form_token" type="hidden" value="([0-9a-f]{32})"', html)
    assert match, "the form carries a one-time token"
    return match.group(1)


def insert_row(connection: Any, table: Any, **values: Any) -> None:
    """Insert a row giving every required column a plain value of its type (migration tests)."""
    from sqlalchemy import JSON, Boolean, DateTime, Float, Integer

    row = {}
    for column in table.columns:
        if column.primary_key or column.nullable or column.server_default is not None:
            continue
        kind = column.type
        row[column.name] = (
            utcnow() if isinstance(kind, DateTime) else False if isinstance(kind, Boolean)
            else 0.5 if isinstance(kind, Float) else 1 if isinstance(kind, Integer)
            else {} if isinstance(kind, JSON) else f"{column.name}-{uuid.uuid4().hex[:8]}")
    row.update(values)
    connection.execute(table.insert().values(**row))

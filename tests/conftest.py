"""Shared fixtures: app, database, clients, signed-in staff, factories, browser."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyotp
import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import select, text
from werkzeug.serving import make_server

from models import AuditEvent, Comment, Page, Reply, Snippet, SnippetVersion, User, db, utcnow
from moderation import create_app
from moderation.services.auth import password_hasher

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "").strip()
REQUIRE_BROWSER = os.environ.get("REQUIRE_BROWSER") == "1"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
PASSWORD = "correct-horse-battery-42"

# Every database test runs on SQLite; on PostgreSQL too when TEST_DATABASE_URL is set.
BACKENDS = ["sqlite"] + (["postgresql"] if TEST_DATABASE_URL else [])


def postgres_url() -> str:
    """The PostgreSQL URL for tests, with the psycopg 3 driver."""
    url = TEST_DATABASE_URL
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _model_fingerprint() -> str:
    digest = hashlib.sha256()
    for path in sorted((PROJECT_ROOT / "classifier").rglob("*")):
        if path.is_file() and path.suffix in {".py", ".jsonl"} and "artifacts" not in path.parts:
            digest.update(path.relative_to(PROJECT_ROOT).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@pytest.fixture(scope="session")
def triage_model_path() -> Path:
    """A model trained once on the corpus, cached between runs until the corpus or code changes."""
    from classifier.train import train_and_save

    cache = PROJECT_ROOT / ".pytest_cache" / "triage-model" / _model_fingerprint()
    model_path = cache / "triage-model.skops"
    if not model_path.exists():
        # Train beside the cache and rename, so parallel test runs never see half a model.
        cache.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=cache.parent))
        train_and_save(staging)
        try:
            staging.rename(cache)
        except OSError:  # another run finished first; use its model
            shutil.rmtree(staging, ignore_errors=True)
    return model_path


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory) -> Iterator[str]:
    """A database with the schema created once per test session and backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    else:
        url = postgres_url()
    schema_app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with schema_app.app_context():
        db.drop_all()
        db.create_all()
    yield url
    with schema_app.app_context():
        if request.param == "sqlite":
            # The file lives in a temporary folder; a background thread (the spool replay) may
            # still have written a row after the last test, which would make DROP refuse.
            db.engine.dispose()
        else:
            db.drop_all()
            db.engine.dispose()


@pytest.fixture
def app_config(database_url: str, triage_model_path: Path) -> dict[str, Any]:
    """The test configuration; a test may change it before asking for `app`."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "TRIAGE_MODEL_PATH": str(triage_model_path),
        "WTF_CSRF_ENABLED": False,
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        # Replies go public at once unless a test is about the undo window.
        "REPLY_UNDO_SECONDS": 0,
    }


class FreshRequestGlobalsClient(FlaskClient):
    """A test client whose every request starts with an empty `g`, as in production.

    The app fixture keeps one app context pushed so tests can use the database; requests
    reuse that context, so without this `g` (Flask-Login's cached user, for one) would leak
    from one request into the next.
    """

    def open(self, *args: Any, **kwargs: Any):
        if has_app_context():
            for name in list(vars(g)):
                g.pop(name)
        return super().open(*args, **kwargs)


@pytest.fixture
def app(app_config: dict[str, Any]):
    """The app on a clean database, inside an application context."""
    app = create_app(app_config)
    app.test_client_class = FreshRequestGlobalsClient
    with app.app_context():
        yield app
        db.session.remove()
        _empty_all_tables()
        db.engine.dispose()


def _empty_all_tables() -> None:
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(t.name for t in db.metadata.sorted_tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())


@pytest.fixture
def client(app):
    """A browser-less HTTP client."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A runner for `flask …` commands."""
    return app.test_cli_runner()


@lru_cache(maxsize=8)
def _hash(password: str) -> str:
    # argon2 is slow by design: hash each test password once per session.
    return password_hasher.hash(password)


@pytest.fixture
def make_user(app) -> Callable[..., User]:
    """Create a staff account (password: PASSWORD unless given)."""
    counter = iter(range(1, 10_000))

    def make(role: str = "midwife", *, email: str | None = None, name: str | None = None,
             password: str = PASSWORD, active: bool = True, mfa: bool | None = None) -> User:
        n = next(counter)
        name = name or f"{role.title()} {n}"
        # Supervisors must have a second factor: enrol them with a secret the tests know.
        enrolled = role == "supervisor" if mfa is None else mfa
        user = User(email=email or f"{role}{n}@example.test", name=name,
                    display_name=name.split()[0], role=role, password_hash=_hash(password),
                    active=active, totp_secret=pyotp.random_base32() if enrolled else None)
        db.session.add(user)
        db.session.commit()
        return user

    return make


@pytest.fixture
def midwife(make_user) -> User:
    """A midwife called Sam."""
    return make_user("midwife", email="sam@example.test", name="Sam Jones")


@pytest.fixture
def supervisor(make_user) -> User:
    """A supervisor called Helen."""
    return make_user("supervisor", email="helen@example.test", name="Helen Price")


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
    """Sign a user in through the real forms (password, then a TOTP code when enrolled)."""
    response = client.post("/login", data={"email": user.email, "password": password})
    if response.status_code == 302 and response.headers["Location"] == "/login/code":
        response = client.post("/login/code", data={"code": totp_code(user)})
    return response


@pytest.fixture
def midwife_client(app, midwife):
    """An HTTP client signed in as the midwife."""
    client = app.test_client()
    assert sign_in(client, midwife).status_code == 302
    return client


@pytest.fixture
def supervisor_client(app, supervisor):
    """An HTTP client signed in as the supervisor."""
    client = app.test_client()
    assert sign_in(client, supervisor).status_code == 302
    return client


@pytest.fixture
def make_page(app) -> Callable[..., Page]:
    """Create a public article page."""
    counter = iter(range(1, 10_000))

    def make(slug: str | None = None, title: str | None = None) -> Page:
        n = next(counter)
        page = Page(slug=slug or f"page-{n}", title=title or f"Article {n}",
                    url=f"https://www.example.org/health/{slug or f'page-{n}'}")
        db.session.add(page)
        db.session.commit()
        return page

    return make


@pytest.fixture
def make_comment(app, make_page) -> Callable[..., Comment]:
    """Create a comment with given triage labels, without calling the model."""
    counter = iter(range(1, 100_000))
    default_page: list[Page] = []

    def make(body: str = "How long does the bleeding usually last?", *,
             urgency: str = "routine", topic: str = "bleeding", status: str = "pending",
             page: Page | None = None, author_name: str = "Alex",
             author_email: str | None = None, received_at=None, due_at=None,
             urgent_probability: float | None = None, **fields: Any) -> Comment:
        if page is None:
            if not default_page:
                default_page.append(make_page("after-a-miscarriage", "After a miscarriage"))
            page = default_page[0]
        received_at = received_at or utcnow()
        if due_at is None:
            hours = {"urgent": 1, "priority": 4, "routine": 48}[urgency]
            due_at = received_at + timedelta(hours=hours)
        if urgent_probability is None:
            urgent_probability = {"urgent": 0.9, "priority": 0.2, "routine": 0.05}[urgency]
        comment = Comment(page=page, external_id=f"test-{next(counter)}", body=body,
                          urgency=urgency, topic=topic, status=status, author_name=author_name,
                          author_email=author_email, received_at=received_at, due_at=due_at,
                          urgent_probability=urgent_probability, triaged=True,
                          urgency_scores={}, topic_scores={}, triage_reasons=[], **fields)
        db.session.add(comment)
        db.session.commit()
        return comment

    return make


@pytest.fixture
def make_snippet(app) -> Callable[..., Snippet]:
    """Create an active snippet at version 1, approved (insertable)."""

    def make(key: str = "bleeding_duration", *, topic: str | None = "bleeding",
             title: str = "Bleeding duration",
             body: str = "Dear {first_name},\n\nBleeding usually settles.\n\n{signature}",
             **fields: Any) -> Snippet:
        fields.setdefault("approved_at", utcnow())
        snippet = Snippet(key=key, title=title, topic=topic, body=body, version=1, **fields)
        db.session.add(snippet)
        db.session.flush()
        db.session.add(SnippetVersion(snippet_id=snippet.id, version=1, title=title,
                                      topic=topic, body=body, status="approved",
                                      approved_at=fields["approved_at"]))
        db.session.commit()
        return snippet

    return make


@pytest.fixture
def make_reply(app) -> Callable[..., Reply]:
    """Create a published reply to a comment."""

    def make(comment: Comment, midwife: User, body: str = "Thank you for writing.",
             published_at=None) -> Reply:
        published_at = published_at or utcnow()
        reply = Reply(comment_id=comment.id, midwife_id=midwife.id, body=body,
                      created_at=published_at, published_at=published_at)
        db.session.add(reply)
        db.session.commit()
        return reply

    return make


# --- Browser tests -------------------------------------------------------------------------

@pytest.fixture
def live_server(app) -> Iterator[str]:
    """Serve the test app on a free local port for the browser; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright; skips visibly when absent (fails in CI)."""
    reason = None
    if not Path(CHROMIUM).exists():
        reason = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        reason = "Playwright for Python is not installed"
    if reason:
        if REQUIRE_BROWSER:
            pytest.fail(f"REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-background-networking",
                  "--disable-component-update", "--disable-gpu", "--no-first-run"],
        )
        yield browser
        browser.close()


@pytest.fixture
def new_tab(browser, live_server):
    """Open a tab in a browser of its own (own cookies), optionally signed in: a second person."""
    contexts = []

    def open_tab(signed_in_as: str | None = None):
        context = browser.new_context(base_url=live_server)
        contexts.append(context)
        tab = context.new_page()
        tab.set_default_timeout(10_000)
        if signed_in_as:
            browser_sign_in(tab, signed_in_as)
            tab.wait_for_url("**/")
        return tab

    yield open_tab
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_tab):
    """A fresh browser tab (own cookies) with the live server's base URL attached."""
    return new_tab()


def browser_sign_in(tab, email: str, password: str = PASSWORD) -> None:
    """Sign in through the login form in the browser (with a TOTP code when enrolled)."""
    tab.goto("/login")
    tab.get_by_label("Email").fill(email)
    tab.get_by_label("Password", exact=True).fill(password)
    tab.get_by_role("button", name="Sign in").click()
    user = db.session.scalar(select(User).where(User.email == email))
    if user is not None and user.totp_secret:
        tab.wait_for_url("**/login/code")
        tab.get_by_label("Code").fill(totp_code(user))
        tab.get_by_role("button", name="Continue").click()

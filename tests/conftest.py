"""Shared fixtures: app, database, clients, signed-in staff, factories, browser."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from models import Comment, Page, Reply, Snippet, SnippetVersion, User, db, utcnow
from moderation import create_app
from tests import app_reuse
from tests.helpers import (  # noqa: F401 - re-exported for tests that import them from here
    BACKENDS,
    CHROMIUM,
    PASSWORD,
    PROJECT_ROOT,
    REQUIRE_BROWSER,
    TEST_DATABASE_URL,
    TEST_PASSWORD_HASH_PARAMETERS,
    _hash,
    audited,
    browser_sign_in,
    new_user,
    postgres_url,
    sign_in,
    sign_in_tab,
    totp_code,
    trained_model_dir,
)
from tests.isolation import (
    count_queries,  # noqa: F401 - a fixture
    database_for_this_worker,
    empty_all_tables,
    needs_commits,
    rolled_back,
)

# Every test builds its own app: share what never differs between apps (tests/app_reuse.py).
app_reuse.install()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked one_backend run on the first backend only (deselected, not skipped: the
    other backend's copy would check the same markup again)."""
    first = BACKENDS[0]
    dropped = [item for item in items if item.get_closest_marker("one_backend")
               and getattr(item, "callspec", None) is not None
               and item.callspec.params.get("database_url", first) != first]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        gone = set(dropped)
        items[:] = [item for item in items if item not in gone]


@pytest.fixture(scope="session")
def triage_model_path() -> Path:
    """The suite's one model (see tests.helpers.trained_model_dir): the classifier tests use
    the same one."""
    from classifier.model import ARTIFACT_NAME

    return trained_model_dir() / ARTIFACT_NAME


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory) -> Iterator[str]:
    """A database with the schema created once per test session and backend (and, under
    pytest-xdist, per worker: its own SQLite file and its own PostgreSQL database)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    else:
        url = postgres_url()
    with database_for_this_worker(url) as url, app_reuse.engines_shared_on(url):
        schema_app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
        with schema_app.app_context():
            db.drop_all()
            db.create_all()
        yield url
        with schema_app.app_context():
            if request.param == "sqlite":
                # The file lives in a temporary folder; a background thread (the spool replay)
                # may still have written a row after the last test, which would make DROP refuse.
                db.engine.dispose()
            else:
                db.drop_all()
                db.engine.dispose()


@pytest.fixture(scope="session")
def session_spool_dir(tmp_path_factory) -> Path:
    """The session's (and xdist worker's) own intake spool, never the developer's instance/."""
    return tmp_path_factory.mktemp("spool")


@pytest.fixture
def app_config(database_url: str, triage_model_path: Path,
               session_spool_dir: Path) -> dict[str, Any]:
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
        # Cheap argon2: a sign-in costs milliseconds instead of most of a second.
        "PASSWORD_HASH_PARAMETERS": TEST_PASSWORD_HASH_PARAMETERS,
        "SPOOL_DIR": str(session_spool_dir),
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
def app(app_config: dict[str, Any], request: pytest.FixtureRequest):
    """The app on a clean database, inside an application context.

    Each test runs in one transaction rolled back at its end (commits become SAVEPOINTs).
    A test whose commits other connections must see (threads, a live server, a second app,
    worker processes) is marked `@pytest.mark.committed` and cleaned up by emptying tables.
    """
    app = create_app(app_config)
    app.test_client_class = FreshRequestGlobalsClient
    with app.app_context():
        if needs_commits(request):
            # Start clean too: a background thread of an earlier test (the spool replay, say)
            # may have committed a row after that test's own clean-up.
            empty_all_tables()
            yield app
            db.session.remove()
            empty_all_tables()
        else:
            with rolled_back(app):
                yield app
        if needs_commits(request) or not app_reuse.is_shared(db.engine):
            # Threads of a committing test may still hold connections: start a new pool. A
            # rolled-back test's one connection went back to the shared pool rolled back.
            db.engine.dispose()


@pytest.fixture
def article(make_page):
    """The demo article the public reads and comments under, with a summary."""
    page = make_page("after-a-miscarriage", "After a miscarriage")
    page.summary = ("Bleeding usually settles over about two weeks.\n\n"
                    "Our midwives read every comment.")
    db.session.commit()
    return page


@pytest.fixture
def committed_app(app):
    """The app whose commits are real (for threads, live servers and other connections)."""
    return app


def _empty_all_tables() -> None:
    empty_all_tables()


@pytest.fixture
def client(app):
    """A browser-less HTTP client."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A runner for `flask …` commands."""
    return app.test_cli_runner()


@pytest.fixture
def make_user(app) -> Callable[..., User]:
    """Create a staff account (password: PASSWORD unless given)."""
    counter = iter(range(1, 10_000))

    def make(role: str = "midwife", *, email: str | None = None, name: str | None = None,
             password: str = PASSWORD, active: bool = True, mfa: bool | None = None) -> User:
        n = next(counter)
        return new_user(role, email=email or f"{role}{n}@example.test",
                        name=name or f"{role.title()} {n}", password=password, active=active,
                        mfa=mfa)

    return make


@pytest.fixture
def midwife(make_user) -> User:
    """A midwife called Sam."""
    return make_user("midwife", email="sam@example.test", name="Sam Jones")


@pytest.fixture
def supervisor(make_user) -> User:
    """A supervisor called Helen."""
    return make_user("supervisor", email="helen@example.test", name="Helen Price")


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
             published_at=None, withdrawn_at=None) -> Reply:
        # withdrawn_at: a supervisor unpublished it then; its comment stays shown, unverified.
        published_at = published_at or utcnow()
        reply = Reply(comment_id=comment.id, midwife_id=midwife.id, body=body,
                      created_at=published_at, published_at=published_at,
                      withdrawn_at=withdrawn_at)
        db.session.add(reply)
        db.session.commit()
        return reply

    return make


# --- Browser tests -------------------------------------------------------------------------

@pytest.fixture
def live_server(app) -> Iterator[str]:
    """Serve the test app on a free local port for the browser; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    # A short poll: shutdown() waits for the loop's next turn (0.5 s by default).
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
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
            sign_in_tab(tab, signed_in_as)
        return tab

    yield open_tab
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_tab):
    """A fresh browser tab (own cookies) with the live server's base URL attached."""
    return new_tab()

"""Database faults on the real databases: friendly 503 pages, and the app recovers by itself.

PostgreSQL is reached through a TCP proxy the test starts on 127.0.0.1 and then cuts (the server
is down) or freezes (the server accepts but never answers). SQLite is made unreachable (a file in
a missing folder) or held locked by another writer.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

from models import User, db, utcnow
from moderation import create_app
from moderation.config import database_engine_options, load_config
from tests.conftest import PASSWORD, TEST_DATABASE_URL, _hash, postgres_url
from tests.faultproxy import FaultProxy, app_behind_proxy

needs_postgres = pytest.mark.skipif(not TEST_DATABASE_URL,
                                    reason="PostgreSQL not configured (TEST_DATABASE_URL)")

# Short timeouts so a test shows them firing; production defaults are in moderation/config.py.
FAST_TIMEOUTS = {
    "DATABASE_CONNECT_TIMEOUT": 2,
    "DATABASE_STATEMENT_TIMEOUT_MS": 1000,
    "DATABASE_POOL_TIMEOUT": 2,
}


def _staff_user() -> User:
    user = User(email="sam@example.test", name="Sam Jones", display_name="Sam", role="midwife",
                password_hash=_hash(PASSWORD), active=True)
    db.session.add(user)
    db.session.commit()
    return user


def _signed_in_client(app):
    client = app.test_client()
    response = client.post("/login", data={"email": "sam@example.test", "password": PASSWORD})
    assert response.status_code == 302
    return client


def assert_friendly_503(response) -> None:
    assert response.status_code == 503
    assert response.mimetype == "text/html"
    assert int(response.headers["Retry-After"]) > 0
    page = response.get_data(as_text=True)
    assert "briefly unavailable" in page
    assert "Internal Server Error" not in page
    assert "Traceback" not in page and "OperationalError" not in page


@pytest.fixture
def base_config(triage_model_path: Path) -> dict[str, Any]:
    """The test settings without a database: each test here chooses its own."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "TRIAGE_MODEL_PATH": str(triage_model_path),
        "WTF_CSRF_ENABLED": False,
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "RATELIMIT_STORAGE_URI": "memory://",
    }


@pytest.fixture
def proxied_postgres(base_config: dict[str, Any]) -> Iterator[tuple[Any, FaultProxy]]:
    """The app on PostgreSQL (test database) through a proxy the test can cut or freeze."""
    with app_behind_proxy({**base_config, **FAST_TIMEOUTS}) as (app, proxy):
        yield app, proxy


def _answer_within(call, seconds: float):
    """Run `call` in a thread; fail (instead of hanging the suite) if it never answers."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = call()
        except Exception as exc:  # noqa: BLE001 - handed back to the test
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "the request hung: no database timeout fired"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


# --- Configuration ---------------------------------------------------------------------------

def test_postgresql_connections_carry_connect_and_statement_timeouts():
    """Safe defaults: 5 s to connect, 30 s per statement, a bounded pool wait, and a liveness
    check of a connection idle over 1 s (the app's own, instead of one on every checkout)."""
    settings = load_config()
    options = database_engine_options("postgresql+psycopg://db/moderation", settings)
    assert settings["DATABASE_POOL_PRE_PING"] is True
    assert settings["DATABASE_PING_IDLE_SECONDS"] == 1.0
    assert options["pool_pre_ping"] is False
    assert database_engine_options("postgresql+psycopg://db/moderation", {
        **settings, "DATABASE_PING_IDLE_SECONDS": 0})["pool_pre_ping"] is True
    assert options["pool_timeout"] == 10
    assert options["connect_args"]["connect_timeout"] == 5
    assert options["connect_args"]["options"] == "-c statement_timeout=30000"


def test_sqlite_keeps_a_busy_timeout():
    """SQLite writers wait for the write lock (10 s by default), then fail cleanly."""
    options = database_engine_options("sqlite:///x.db", {**load_config(),
                                                         "SQLITE_BUSY_TIMEOUT_MS": 2500})
    assert options["connect_args"] == {"timeout": 2.5}


# --- PostgreSQL down, frozen, slow -------------------------------------------------------------

@needs_postgres
def test_staff_pages_answer_503_while_postgresql_is_down_and_recover(proxied_postgres):
    """A midwife sees a friendly page with Retry-After, never a bare 500; then her queue."""
    app, proxy = proxied_postgres
    _staff_user()
    client = _signed_in_client(app)
    assert client.get("/").status_code == 200

    proxy.cut()
    for path in ("/", "/queue/counts", "/comments/1", "/reports"):
        response = client.get(path)
        assert_friendly_503(response)
        # The security-header step still works without looking the user up.
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["X-Frame-Options"] == "DENY"
    problem = client.post("/api/v1/comments", json={})
    assert problem.status_code in (401, 503)  # the key lookup itself needs the database
    readyz = client.get("/readyz")
    assert readyz.status_code == 503
    assert readyz.get_json()["checks"]["database"] == "unreachable"

    proxy.restore()
    assert client.get("/").status_code == 200
    assert client.get("/readyz").get_json()["checks"]["database"] == "ok"


@needs_postgres
def test_a_frozen_postgresql_answers_503_after_the_connect_timeout(proxied_postgres):
    """A server that accepts but never answers: the connect timeout ends the wait."""
    app, proxy = proxied_postgres
    _staff_user()
    client = _signed_in_client(app)
    db.session.remove()
    db.engine.dispose()  # the next request needs a new connection
    proxy.freeze()
    assert_friendly_503(_answer_within(lambda: client.get("/"), 60))
    proxy.restore()
    assert client.get("/").status_code == 200


@needs_postgres
def test_a_statement_running_too_long_is_cancelled_by_postgresql(proxied_postgres):
    """The statement timeout from configuration is applied to every connection."""
    with pytest.raises(OperationalError, match="statement timeout"):
        db.session.execute(text("SELECT pg_sleep(5)"))
    db.session.rollback()
    assert db.session.execute(text("SHOW statement_timeout")).scalar_one() == "1s"


# --- SQLite unreachable or locked ------------------------------------------------------------

def test_staff_pages_answer_503_when_sqlite_cannot_be_opened_then_recover(base_config,
                                                                         tmp_path):
    """The database file vanishes (its folder is moved away): 503 pages, then normal service."""
    folder = tmp_path / "data"
    folder.mkdir()
    app = create_app({**base_config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'm.db'}"})
    with app.app_context():
        db.create_all()
        _staff_user()
        client = _signed_in_client(app)
        db.session.remove()
        db.engine.dispose()
        folder.rename(tmp_path / "moved")
        try:
            for path in ("/", "/queue/counts", "/comments/1"):
                assert_friendly_503(client.get(path))
            assert client.get("/readyz").status_code == 503
        finally:
            db.session.remove()
            (tmp_path / "moved").rename(folder)
        assert client.get("/").status_code == 200
        db.session.remove()
        db.engine.dispose()


def test_a_write_answers_503_while_sqlite_is_locked_then_recovers(base_config, tmp_path):
    """Another writer holds SQLite's lock past the busy timeout: 503, then normal service."""
    path = tmp_path / "locked.db"
    app = create_app({**base_config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                      "SQLITE_BUSY_TIMEOUT_MS": 200})
    with app.app_context():
        db.create_all()
        _staff_user()
        client = _signed_in_client(app)
        db.session.remove()
        holder = sqlite3.connect(path)
        try:
            holder.execute("BEGIN EXCLUSIVE")
            assert_friendly_503(client.post("/queue/take-next"))
        finally:
            holder.rollback()
            holder.close()
        db.session.remove()
        assert client.post("/queue/take-next").status_code in (302, 303)
        db.session.remove()
        db.engine.dispose()


# --- Request size limits ---------------------------------------------------------------------

def test_an_oversized_form_post_is_refused_before_it_is_read(client):
    """A huge unauthenticated post to the sign-in form gets a clean 413, not a worker's memory."""
    response = client.post("/login", data={"email": "x@example.test", "password": "x" * 2_000_000})
    assert response.status_code == 413
    assert "That was too large" in response.get_data(as_text=True)


def test_an_oversized_public_comment_is_refused_cleanly(client, make_page):
    """The public form answers 413 with the site's page, never a bare error."""
    make_page("after-a-miscarriage", "After a miscarriage")
    response = client.post("/pages/after-a-miscarriage", data={"body": "x" * 2_000_000})
    assert response.status_code == 413
    assert "That was too large" in response.get_data(as_text=True)


def test_every_route_has_a_body_limit_and_the_api_keeps_its_own(app):
    """1 MiB for every request by default; the intake API stays at its smaller limit."""
    assert app.config["MAX_CONTENT_LENGTH"] == 1024 * 1024
    assert app.config["API_MAX_CONTENT_LENGTH"] < app.config["MAX_CONTENT_LENGTH"]


# --- The model missing -------------------------------------------------------------------------

@pytest.fixture
def no_model(app, tmp_path):
    """The triage model file is gone (a deploy without `make model`)."""
    app.config["TRIAGE_MODEL_PATH"] = str(tmp_path / "absent" / "triage-model.skops")


def _unscored(body: str):
    from models import Page
    from moderation.services.intake import submit_public_comment

    page = Page(slug="after-a-miscarriage", title="After a miscarriage",
                url="https://www.example.org/health/after-a-miscarriage")
    db.session.add(page)
    db.session.flush()
    comment = submit_public_comment(page, "Jo", None, body, None).comment
    db.session.commit()
    return comment


def test_a_midwife_reads_a_plain_message_not_the_model_error(no_model, midwife_client, tmp_path):
    """No file path or developer command on her screen; what to do instead."""
    comment = _unscored("How long should we wait before trying again?")
    assert not comment.triaged and str(tmp_path) in comment.triage_error
    page = midwife_client.get(f"/comments/{comment.id}").get_data(as_text=True)
    assert "could not be scored; treat it as urgent until you have read it" in page
    assert str(tmp_path) not in page
    assert "make model" not in page and "flask --app" not in page


def test_a_supervisor_sees_the_model_error_to_fix_it(no_model, supervisor_client, tmp_path):
    """The path and the command to retrain are for the person who can act on them."""
    comment = _unscored("How long should we wait before trying again?")
    page = supervisor_client.get(f"/comments/{comment.id}").get_data(as_text=True)
    assert "could not be scored" in page
    assert str(tmp_path) in page and "make model" in page


def test_the_safety_rules_still_raise_an_unscored_comment_to_urgent(no_model):
    """Without a model, a red flag in the text still makes the comment urgent, with the reason."""
    comment = _unscored("bleeding since yesterday and now im soaking a pad every hour, "
                        "feel really dizzy and shaky, what do i do")
    assert not comment.triaged
    assert comment.urgency == "urgent" and comment.red_flag
    # The rules speak first, then the plain note that the model could not score it.
    *rule_reasons, last = comment.triage_reasons
    assert last.startswith("This comment could not be scored")
    assert any("soaking a pad every hour" in reason for reason in rule_reasons)


# --- Orphaned claims ---------------------------------------------------------------------------

def test_a_claim_nobody_renews_frees_the_comment_within_three_minutes(midwife, make_user,
                                                                      make_comment):
    """A crashed browser or server stops the heartbeat: the lease runs out, another takes it."""
    from moderation.services.claims import claim_comment, take_next_comment

    jo = make_user("midwife", email="jo@example.test", name="Jo Bell")
    comment = make_comment(urgency="urgent")
    start = utcnow()
    claim_comment(comment.id, midwife, now=start)
    db.session.commit()
    assert take_next_comment(jo, now=start + timedelta(minutes=2, seconds=59)) is None
    taken = take_next_comment(jo, now=start + timedelta(minutes=3, seconds=1))
    assert taken is not None and taken.id == comment.id and taken.claimed_by_id == jo.id


def test_the_composer_renews_the_claim_every_minute_and_offers_keep_it(
        app, new_tab, midwife, make_comment):
    """While the page is open she keeps the comment; idle for 15 minutes, she is asked."""
    from models import Comment
    from moderation.services.claims import claim_comment

    comment = make_comment(urgency="urgent")
    claim_comment(comment.id, midwife)  # opening it by GET only reads: the composer is hers
    db.session.commit()
    tab = new_tab(signed_in_as=midwife.email)
    tab.clock.install()
    tab.goto(f"/comments/{comment.id}")
    with tab.expect_request(f"**/comments/{comment.id}/keepalive") as beat:
        tab.clock.run_for(61_000)
    assert beat.value.response().status == 200
    db.session.expire_all()
    assert db.session.get(Comment, comment.id).claim_expires_at > utcnow() + timedelta(minutes=2)

    # Minute by minute, each renewal answered before the next: a single 15-minute jump fires
    # them all at once, and a late answer could land on the "Keep it" question.
    for _minute in range(2, 15):
        with tab.expect_response(f"**/comments/{comment.id}/keepalive"):
            tab.clock.run_for(60_000)
    tab.clock.run_for(60_000)  # 15 minutes without a key press: the question, no renewal
    keep_it = tab.get_by_role("button", name="Keep it")
    keep_it.wait_for()
    assert "goes back to the queue" in tab.locator("#keepalive-notice").inner_text()
    tab.clock.resume()  # let the page's own animation frames run for the click
    with tab.expect_request(f"**/comments/{comment.id}/keepalive"):
        keep_it.click()
    tab.locator("#keepalive-notice").wait_for(state="hidden")


# --- Backups: the pg_dump / pg_restore drill ----------------------------------------------------

@needs_postgres
def test_a_pg_dump_restores_into_a_fresh_database_and_the_app_runs_on_it(base_config, tmp_path):
    """The documented drill: dump, restore elsewhere, and the queue works on the copy."""
    import shutil
    import subprocess
    import uuid

    from flask_migrate import upgrade
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    from models import Comment, Page
    from moderation.services.health import preload_model
    from moderation.services.intake import submit_public_comment

    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.fail("pg_dump and pg_restore are needed for the backup drill")
    server = make_url(postgres_url())
    names = [f"test_resilience_drill_{kind}_{uuid.uuid4().hex[:8]}" for kind in ("src", "dst")]
    admin = create_engine(postgres_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        for name in names:
            connection.execute(text(f"CREATE DATABASE {name}"))
    urls = [server.set(database=name).render_as_string(hide_password=False) for name in names]
    libpq = [make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
             for url in urls]
    dump = tmp_path / "moderation.dump"
    try:
        source = create_app({**base_config, "SQLALCHEMY_DATABASE_URI": urls[0]})
        with source.app_context():
            upgrade()
            _staff_user()
            page = Page(slug="after-a-miscarriage", title="After a miscarriage",
                        url="https://www.example.org/health/after-a-miscarriage")
            db.session.add(page)
            db.session.flush()
            submit_public_comment(page, "Jo", None, "Is it normal to bleed for two weeks?", None)
            db.session.commit()
            db.session.remove()
            db.engine.dispose()

        subprocess.run(["pg_dump", "--format=custom", "--no-owner", f"--file={dump}",
                        f"--dbname={libpq[0]}"], check=True, timeout=120)
        subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={libpq[1]}",
                        str(dump)], check=True, timeout=120)

        restored = create_app({**base_config, "SQLALCHEMY_DATABASE_URI": urls[1]})
        with restored.app_context():
            preload_model(restored)
            client = restored.test_client()
            assert client.get("/readyz").status_code == 200
            signed_in = _signed_in_client(restored)
            assert "Is it normal to bleed for two weeks?" in signed_in.get("/").get_data(
                as_text=True)
            # Sequences came along: new rows get fresh ids.
            page = db.session.scalars(select(Page)).one()
            submit_public_comment(page, "Sam", None, "When can we try again?", None)
            db.session.commit()
            assert db.session.scalar(select(func.count()).select_from(Comment)) == 2
            db.session.remove()
            db.engine.dispose()
    finally:
        with admin.connect() as connection:
            for name in names:
                connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


def test_a_visitor_reading_a_public_page_during_an_outage_gets_the_friendly_page(
        base_config, tmp_path):
    """No staff wording for the public, and the emergency advice is there."""
    url = f"sqlite:///{tmp_path / 'no-such-folder' / 'moderation.db'}"
    response = create_app({**base_config, "SQLALCHEMY_DATABASE_URI": url}).test_client().get(
        "/pages/after-a-miscarriage")
    assert_friendly_503(response)
    page = response.get_data(as_text=True)
    assert "call 999" in page and "writing a reply" not in page

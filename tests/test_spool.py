"""A public comment is never lost: spooled while the database is down, replayed when it returns."""

from __future__ import annotations

import json
import stat
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from models import Comment, db, utcnow
from moderation import create_app
from moderation.services.spool import (
    SpoolError,
    replay_spool,
    replay_spool_soon,
    spool_public_comment,
    spooled_files,
)
from tests.conftest import TEST_DATABASE_URL
from tests.faultproxy import app_behind_proxy

TOKEN = "0123456789abcdef0123456789abcdef"
BODY = "I had a miscarriage last week and the bleeding has suddenly got much heavier."


def comment_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Comment))


@pytest.fixture
def spool_dir(app, tmp_path) -> Path:
    """An empty spool folder for this test's app."""
    folder = tmp_path / "spool"
    app.config["SPOOL_DIR"] = str(folder)
    return folder


@pytest.fixture
def down_client(app_config: dict[str, Any], database_url: str, spool_dir: Path, tmp_path):
    """A client of the same app whose database cannot be reached, sharing the spool."""
    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'no-such-folder' / 'moderation.db'}"
    else:
        url = "postgresql+psycopg://postgres@127.0.0.1:1/down"
    down = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": url, "SPOOL_DIR": str(spool_dir),
                       "DATABASE_CONNECT_TIMEOUT": 2})
    return down.test_client()


def post_comment(client, slug: str = "after-a-miscarriage", body: str = BODY, token: str = TOKEN):
    return client.post(f"/pages/{slug}", data={"author_name": "Jo", "author_email": "",
                                               "body": body, "form_token": token})


# --- The spool file ----------------------------------------------------------------------------

def test_a_spooled_comment_is_one_private_file(tmp_path):
    """Only the app's user can read a spooled comment; nothing is left half-written."""
    path = spool_public_comment(tmp_path / "spool", "after-a-miscarriage", "Jo", None, BODY,
                                TOKEN)
    assert path.name == f"{TOKEN}.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    record = json.loads(path.read_text())
    assert (record["page_slug"], record["body"], record["form_token"]) == (
        "after-a-miscarriage", BODY, TOKEN)
    assert [p.name for p in path.parent.iterdir()] == [path.name]


def test_a_double_click_spools_one_file(tmp_path):
    """The same form token twice is the same comment."""
    for _ in range(2):
        spool_public_comment(tmp_path, "after-a-miscarriage", "Jo", None, BODY, TOKEN)
    assert len(spooled_files(tmp_path)) == 1


def test_a_tampered_token_cannot_name_a_file_outside_the_spool(tmp_path):
    """The token names the file, so only a well-formed token is used."""
    path = spool_public_comment(tmp_path / "spool", "p", None, None, BODY, "../../etc/x")
    assert path.parent == tmp_path / "spool"
    assert len(path.stem) == 32


def test_a_spool_that_cannot_be_written_says_so(tmp_path):
    """A full or broken disk raises SpoolError (the page then gives the text back)."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    with pytest.raises(SpoolError):
        spool_public_comment(blocker, "p", None, None, BODY, TOKEN)


# --- Replay ------------------------------------------------------------------------------------

def test_replay_stores_the_comment_with_the_time_it_was_sent(app, make_page, spool_dir):
    """Its reply deadline runs from when the visitor sent it, not from the replay."""
    make_page("after-a-miscarriage", "After a miscarriage")
    sent = utcnow() - timedelta(minutes=12)
    spool_public_comment(spool_dir, "after-a-miscarriage", "Jo", "jo@example.test", BODY, TOKEN,
                         now=sent)
    assert replay_spool(app) == 1
    comment = db.session.scalars(select(Comment)).one()
    assert comment.external_id == f"web-{TOKEN}"
    assert comment.body == BODY and comment.author_email == "jo@example.test"
    assert comment.received_at == sent
    assert comment.triaged and comment.due_at <= sent + timedelta(hours=1)
    assert spooled_files(spool_dir) == []


def test_replaying_a_comment_already_stored_adds_no_copy(app, make_page, spool_dir):
    """A replay interrupted after the commit (file not yet deleted) is harmless."""
    make_page("after-a-miscarriage", "After a miscarriage")
    spool_public_comment(spool_dir, "after-a-miscarriage", "Jo", None, BODY, TOKEN)
    assert replay_spool(app) == 1
    spool_public_comment(spool_dir, "after-a-miscarriage", "Jo", None, BODY, TOKEN)
    assert replay_spool(app) == 0
    assert comment_count() == 1
    assert spooled_files(spool_dir) == []


def test_a_comment_for_a_vanished_page_is_kept_on_disk(app, spool_dir):
    """Nothing is deleted that was not stored: a person can look at it."""
    spool_public_comment(spool_dir, "no-such-page", "Jo", None, BODY, TOKEN)
    assert replay_spool(app) == 0
    assert len(spooled_files(spool_dir)) == 1


def test_an_unreadable_spool_file_is_kept_and_the_others_stored(app, make_page, spool_dir):
    """One damaged file does not hold up the comments behind it."""
    make_page("after-a-miscarriage", "After a miscarriage")
    spool_dir.mkdir()
    (spool_dir / "broken.json").write_text("{not json")
    spool_public_comment(spool_dir, "after-a-miscarriage", "Jo", None, BODY, TOKEN)
    assert replay_spool(app) == 1
    assert [p.name for p in spooled_files(spool_dir)] == ["broken.json"]


def test_replay_while_the_database_is_still_down_keeps_every_file(down_client, spool_dir):
    """The replay stops at the first database failure and loses nothing."""
    spool_public_comment(spool_dir, "after-a-miscarriage", "Jo", None, BODY, TOKEN)
    assert replay_spool(down_client.application) == 0
    assert len(spooled_files(spool_dir)) == 1


@pytest.mark.committed
def test_two_replays_at_once_store_each_comment_once(app, make_page, spool_dir):
    """Workers replaying together never double a comment."""
    make_page("after-a-miscarriage", "After a miscarriage")
    for n in range(5):
        spool_public_comment(spool_dir, "after-a-miscarriage", "Jo", None, f"{BODY} ({n})",
                             f"{n:032x}")
    results: list[int] = []
    threads = [threading.Thread(target=lambda: results.append(replay_spool(app)))
               for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert comment_count() == 5
    assert sum(results) == 5
    assert spooled_files(spool_dir) == []


def test_the_cli_replays_the_spool(app, runner, make_page, spool_dir):
    """`flask spool replay` stores what waits and says how many."""
    make_page("after-a-miscarriage", "After a miscarriage")
    spool_public_comment(spool_dir, "after-a-miscarriage", "Jo", None, BODY, TOKEN)
    result = runner.invoke(args=["spool", "replay"])
    assert result.exit_code == 0, result.output
    assert "Stored 1 new comment(s) from the spool; 0 file(s) left." in result.output
    assert comment_count() == 1


def test_the_cli_fails_when_comments_are_left(app, runner, spool_dir):
    """An operator sees at once that some comments still wait."""
    spool_public_comment(spool_dir, "no-such-page", "Jo", None, BODY, TOKEN)
    result = runner.invoke(args=["spool", "replay"])
    assert result.exit_code != 0
    assert "1 spooled comment(s) could not be stored yet" in result.output


@pytest.mark.committed
def test_a_request_starts_a_background_replay(app, client, make_page, spool_dir):
    """Once the database answers again, the next request brings spooled comments in."""
    make_page("after-a-miscarriage", "After a miscarriage")
    app.config["SPOOL_REPLAY_INTERVAL"] = 30
    spool_public_comment(spool_dir, "after-a-miscarriage", "Jo", None, BODY, TOKEN)
    assert client.get("/login").status_code == 200
    app.extensions["spool_replay_thread"].join(60)
    assert comment_count() == 1
    assert replay_spool_soon(app) is None  # checked at most every SPOOL_REPLAY_INTERVAL s


# --- Through the public form ---------------------------------------------------------------------

def test_the_visitor_is_thanked_while_the_database_is_down(app, make_page, down_client,
                                                            spool_dir):
    """Her comment is spooled, she is told it arrived, and the replay stores it once."""
    response = post_comment(down_client)
    assert response.status_code == 202
    page = response.get_data(as_text=True)
    assert "we have received your comment" in page
    assert "call 999" in page
    assert len(spooled_files(spool_dir)) == 1
    post_comment(down_client)  # she presses the button again
    assert len(spooled_files(spool_dir)) == 1

    make_page("after-a-miscarriage", "After a miscarriage")
    assert replay_spool(app) == 1
    assert db.session.scalars(select(Comment.body)).all() == [BODY]


def test_if_even_the_spool_fails_the_visitor_gets_her_text_back(app_config, down_client,
                                                                tmp_path):
    """Never a blank 500: her words are shown back with safety advice."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    down_client.application.config["SPOOL_DIR"] = str(blocker)
    response = post_comment(down_client, body="Bleeding <b>heavily</b> since this morning")
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "could not take your comment" in page
    assert "call 999" in page
    assert "Bleeding &lt;b&gt;heavily&lt;/b&gt; since this morning" in page  # text, never HTML


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="PostgreSQL not configured (TEST_DATABASE_URL)")
def test_a_comment_sent_while_postgresql_is_down_arrives_after_it_returns(triage_model_path,
                                                                          tmp_path):
    """The real server cut mid-service: spooled, then stored once by the replay."""
    from models import Page

    config = {"TESTING": True, "SECRET_KEY": "k", "TRIAGE_MODEL_PATH": str(triage_model_path),
              "WTF_CSRF_ENABLED": False, "RATELIMIT_STORAGE_URI": "memory://",
              "SPOOL_DIR": str(tmp_path / "spool"), "DATABASE_CONNECT_TIMEOUT": 2}
    with app_behind_proxy(config) as (proxied, proxy):
        db.session.add(Page(slug="after-a-miscarriage", title="After a miscarriage",
                            url="https://www.example.org/health/after-a-miscarriage"))
        db.session.commit()
        client = proxied.test_client()
        proxy.cut()
        assert post_comment(client).status_code == 202
        proxy.restore()
        db.session.remove()
        assert replay_spool(proxied) == 1
        assert comment_count() == 1

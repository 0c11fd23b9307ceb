"""Two app instances and two workers on one PostgreSQL and one Redis behave as one service.

Each instance is a real process (`flask run` on its own port of 127.0.0.1), as two nodes behind
the load balancer are; one `requests` session talks to both, as a browser behind that balancer
does (cookies are per host, not per port). PostgreSQL and Redis only: skipped with the reason
without them, failed in CI (REQUIRE_BROWSER=1).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from models import Comment, OutboxMessage, db, utcnow
from moderation.services.outbox import enqueue_email
from tests.alerting_servers import free_port, running_smtp
from tests.conftest import PASSWORD, TEST_DATABASE_URL
from tests.security.conftest import REDIS_TEST_URL, STRICT, redis_url  # noqa: F401 (a fixture)

ROOT = Path(__file__).resolve().parent.parent
FLASK = str(Path(sys.executable).parent / "flask")

pytestmark = [
    pytest.mark.skipif(not TEST_DATABASE_URL and not STRICT,
                       reason="several nodes need PostgreSQL (TEST_DATABASE_URL)"),
    # One shared server database: the SQLite variant of the fixtures does not apply.
    pytest.mark.parametrize("database_url", ["postgresql"], indirect=True),
    # Other processes read what the test writes: real commits, not a rolled-back transaction.
    pytest.mark.committed,
]


def _node_environment(database_url: str, redis: str, instance_dir: Path,
                      model_path: Path) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis,
            "SECRET_KEY": "multi-node-secret", "SESSION_COOKIE_SECURE": "0",
            "TRIAGE_MODEL_PATH": str(model_path), "MODERATION_INSTANCE_DIR": str(instance_dir),
            "LOG_LEVEL": "WARNING", "FLASK_DEBUG": "0"}


def _wait_until_serving(url: str, process: subprocess.Popen, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the instance at {url} exited with {process.returncode}")
        try:
            if requests.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except requests.ConnectionError:
            time.sleep(0.2)
    raise AssertionError(f"the instance at {url} did not start in {timeout} s")


@pytest.fixture(scope="module")
def running_nodes(database_url, triage_model_path, tmp_path_factory) -> Iterator[list[str]]:
    """Two app instances (A, B) on one database and one Redis, started once for the module
    (each start loads the app and the model: seconds); their base URLs."""
    processes, urls = [], []
    try:
        for name in ("a", "b"):
            port = free_port()
            env = _node_environment(database_url, REDIS_TEST_URL,
                                    tmp_path_factory.mktemp(f"node-{name}"), triage_model_path)
            processes.append(subprocess.Popen(
                [FLASK, "--app", "wsgi", "run", "--host", "127.0.0.1", "--port", str(port),
                 "--no-reload", "--no-debugger"],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            urls.append(f"http://127.0.0.1:{port}")
        for url, process in zip(urls, processes, strict=True):
            _wait_until_serving(url, process)
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture
def nodes(app, redis_url, running_nodes) -> list[str]:  # noqa: F811
    """The two instances, for a test with its own (committed) rows and an empty Redis."""
    return running_nodes


def _csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def _claim_notice(html: str) -> str:
    match = re.search(r'id="claim-notice">([^<]*)<', html)
    assert match, "the composer does not say who is answering"
    return match.group(1)


def _sign_in(browser: requests.Session, node: str, email: str,
             password: str = PASSWORD) -> requests.Response:
    token = _csrf_token(browser.get(f"{node}/login", timeout=10).text)
    return browser.post(f"{node}/login", timeout=10, allow_redirects=False,
                        data={"email": email, "password": password, "csrf_token": token})


def test_a_midwife_signed_in_on_one_node_is_signed_in_on_the_other(nodes, midwife):
    node_a, node_b = nodes
    browser = requests.Session()
    assert _sign_in(browser, node_a, midwife.email).status_code == 302
    queue = browser.get(f"{node_b}/", timeout=10, allow_redirects=False)
    assert queue.status_code == 200 and "Sam Jones" in queue.text
    # Signing out on B ends the session everywhere: it is one row in the shared database.
    token = _csrf_token(queue.text)
    browser.post(f"{node_b}/logout", data={"csrf_token": token}, timeout=10)
    assert browser.get(f"{node_a}/", timeout=10, allow_redirects=False).status_code == 302


def test_failed_sign_ins_counted_on_one_node_are_limited_on_the_other(nodes, midwife):
    node_a, node_b = nodes
    browser = requests.Session()
    answers = [_sign_in(browser, node_a, midwife.email, "wrong-password-1").status_code
               for _ in range(5)]
    assert 429 not in answers
    assert _sign_in(browser, node_b, midwife.email, "wrong-password-1").status_code == 429


def test_a_comment_claimed_on_one_node_is_held_on_the_other(nodes, make_user, make_comment):
    node_a, node_b = nodes
    comment = make_comment("When should my period come back?")
    sam = make_user("midwife", email="sam.a@example.test", name="Sam Jones")
    kim = make_user("midwife", email="kim.b@example.test", name="Kim Lee")
    on_a, on_b = requests.Session(), requests.Session()
    assert _sign_in(on_a, node_a, sam.email).status_code == 302
    assert _sign_in(on_b, node_b, kim.email).status_code == 302
    token = _csrf_token(on_a.get(f"{node_a}/comments/{comment.id}", timeout=10).text)
    claimed = on_a.post(f"{node_a}/comments/{comment.id}/claim", data={"csrf_token": token},
                        timeout=10)
    assert claimed.status_code == 200
    seen_on_b = on_b.get(f"{node_b}/comments/{comment.id}", timeout=10).text
    assert 'id="claim-button"' not in seen_on_b
    assert "Sam" in _claim_notice(seen_on_b)
    token = _csrf_token(seen_on_b)
    refused = on_b.post(f"{node_b}/comments/{comment.id}/claim", data={"csrf_token": token},
                        timeout=10)
    assert "Sam" in _claim_notice(refused.text)
    db.session.expire_all()
    assert db.session.get(Comment, comment.id).claimed_by_id == sam.id


def test_two_worker_processes_share_the_outbox_without_sending_anything_twice(
        app, database_url, triage_model_path, tmp_path):
    now = utcnow()
    for n in range(40):
        enqueue_email("urgent_alert", f"person{n}@example.test", "Alert", "Body", f"node-{n}",
                      now=now)
    db.session.commit()
    with running_smtp() as smtp:
        env = {**_node_environment(database_url, "", tmp_path, triage_model_path),
               "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp.port)}
        workers = [subprocess.Popen([FLASK, "--app", "wsgi", "worker", "--once"], cwd=ROOT,
                                    env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    text=True) for _ in range(2)]
        outputs = [worker.communicate(timeout=120) for worker in workers]
        assert [worker.returncode for worker in workers] == [0, 0], outputs
        sent = sum(int(m) for out, _ in outputs for m in re.findall(r"sent: (\d+)", out))
        assert sent == 40, outputs
        received = smtp.wait_for(40)
    assert sorted(smtp.recipients()) == sorted(f"person{n}@example.test" for n in range(40))
    assert len({message["Message-ID"] for _, message in received}) == 40
    assert db.session.scalar(
        select(func.count()).where(OutboxMessage.status == "sent")) == 40

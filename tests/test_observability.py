"""Structured logs: JSON lines carrying the request id, which is also returned to the caller."""

from __future__ import annotations

import io
import json
import logging

import pytest

from moderation.observability import json_handler


@pytest.fixture
def log_lines():
    """Capture what the app logs, through the same JSON handler production uses."""
    stream = io.StringIO()
    handler = json_handler(stream)
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)

    def lines() -> list[dict]:
        return [json.loads(line) for line in stream.getvalue().splitlines()]

    yield lines
    root.removeHandler(handler)
    root.setLevel(previous)


def test_every_response_carries_a_request_id(client):
    """Support can quote one id for a whole request."""
    first = client.get("/login").headers["X-Request-ID"]
    second = client.get("/login").headers["X-Request-ID"]
    assert len(first) == 32 and first != second


def test_the_proxys_request_id_is_kept_when_well_formed(client):
    """nginx's $request_id follows the request into the app's logs."""
    response = client.get("/login", headers={"X-Request-ID": "edge-4f2a9c1b77d0"})
    assert response.headers["X-Request-ID"] == "edge-4f2a9c1b77d0"
    forged = client.get("/login", headers={"X-Request-ID": "<script>alert(1)</script> x"})
    assert len(forged.headers["X-Request-ID"]) == 32  # replaced by a fresh id


def test_each_log_line_is_json_with_the_request_id(client, log_lines):
    """One line per request: method, path, status, duration, and the id."""
    response = client.get("/login", headers={"X-Request-ID": "trace-0000000001"})
    assert response.status_code == 200
    (line,) = [line for line in log_lines() if line["logger"] == "moderation.requests"]
    assert line["request_id"] == "trace-0000000001"
    assert (line["method"], line["path"], line["status"]) == ("GET", "/login", 200)
    assert line["level"] == "INFO" and line["time"] and line["duration_ms"] >= 0


def test_log_lines_written_by_the_app_during_a_request_carry_its_id(app, client, make_page,
                                                                     log_lines):
    """An error deep in a service (here: the model missing) is tied to the request behind it."""
    from moderation.services.health import preload_model

    app.config["TRIAGE_MODEL_PATH"] = "/nowhere/triage-model.skops"
    preload_model(app)  # at worker start, outside any request
    make_page("after-a-miscarriage", "After a miscarriage")
    response = client.post("/pages/after-a-miscarriage", data={"body": "When can we try again?"})
    request_id = response.headers["X-Request-ID"]
    by_logger = {line["logger"]: line["request_id"] for line in log_lines()}
    assert by_logger["moderation.services.health"] == "-"
    assert by_logger["classifier.decision"] == request_id  # the model's failure, logged
    assert by_logger["moderation.requests"] == request_id


def test_request_lines_never_hold_a_comment_or_the_query_string(client, make_page, log_lines):
    """Health details stay in the database, not in the logs."""
    make_page("after-a-miscarriage", "After a miscarriage")
    client.post("/pages/after-a-miscarriage?email=jo@example.test",
                data={"body": "I am bleeding heavily since the scan", "author_name": "Jo"})
    text = json.dumps(log_lines())
    assert "bleeding heavily" not in text and "jo@example.test" not in text

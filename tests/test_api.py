"""The JSON API over HTTP: intake status codes, problem documents, the feed and its caching."""

from __future__ import annotations

import io
import json
import re
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_spec
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from sqlalchemy import select

from models import Comment, Reply, db, utcnow
from moderation import create_app
from moderation.services.sites import create_site, revoke_site
from tests.test_intake import URGENT_BODY, comment_count, comment_request


@pytest.fixture
def site_key(app) -> str:
    """The API key of the charity's website."""
    _site, key = create_site("charity-website")
    db.session.commit()
    return key


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def post_comment(client, key: str, payload=None, **kwargs):
    return client.post("/api/v1/comments", json=payload or comment_request(), headers=auth(key),
                       **kwargs)


@pytest.fixture
def unavailable_client(app_config, database_url, tmp_path):
    """A client of the app whose database cannot be reached."""
    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'no-such-folder' / 'moderation.db'}"
    else:
        url = "postgresql+psycopg://postgres@127.0.0.1:1/down?connect_timeout=2"
    down = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": url})
    return down.test_client()


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    problem = response.get_json(force=True)
    assert problem["status"] == status and problem["title"]
    return problem


# --- POST /api/v1/comments -----------------------------------------------------------------

def test_a_new_comment_answers_201_with_its_triage_and_location(client, site_key):
    response = post_comment(client, site_key, comment_request(body=URGENT_BODY))
    assert response.status_code == 201
    receipt = response.get_json()
    assert set(receipt) == {"id", "status", "urgency", "topic", "due_at", "advice"}
    assert receipt["status"] == "pending" and receipt["urgency"] == "urgent"
    assert receipt["due_at"].endswith("Z")
    assert response.headers["Location"] == f"/api/v1/comments/{receipt['id']}"


def test_retrying_the_same_external_id_answers_200_with_the_same_comment(client, site_key):
    first = post_comment(client, site_key)
    second = post_comment(client, site_key)
    third = post_comment(client, site_key)
    assert (first.status_code, second.status_code, third.status_code) == (201, 200, 200)
    assert first.get_json() == second.get_json() == third.get_json()
    assert comment_count() == 1


@pytest.mark.committed
def test_simultaneous_retries_store_one_comment_and_never_fail(app, site_key):
    barrier = threading.Barrier(6)
    statuses: list[int] = []

    def send() -> None:
        client = app.test_client()
        barrier.wait()
        statuses.append(post_comment(client, site_key).status_code)

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [200] * 5 + [201]
    db.session.expire_all()
    assert comment_count() == 1


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer mk_wrong"}, {"Authorization": "Basic dXNlcjpwYXNz"},
     {"Authorization": "Bearer "}],
    ids=["missing", "wrong", "not-bearer", "empty"],
)
def test_a_missing_or_wrong_key_answers_401(client, site_key, headers):
    response = client.post("/api/v1/comments", json=comment_request(), headers=headers)
    assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert comment_count() == 0


def test_a_revoked_key_answers_401(client, site_key):
    revoke_site("charity-website")
    db.session.commit()
    assert_problem(post_comment(client, site_key), 401)


def test_malformed_json_answers_400(client, site_key):
    response = client.post("/api/v1/comments", data='{"body": "unfinished',
                           content_type="application/json", headers=auth(site_key))
    assert "not valid JSON" in assert_problem(response, 400)["detail"]


def test_deeply_nested_json_answers_400_not_500(client, site_key):
    response = client.post("/api/v1/comments", data="[" * 30000 + "]" * 30000,
                           content_type="application/json", headers=auth(site_key))
    assert_problem(response, 400)


def test_a_request_over_the_size_limit_answers_413(client, site_key):
    response = post_comment(client, site_key, comment_request(body="x" * 70_000))
    assert assert_problem(response, 413)["max_bytes"] == 64 * 1024


def test_a_chunked_request_over_the_size_limit_answers_413(client, site_key):
    body = json.dumps(comment_request(body="x" * 70_000)).encode()
    response = client.post(
        "/api/v1/comments", input_stream=io.BytesIO(body),
        headers={**auth(site_key), "Content-Type": "application/json",
                 "Transfer-Encoding": "chunked"},
        # As gunicorn says of a chunked body: it ends where the stream ends.
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert_problem(response, 413)
    assert comment_count() == 0


def test_the_size_limit_is_configurable(app_config, site_key):
    app_config["API_MAX_CONTENT_LENGTH"] = 2048
    client = create_app(app_config).test_client()
    assert_problem(post_comment(client, site_key, comment_request(body="x" * 3000)), 413)


def test_a_body_that_is_not_json_answers_415(client, site_key):
    response = client.post("/api/v1/comments", data="body=hello",
                           content_type="application/x-www-form-urlencoded",
                           headers=auth(site_key))
    assert_problem(response, 415)


def test_invalid_fields_answer_422_with_a_message_for_each(client, site_key):
    payload = comment_request(body="", author_email="nope", colour="blue")
    problem = assert_problem(post_comment(client, site_key, payload), 422)
    assert set(problem["errors"]) == {"body", "author_email", "colour"}
    assert comment_count() == 0


def test_a_nul_byte_answers_422_naming_the_field(client, site_key):
    problem = assert_problem(post_comment(client, site_key, comment_request(body="a\u0000b")), 422)
    assert "NUL" in problem["errors"]["body"]


def test_a_json_array_answers_422(client, site_key):
    problem = assert_problem(post_comment(client, site_key, [comment_request()]), 422)
    assert "request" in problem["errors"]


def test_an_unavailable_database_answers_503_and_the_retry_succeeds(
    unavailable_client, client, site_key
):
    down = post_comment(unavailable_client, site_key)
    problem = assert_problem(down, 503)
    assert int(down.headers["Retry-After"]) > 0
    assert "same external_id" in problem["detail"]
    assert post_comment(client, site_key).status_code == 201
    assert post_comment(client, site_key).status_code == 200


def test_the_api_needs_no_csrf_token_even_when_csrf_is_on(app_config, site_key):
    app_config["WTF_CSRF_ENABLED"] = True
    client = create_app(app_config).test_client()
    assert post_comment(client, site_key).status_code == 201


# --- GET /api/v1/comments/<id> -------------------------------------------------------------

def test_a_site_can_read_where_its_comment_stands(client, site_key):
    location = post_comment(client, site_key).headers["Location"]
    response = client.get(location, headers=auth(site_key))
    assert response.status_code == 200 and response.get_json()["status"] == "pending"


def test_a_site_cannot_read_another_sites_comment(client, site_key):
    location = post_comment(client, site_key).headers["Location"]
    _other, other_key = create_site("partner-forum")
    db.session.commit()
    assert_problem(client.get(location, headers=auth(other_key)), 404)


# --- GET /api/v1/pages/<slug>/comments ----------------------------------------------------

@pytest.fixture
def answered_page(make_page, make_comment, make_reply, midwife):
    """A page with two answered comments, one unanswered published one and hidden ones."""
    page = make_page("after-a-miscarriage", "After a miscarriage")
    now = utcnow()
    later = make_comment("Second question", status="published", page=page,
                         author_email="second@example.net", received_at=now - timedelta(days=1))
    earlier = make_comment("First question", status="published", page=page,
                           author_email="first@example.net", received_at=now - timedelta(days=3))
    unanswered = make_comment("Published, not yet answered", status="published", page=page,
                              received_at=now - timedelta(hours=5))
    # Its only reply was unpublished by a supervisor: the comment stays, unverified.
    make_reply(unanswered, midwife, "Unpublished answer", published_at=now - timedelta(hours=1),
               withdrawn_at=now - timedelta(minutes=30))
    make_comment("Waiting for a midwife", status="pending", page=page,
                 author_email="pending@example.net")
    make_comment("Spam link", status="spam", page=page)
    make_comment("Rejected", status="rejected", page=page)
    make_reply(earlier, midwife, "Answer to the first", published_at=now - timedelta(days=2))
    make_reply(later, midwife, "Answer to the second", published_at=now - timedelta(hours=2))
    db.session.add(Reply(comment_id=later.id, midwife_id=midwife.id, body="Unpublished draft",
                         published_at=None))
    db.session.commit()
    return page


def test_the_feed_shows_published_comments_oldest_first_with_published_replies(
    client, answered_page
):
    response = client.get("/api/v1/pages/after-a-miscarriage/comments")
    assert response.status_code == 200
    comments = response.get_json()["comments"]
    assert [c["body"] for c in comments] == [
        "First question", "Second question", "Published, not yet answered"]
    assert [r["body"] for r in comments[0]["replies"]] == ["Answer to the first"]
    assert "Unpublished draft" not in response.get_data(as_text=True)
    assert "Unpublished answer" not in response.get_data(as_text=True)
    assert [c["verified"] for c in comments] == [True, True, False]
    assert comments[0]["replies"][0]["author_name"] == "Sam"


def test_the_feed_never_contains_an_email_or_hidden_content(client, answered_page):
    text = client.get("/api/v1/pages/after-a-miscarriage/comments").get_data(as_text=True)
    assert "@" not in text
    for hidden in ("Waiting for a midwife", "Spam link", "Rejected"):
        assert hidden not in text


def test_the_feed_returns_bodies_as_plain_json_strings(client, make_page, make_comment,
                                                       make_reply, midwife):
    page = make_page("p")
    comment = make_comment("<script>alert(1)</script>", status="published", page=page)
    make_reply(comment, midwife)
    response = client.get("/api/v1/pages/p/comments")
    assert response.mimetype == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.get_json()["comments"][0]["body"] == "<script>alert(1)</script>"


def test_an_unchanged_feed_answers_304_to_its_etag(client, answered_page):
    first = client.get("/api/v1/pages/after-a-miscarriage/comments")
    etag = first.headers["ETag"]
    again = client.get("/api/v1/pages/after-a-miscarriage/comments",
                       headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    assert "no-cache" in first.headers["Cache-Control"]


def test_an_unchanged_feed_answers_304_to_its_date(client, answered_page):
    first = client.get("/api/v1/pages/after-a-miscarriage/comments")
    again = client.get("/api/v1/pages/after-a-miscarriage/comments",
                       headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert again.status_code == 304


def test_a_new_published_reply_changes_the_etag_and_date(client, answered_page, make_comment,
                                                         make_reply, midwife):
    first = client.get("/api/v1/pages/after-a-miscarriage/comments")
    # A published_at in the future would be a reply still inside its undo window (not public
    # yet): the new reply is public now, and the ETag alone tells the client it changed.
    comment = make_comment("Third question", status="published", page=answered_page)
    make_reply(comment, midwife, "Answer to the third", published_at=utcnow())
    again = client.get("/api/v1/pages/after-a-miscarriage/comments",
                       headers={"If-None-Match": first.headers["ETag"],
                                "If-Modified-Since": first.headers["Last-Modified"]})
    assert again.status_code == 200
    assert again.headers["ETag"] != first.headers["ETag"]
    assert "Answer to the third" in again.get_data(as_text=True)


def test_a_withdrawn_comment_leaves_the_feed_and_changes_the_etag(client, answered_page):
    first = client.get("/api/v1/pages/after-a-miscarriage/comments")
    comment = db.session.scalar(select(Comment).where(Comment.body == "First question"))
    comment.status, comment.moderated_at = "rejected", utcnow() + timedelta(seconds=2)
    db.session.commit()
    again = client.get("/api/v1/pages/after-a-miscarriage/comments",
                       headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200
    assert "First question" not in again.get_data(as_text=True)


def test_an_unknown_page_answers_404(client):
    assert_problem(client.get("/api/v1/pages/no-such-page/comments"), 404)


def test_a_page_without_answered_comments_has_an_empty_feed(client, make_page):
    make_page("quiet-page")
    assert client.get("/api/v1/pages/quiet-page/comments").get_json()["comments"] == []


# --- The OpenAPI contract --------------------------------------------------------------------

OPENAPI_PATH = Path(__file__).resolve().parent.parent / "moderation" / "openapi.json"


@pytest.fixture(scope="module")
def openapi() -> dict:
    """The OpenAPI document, checked against the OpenAPI 3.1 specification."""
    document = json.loads(OPENAPI_PATH.read_text(encoding="utf-8"))
    validate_spec(document)
    return document


def response_schema_check(openapi: dict, path: str, method: str, response) -> None:
    """Check one real response against what the document says of its status code."""
    operation = openapi["paths"][path][method]
    documented = operation["responses"].get(str(response.status_code))
    assert documented is not None, f"{method.upper()} {path} answered undocumented " \
                                   f"{response.status_code}"
    for header in documented.get("headers", {}):
        assert header in response.headers, f"{response.status_code} lacks header {header}"
    content = documented.get("content")
    if not content:
        assert response.get_data() == b""
        return
    assert response.mimetype in content, f"{response.mimetype} not in {list(content)}"
    registry = Registry().with_resource("urn:openapi", Resource(openapi, DRAFT202012))
    schema = content[response.mimetype]["schema"]
    if "$ref" in schema:
        schema = {"$ref": "urn:openapi" + schema["$ref"]}
    Draft202012Validator(schema, registry=registry,
                         format_checker=Draft202012Validator.FORMAT_CHECKER).validate(
        response.get_json(force=True)
    )


def test_the_served_document_is_the_checked_one(client, openapi):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.get_json() == openapi


def test_every_api_route_is_documented(app, openapi):
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        assert path in openapi["paths"], f"{path} is not documented"
        methods = set(rule.methods or ()) - {"HEAD", "OPTIONS"}
        assert {m.lower() for m in methods} <= set(openapi["paths"][path])


def test_the_documented_labels_are_the_models_labels(openapi):
    from classifier import TOPICS, URGENCIES

    receipt = openapi["components"]["schemas"]["CommentReceipt"]["properties"]
    assert receipt["urgency"]["enum"] == list(URGENCIES)
    assert receipt["topic"]["enum"] == list(TOPICS)


def test_the_documented_request_example_is_accepted(client, site_key, openapi):
    operation = openapi["paths"]["/api/v1/comments"]["post"]
    request_content = operation["requestBody"]["content"]["application/json"]
    for example in request_content["examples"].values():
        registry = Registry().with_resource("urn:openapi", Resource(openapi, DRAFT202012))
        Draft202012Validator({"$ref": "urn:openapi#/components/schemas/CommentSubmission"},
                             registry=registry).validate(example["value"])
        response = post_comment(client, site_key, example["value"])
        assert response.status_code == 201
        response_schema_check(openapi, "/api/v1/comments", "post", response)


def test_every_documented_response_is_what_the_app_sends(
    client, unavailable_client, site_key, answered_page, openapi
):
    """Produce each documented status code of each operation and check it against its schema."""
    comments, one_comment = "/api/v1/comments", "/api/v1/comments/{comment_id}"
    feed, document = "/api/v1/pages/{slug}/comments", "/api/v1/openapi.json"
    json_post = {"content_type": "application/json", "headers": auth(site_key)}

    created = post_comment(client, site_key)
    location = created.headers["Location"]
    fresh_feed = client.get("/api/v1/pages/after-a-miscarriage/comments")
    exchanges = [
        (comments, "post", created),
        (comments, "post", post_comment(client, site_key)),
        (comments, "post", client.post(comments, data="{", **json_post)),
        (comments, "post", client.post(comments, json=comment_request())),
        (comments, "post", post_comment(client, site_key, comment_request(body="x" * 70_000))),
        (comments, "post", client.post(comments, data="x", content_type="text/plain",
                                       headers=auth(site_key))),
        (comments, "post", post_comment(client, site_key, comment_request(body=""))),
        (comments, "post", post_comment(unavailable_client, site_key)),
        (one_comment, "get", client.get(location, headers=auth(site_key))),
        (one_comment, "get", client.get(location)),
        (one_comment, "get", client.get("/api/v1/comments/999999", headers=auth(site_key))),
        (one_comment, "get", unavailable_client.get(location, headers=auth(site_key))),
        (feed, "get", fresh_feed),
        (feed, "get", client.get("/api/v1/pages/after-a-miscarriage/comments",
                                 headers={"If-None-Match": fresh_feed.headers["ETag"]})),
        (feed, "get", client.get("/api/v1/pages/nowhere/comments")),
        (feed, "get", unavailable_client.get("/api/v1/pages/after-a-miscarriage/comments")),
        (document, "get", client.get(document)),
    ]
    seen = set()
    for path, method, response in exchanges:
        response_schema_check(openapi, path, method, response)
        seen.add((path, method, str(response.status_code)))
    documented = {
        (path, method, status)
        for path, operations in openapi["paths"].items()
        for method, operation in operations.items()
        for status in operation["responses"]
    }
    assert seen == documented

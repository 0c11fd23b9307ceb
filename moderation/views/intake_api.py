"""Intake through the JSON API: the charity's website posts comments and reads their status.

The published-thread feed of the same API is served by `moderation.views.feed`.
"""

from __future__ import annotations

import json
import logging
from functools import cache
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, url_for
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import RequestEntityTooLarge

from models import Comment, db
from moderation.errors import problem_response
from moderation.extensions import csrf, limiter
from moderation.services.intake import IntakeError, comment_receipt, receive_comment
from moderation.services.sites import SiteIdentity, active_site_for_key

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Websites authenticate with a bearer key, not a browser session: CSRF does not apply.
csrf.exempt(bp)

log = logging.getLogger(__name__)


@limiter.request_filter
def _not_throttled() -> bool:
    """The API has no rate limit of its own (a site's key is its gate; see docs/api.md), so
    the limiter is told so at its first step instead of resolving no limits on every call."""
    return request.blueprint == bp.name

OPENAPI_DOCUMENT = Path(__file__).resolve().parent.parent / "openapi.json"
RETRY_AFTER_SECONDS = 30
JSON_TYPES = ("application/json",)


@cache
def _openapi_text() -> str:
    return OPENAPI_DOCUMENT.read_text(encoding="utf-8")


def _bearer_site() -> SiteIdentity | None:
    """Return the active site whose key is in the Authorization header."""
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        return None
    return active_site_for_key(key.strip())


def _unauthorised() -> tuple[Response, int]:
    response, status = problem_response(
        401, "Missing or wrong API key",
        "Send your site's key as 'Authorization: Bearer <key>'. "
        "Keys are created with `flask --app wsgi sites create NAME`.",
    )
    response.headers["WWW-Authenticate"] = 'Bearer realm="comments"'
    return response, status


def _too_large(limit: int) -> tuple[Response, int]:
    return problem_response(
        413, "Request too large",
        f"A comment request may be at most {limit:,} bytes; send the JSON as UTF-8.",
        max_bytes=limit,
    )


def _read_json(limit: int) -> tuple[Any, tuple[Response, int] | None]:
    """Parse the request's JSON body, or return the problem response that explains why not."""
    if request.mimetype not in JSON_TYPES and not request.mimetype.endswith("+json"):
        return None, problem_response(
            415, "Unsupported media type",
            "Send the comment as JSON with 'Content-Type: application/json'.",
        )
    if request.content_length is not None and request.content_length > limit:
        return None, _too_large(limit)
    # Chunked bodies have no length: read at most one byte past the limit to tell.
    request.max_content_length = limit + 1
    try:
        raw = request.get_data(cache=True)
    except RequestEntityTooLarge:
        return None, _too_large(limit)
    if len(raw) > limit:
        return None, _too_large(limit)
    try:
        return json.loads(raw), None
    except (ValueError, RecursionError) as exc:
        detail = f"The body is not valid JSON: {exc}" if isinstance(exc, ValueError) else (
            "The body is not valid JSON: nested too deeply."
        )
        return None, problem_response(400, "Malformed JSON", detail)


@bp.post("/comments")
def create_comment():
    """Receive one comment from a website: 201 when new, 200 when already received."""
    site = _bearer_site()
    if site is None:
        return _unauthorised()
    data, problem = _read_json(current_app.config["API_MAX_CONTENT_LENGTH"])
    if problem is not None:
        return problem
    try:
        result = receive_comment(data, site)
    except IntakeError as exc:
        db.session.rollback()
        return problem_response(
            422, "Invalid comment", "Some fields are missing or invalid: see errors.",
            errors=exc.errors,
        )
    receipt = comment_receipt(result.comment)
    db.session.commit()
    response = jsonify(receipt)
    response.status_code = 201 if result.created else 200
    response.headers["Location"] = url_for("api.show_comment", comment_id=receipt["id"])
    return response


@bp.get("/comments/<int:comment_id>")
def show_comment(comment_id: int):
    """Tell a website where one of its own comments stands now."""
    site = _bearer_site()
    if site is None:
        return _unauthorised()
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.site_id != site.id:
        return problem_response(404, "Comment not found",
                                "No comment with this id was sent with your key.")
    return jsonify(comment_receipt(comment))


@bp.get("/openapi.json")
def openapi_document():
    """The OpenAPI 3.1 description of this API."""
    return Response(_openapi_text(), mimetype="application/json")


@bp.errorhandler(OperationalError)
@bp.errorhandler(PoolTimeoutError)
def database_unavailable(error: Exception):
    """The database is down or busy: ask the website to retry with the same external_id."""
    log.error("Database unavailable on %s %s: %s", request.method, request.path, error)
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the connection is already gone; nothing to undo
        log.debug("Rollback after a database failure failed too", exc_info=True)
    detail = "Please try again shortly."
    if request.method == "POST":
        detail = ("The comment was not stored. Retry later with the same external_id: "
                  "a retry never creates a second copy.")
    response, status = problem_response(503, "Service briefly unavailable", detail)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response, status

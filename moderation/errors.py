"""Error pages in the app's layout, and RFC 9457 problem documents under /api/."""

from __future__ import annotations

import logging

from flask import Flask, Response, current_app, jsonify, make_response, render_template, request
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed

log = logging.getLogger(__name__)

# What the database raises when it is down, frozen (a timeout fired) or its pool is exhausted.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeoutError)

FRIENDLY_TITLES = {
    400: "That request could not be understood",
    403: "You do not have access to this page",
    404: "Page not found",
    405: "That action is not allowed here",
    413: "That was too large",
    429: "Too many attempts",
    500: "Something went wrong on our side",
    503: "The service is briefly unavailable",
}


def wants_problem_json() -> bool:
    """Tell whether the failing request came to the JSON API."""
    return request.path.startswith("/api/")


def problem_response(
    status: int, title: str, detail: str = "", **extra: object
) -> tuple[Response, int]:
    """Build an application/problem+json response."""
    body = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    response = jsonify(body)
    response.mimetype = "application/problem+json"
    return response, status


def error_page(status: int, detail: str = "") -> tuple[str, int]:
    """Render the friendly error page in the app's layout."""
    title = FRIENDLY_TITLES.get(status, "Something went wrong")
    return render_template("errors/error.html", status=status, title=title, detail=detail), status


def database_unavailable_response() -> Response:
    """A friendly 503 with Retry-After, rendered without the database (no user, no nav count).

    The template is rendered straight from the Jinja environment, so no context processor runs:
    they would look up the signed-in user or count the queue, and fail the same way.
    """
    safe_rollback()
    retry_after = str(current_app.config.get("DATABASE_RETRY_AFTER", 30))
    if wants_problem_json():
        response, _ = problem_response(503, FRIENDLY_TITLES[503], "Please try again shortly.")
    else:
        template = current_app.jinja_env.get_template("errors/unavailable.html")
        html = template.render(retry_after=retry_after,
                               public=request.path.startswith("/pages/"))
        response = Response(html, 503, mimetype="text/html")
    response.status_code = 503
    response.headers["Retry-After"] = retry_after
    response.headers["Cache-Control"] = "no-store"
    return response


def safe_rollback() -> None:
    """Roll back the request's session after a database failure (which may fail in turn)."""
    from models import db

    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the connection is already gone; nothing to undo
        log.debug("Rollback after a database failure failed too", exc_info=True)


def register(app: Flask) -> None:
    """Install the handlers."""

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    @app.errorhandler(PoolTimeoutError)
    def handle_database_unavailable(error: Exception):
        log.error("Database unavailable on %s %s: %s", request.method, request.path,
                  str(error).splitlines()[0] if str(error) else error.__class__.__name__)
        return database_unavailable_response()

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        status = error.code or 500
        title = FRIENDLY_TITLES.get(status, error.name)
        if status == 429:
            detail = (
                "Too many attempts. For your safety, please wait a few minutes "
                "before trying again."
            )
        else:
            detail = error.description or ""
        if wants_problem_json():
            response, status = problem_response(status, title, detail)
        else:
            try:
                response = make_response(error_page(status, detail))
            except DATABASE_UNAVAILABLE:  # the layout looks the user up: the database is gone
                return database_unavailable_response()
        # A 405 must say which methods the address takes (RFC 9110 §15.5.6).
        if isinstance(error, MethodNotAllowed) and error.valid_methods:
            response.headers["Allow"] = ", ".join(sorted(error.valid_methods))
        return response, status

    @app.errorhandler(Exception)
    def handle_unexpected_error(error: Exception):
        if isinstance(error, HTTPException):
            return handle_http_error(error)
        if isinstance(error, DATABASE_UNAVAILABLE):
            return handle_database_unavailable(error)
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return handle_http_error(InternalServerError())

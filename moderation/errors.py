"""Error pages in the app's layout, and RFC 9457 problem documents under /api/."""

from __future__ import annotations

from flask import Flask, Response, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed

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


def register(app: Flask) -> None:
    """Install the handlers."""

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
            response = make_response(error_page(status, detail))
        # A 405 must say which methods the address takes (RFC 9110 §15.5.6).
        if isinstance(error, MethodNotAllowed) and error.valid_methods:
            response.headers["Allow"] = ", ".join(sorted(error.valid_methods))
        return response, status

    @app.errorhandler(Exception)
    def handle_unexpected_error(error: Exception):
        if isinstance(error, HTTPException):
            return handle_http_error(error)
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return handle_http_error(InternalServerError())

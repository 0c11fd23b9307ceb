"""HTTP response headers that protect health information in the browser."""

from __future__ import annotations

from flask import Flask, Response, g, request, session

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "form-action 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)


def _signed_in() -> bool:
    """Whether the request belongs to a signed-in person, without a database lookup.

    The user already loaded for this request decides; otherwise the session's user id does,
    so this step still works (and errs towards no-store) while the database is unreachable.
    """
    user = g.get("_login_user")
    if user is not None:
        return bool(user.is_authenticated)
    return bool(session.get("_user_id"))


def register(app: Flask) -> None:
    """Attach the headers to every response."""

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        # Signed-in pages show health information: never keep them in any cache.
        if request.endpoint != "static" and _signed_in():
            response.headers["Cache-Control"] = "no-store"
            response.headers["Pragma"] = "no-cache"
        return response

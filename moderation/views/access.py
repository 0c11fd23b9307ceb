"""Role checks for views."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import abort
from flask_login import current_user, login_required


def role_required(*roles: str) -> Callable:
    """Let only signed-in users with one of these roles in; others get a 403 page."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        # Readable by the route audit (tests/security/test_probe.py): who may open this view.
        wrapped.allowed_roles = frozenset(roles)
        return wrapped

    return decorator


staff_required = role_required("midwife", "supervisor")
supervisor_required = role_required("supervisor")


def is_safe_local_path(target: str | None) -> bool:
    """Accept a `next` target only when it is a path on this site."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(char) < 32 or ord(char) == 127 for char in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc

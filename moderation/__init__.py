"""The moderation back-office: application factory."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from moderation.config import INSTANCE_DIR, PROJECT_ROOT, load_config


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Create and configure the moderation app."""
    app = Flask(
        __name__,
        instance_path=str(INSTANCE_DIR),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.from_mapping(load_config())
    if test_config:
        app.config.from_mapping(test_config)
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)

    register_extensions(app)
    register_blueprints(app)
    register_commands(app)
    register_errorhandlers(app)
    register_security_headers(app)
    register_template_helpers(app)
    return app


def register_extensions(app: Flask) -> None:
    """Bind the database, migrations, sign-in, CSRF and rate limiting to the app."""
    from moderation.extensions import csrf, db, limiter, login_manager, migrate
    from moderation.security import harden_url_map
    from moderation.services.auth import load_user_by_session_token

    harden_url_map(app)
    db.init_app(app)
    migrate.init_app(app, db, render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.session_protection = "strong"
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to see the moderation queue."
    login_manager.login_message_category = "info"
    login_manager.user_loader(load_user_by_session_token)


@event.listens_for(Engine, "connect")
def _tune_sqlite(dbapi_connection, connection_record) -> None:
    """Use WAL and a busy timeout on SQLite so several gunicorn workers can share it."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def register_blueprints(app: Flask) -> None:
    """Mount one blueprint per feature, in the order data flows through them."""
    from moderation.views import (
        api,
        auth,
        exports,
        public,
        queue,
        replies,
        reports,
        security,
        snippets,
    )

    for blueprint in (
        auth.bp,
        api.bp,
        public.bp,
        queue.bp,
        replies.bp,
        snippets.bp,
        reports.bp,
        exports.bp,
        security.bp,
    ):
        app.register_blueprint(blueprint)


def register_commands(app: Flask) -> None:
    """Add the `flask --app wsgi …` command groups."""
    from moderation.commands import register

    register(app)


def register_errorhandlers(app: Flask) -> None:
    """Show friendly error pages, JSON problems under /api/, and log server errors."""
    from moderation.errors import register

    register(app)


def register_security_headers(app: Flask) -> None:
    """Send CSP, no-store for signed-in pages and the other protective headers."""
    from moderation.security import register

    register(app)


def register_template_helpers(app: Flask) -> None:
    """Add filters and globals the templates share."""
    from moderation.templating import register

    register(app)
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO)

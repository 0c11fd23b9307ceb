"""The moderation back-office: application factory."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from moderation.config import (
    INSTANCE_DIR,
    PROJECT_ROOT,
    database_engine_options,
    idle_ping_seconds,
    load_config,
)


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
        # A test never replays the developer's own spool unless it asks to.
        if "SPOOL_REPLAY_INTERVAL" not in test_config:
            app.config["SPOOL_REPLAY_INTERVAL"] = 0
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)

    register_observability(app)
    register_extensions(app)
    register_blueprints(app)
    register_commands(app)
    register_errorhandlers(app)
    register_security_headers(app)
    register_template_helpers(app)
    register_spool_replay(app)
    register_report_rollups(app)
    return app


def register_observability(app: Flask) -> None:
    """JSON logs with a request id on every line and in X-Request-ID; request metrics."""
    from moderation import observability
    from moderation.views import metrics

    if not app.testing:
        observability.configure_logging(app)
    observability.register(app)
    metrics.register(app)


def register_extensions(app: Flask) -> None:
    """Bind the database, migrations, sign-in, CSRF and rate limiting to the app."""
    from moderation.extensions import (
        csrf,
        db,
        limiter,
        login_manager,
        migrate,
        ping_idle_connections,
    )
    from moderation.security import harden_url_map
    from moderation.services.auth import load_user_by_session_token

    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", database_engine_options(
        app.config["SQLALCHEMY_DATABASE_URI"], app.config))
    harden_url_map(app)
    db.init_app(app)
    idle_seconds = idle_ping_seconds(app.config)
    if idle_seconds > 0:
        with app.app_context():
            for engine in db.engines.values():
                ping_idle_connections(engine, idle_seconds)
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
    """Use WAL on SQLite so several gunicorn workers can share it (busy timeout: connect_args)."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def register_blueprints(app: Flask) -> None:
    """Mount one blueprint per feature, in the order data flows through them."""
    from moderation.views import (
        alerts,
        audit_trail,
        auth,
        bulk,
        exports,
        feed,
        health,
        incidents,
        intake_api,
        intake_form,
        metrics,
        models,
        notes,
        oncall,
        presence,
        queue,
        replies,
        reports,
        reviews,
        safeguarding,
        saved_views,
        security,
        settings,
        signposting,
        snippets,
        threads,
        users,
        wellbeing,
    )

    for blueprint in (
        health.bp,
        metrics.bp,
        auth.bp,
        intake_api.bp,
        intake_form.bp,
        queue.bp,
        saved_views.bp,
        bulk.bp,
        replies.bp,
        threads.bp,
        notes.bp,
        safeguarding.bp,
        presence.bp,
        snippets.bp,
        signposting.bp,
        feed.bp,
        reports.bp,
        exports.bp,
        settings.bp,
        oncall.bp,
        alerts.bp,
        models.bp,
        incidents.bp,
        wellbeing.bp,
        users.bp,
        audit_trail.bp,
        security.bp,
        reviews.bp,
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


def register_spool_replay(app: Flask) -> None:
    """Replay spooled public comments in the background once the database answers again."""
    from flask import request

    from moderation.services.spool import replay_spool_soon

    @app.before_request
    def replay_spooled_comments() -> None:
        if request.endpoint not in ("static", "health.healthz"):
            replay_spool_soon(app)


def register_report_rollups(app: Flask) -> None:
    """Keep the reports' rolled-up days exact: a flush that changes one forgets it."""
    from moderation.services.reports.rollups import register_rollup_hooks

    register_rollup_hooks()


def register_template_helpers(app: Flask) -> None:
    """Add filters and globals the templates share."""
    from moderation.templating import register

    register(app)

"""The intake ceiling: the least a Flask + SQLAlchemy app can do to take one comment.

Used by bench/bench_intake_overhead.py as the yardstick for `POST /api/v1/comments`. It parses
the same JSON and stores one row in `ceiling_comments`, a table with the same columns and the
same plain indexes and unique constraint as `comments`, with `session.add` + `commit`: no
authentication, validation, settings, page, audit or deadline work. With CEILING_MODEL set to
a model file it also runs our triage (the safety rules, then the model, as intake does) and
stores its urgency, topic and scores: "ceiling + model", the fair comparison for ours.
With CEILING_SEARCH=1 the table also gets the queue's search index (the same trigram index as
`comments`: FTS5 and its triggers on SQLite, pg_trgm GIN on PostgreSQL): "ceiling + model +
search", which shows how much of ours is the index every stored comment must update.

Environment: CEILING_DATABASE_URL (required), CEILING_MODEL and CEILING_SEARCH (optional).
SQLite gets the app's own settings (WAL, foreign keys, a 10 s busy timeout). Serve with
gunicorn, `bench.ceiling_app:app`.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask, jsonify, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Column, Index, MetaData, Table, UniqueConstraint, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import registry

from models import Comment
from models.search_index import create_search_index

CEILING_TABLE = "ceiling_comments"

# The ceiling computes no deadline: every row is due a fixed time after it arrives.
FIXED_DUE = timedelta(hours=4)


def ceiling_table(metadata: MetaData) -> Table:
    """A copy of `comments` without foreign keys: same columns, plain indexes, unique pair."""
    source = Comment.__table__
    columns = [Column(c.name, c.type, primary_key=c.primary_key, nullable=c.nullable,
                      default=c.default.arg if c.default is not None else None,
                      server_default=c.server_default)
               for c in source.columns]
    table = Table(CEILING_TABLE, metadata, *columns,
                  UniqueConstraint("site_id", "external_id", name="uq_ceiling_site_external"))
    for index in source.indexes:
        names = [getattr(expression, "name", None) for expression in index.expressions]
        if all(names) and index.dialect_options["postgresql"].get("where") is None:
            Index(f"ceiling_{index.name}", *(table.c[name] for name in names),
                  unique=index.unique)
    return table


@event.listens_for(Engine, "connect")
def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def create_ceiling_app(database_url: str, model_path: str | None = None,
                       search_index: bool = False) -> Flask:
    """The ceiling app on database_url, with our triage when model_path is given and the
    queue's search index on its table when search_index is true."""
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url
    if database_url.startswith("sqlite"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 10}}
    metadata = MetaData()
    table = ceiling_table(metadata)
    db = SQLAlchemy(app, metadata=metadata)

    class CeilingComment:
        """A row of ceiling_comments."""

    registry(metadata=metadata).map_imperatively(CeilingComment, table)
    model = None
    if model_path:
        from classifier import load_model

        model = load_model(Path(model_path))
    with app.app_context():
        metadata.create_all(db.engine)
        if search_index:
            with db.engine.begin() as connection:
                create_search_index(connection, table=CEILING_TABLE)

    @app.post("/api/v1/comments")
    def create_comment():
        data = request.get_json()
        now = datetime.now(UTC)
        row = {"site_id": 1, "page_id": 1, "external_id": data["external_id"],
               "author_name": data.get("author_name") or "", "body": data["body"],
               "author_email": data.get("author_email"), "status": "pending",
               "received_at": now, "due_at": now + FIXED_DUE}
        if model is not None:
            row |= _triage(model, data["body"])
        comment = CeilingComment()
        for name, value in row.items():
            setattr(comment, name, value)
        db.session.add(comment)
        db.session.flush()  # INSERT … RETURNING id: reading it after the commit would reload
        answer = {"id": comment.id, "urgency": row.get("urgency")}
        db.session.commit()
        return jsonify(answer), 201

    return app


def _triage(model: Any, body: str) -> dict[str, Any]:
    """Our triage for one comment (safety rules, then the model), as the row's columns."""
    from classifier.decision import decide_many

    decision = decide_many([body], model)[0]
    return {"urgency": decision.urgency, "topic": decision.topic,
            "urgency_scores": dict(decision.urgency_scores),
            "topic_scores": dict(decision.topic_scores),
            "urgent_probability": float(decision.urgency_scores.get("urgent", 0.0)),
            "model_version": decision.model_version, "triage_reasons": list(decision.reasons),
            "triaged": not decision.model_failed}


if os.environ.get("CEILING_DATABASE_URL"):
    app = create_ceiling_app(os.environ["CEILING_DATABASE_URL"],
                             os.environ.get("CEILING_MODEL") or None,
                             os.environ.get("CEILING_SEARCH") == "1")

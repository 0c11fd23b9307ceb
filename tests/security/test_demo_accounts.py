"""`demo seed` creates only the two documented accounts, warns, and refuses in production."""

from __future__ import annotations

from sqlalchemy import select

from models import User, db
from moderation import create_app


def test_demo_seed_creates_only_the_three_documented_accounts(runner):
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    emails = set(db.session.scalars(select(User.email)))
    # A midwife, and two supervisors so that one can approve the other's snippet draft.
    assert emails == {"midwife@example.org", "supervisor@example.org",
                      "supervisor2@example.org"}


def test_demo_seed_prints_a_warning(runner):
    result = runner.invoke(args=["demo", "seed"])
    assert "WARNING: demo data only" in result.output


def test_demo_seed_refuses_to_run_in_production(app_config):
    app_config["PRODUCTION"] = True
    app = create_app(app_config)
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["demo", "seed"])
        assert result.exit_code != 0
        assert "production" in result.output
        assert db.session.scalar(select(User)) is None


def test_flask_env_production_marks_the_service_as_production(monkeypatch):
    from moderation.config import load_config

    monkeypatch.delenv("MODERATION_ENV", raising=False)
    monkeypatch.setenv("FLASK_ENV", "production")
    assert load_config()["PRODUCTION"] is True

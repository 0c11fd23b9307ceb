"""The `flask users …` and `flask demo seed` commands."""

from __future__ import annotations

from sqlalchemy import func, select

from models import Comment, Page, Reply, Snippet, User, db
from moderation.services.auth import authenticate


def test_users_create_asks_for_a_password_and_creates_the_account(runner):
    result = runner.invoke(args=["users", "create", "--email", "ana@example.test", "--name",
                                 "Ana Silva", "--role", "midwife"],
                           input="a-long-enough-pass-8\na-long-enough-pass-8\n")
    assert result.exit_code == 0, result.output
    assert authenticate("ana@example.test", "a-long-enough-pass-8").role == "midwife"


def test_users_create_refuses_a_weak_password(runner):
    result = runner.invoke(args=["users", "create", "--email", "ana@example.test", "--name",
                                 "Ana Silva", "--role", "midwife"], input="short\nshort\n")
    assert result.exit_code != 0
    assert "Weak password" in result.output
    assert db.session.scalar(select(User).where(User.email == "ana@example.test")) is None


def test_users_create_refuses_an_unknown_role(runner):
    result = runner.invoke(args=["users", "create", "--email", "x@example.test", "--name", "X",
                                 "--role", "admin"])
    assert result.exit_code == 2
    assert "admin" in result.output


def test_users_deactivate_stops_sign_in(runner, midwife):
    result = runner.invoke(args=["users", "deactivate", "--email", midwife.email])
    assert result.exit_code == 0
    assert authenticate(midwife.email, "correct-horse-battery-42") is None


def test_users_deactivate_names_an_unknown_account(runner):
    result = runner.invoke(args=["users", "deactivate", "--email", "nobody@example.test"])
    assert result.exit_code == 1
    assert "No account for nobody@example.test" in result.output


def _counts() -> dict[str, int]:
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (User, Page, Comment, Reply, Snippet)}


def test_demo_seed_creates_the_demo_world_once(runner):
    first = runner.invoke(args=["demo", "seed"])
    assert first.exit_code == 0, first.output
    assert "midwife@example.org" in first.output and "demo-midwife-2026" in first.output
    counts = _counts()
    assert counts["Comment"] >= 80 and counts["Reply"] >= 20 and counts["Snippet"] >= 10
    assert authenticate("supervisor@example.org", "demo-supervisor-2026").is_supervisor
    second = runner.invoke(args=["demo", "seed"])
    assert second.exit_code == 0
    assert _counts() == counts


def test_demo_seed_triages_pending_comments_with_the_model(runner):
    runner.invoke(args=["demo", "seed"])
    pending = db.session.scalars(select(Comment).where(Comment.status == "pending")).all()
    assert pending and all(c.triaged and c.model_version for c in pending)
    assert {c.urgency for c in pending} == {"urgent", "priority", "routine"}

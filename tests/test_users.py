"""Supervisors manage staff in the app: invite by one-time link, roles, deactivation."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from models import AuditEvent, OutboxMessage, User, db
from moderation.services.auth import AccountError, authenticate
from moderation.services.users import (
    accept_invitation,
    change_role,
    invite_user,
    reinvite_user,
    set_active,
)
from tests.conftest import sign_in

NEW_PASSWORD = "quiet-harbour-42-lanterns"


def token_of(link: str) -> str:
    return link.rsplit("/", 1)[1]


def test_an_invitation_queues_one_email_with_a_link_and_the_account_cannot_sign_in_yet(
        app, supervisor):
    user, link = invite_user(email=" Ada@Example.test ", name="Ada Lovelace", role="midwife",
                             actor=supervisor)
    db.session.commit()
    message = db.session.scalar(select(OutboxMessage))
    assert message.recipient == "ada@example.test" and message.kind == "invitation"
    assert link in message.body and link.startswith(app.config["BASE_URL"] + "/invitations/")
    assert user.last_login_at is None and user.active
    assert authenticate("ada@example.test", NEW_PASSWORD) is None
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"user.created", "user.invited"} <= actions


def test_an_invitation_link_works_once(app, supervisor):
    _, link = invite_user(email="ada@example.test", name="Ada", role="midwife", actor=supervisor)
    db.session.commit()
    user = accept_invitation(token_of(link), NEW_PASSWORD)
    db.session.commit()
    assert user.last_login_at is not None
    assert authenticate("ada@example.test", NEW_PASSWORD) is not None
    with pytest.raises(AccountError, match="used or withdrawn"):
        accept_invitation(token_of(link), "another-long-pass-99")


def test_a_new_link_withdraws_the_old_one(app, supervisor):
    user, old = invite_user(email="ada@example.test", name="Ada", role="midwife",
                            actor=supervisor)
    _, new = reinvite_user(user.id, supervisor)
    db.session.commit()
    with pytest.raises(AccountError):
        accept_invitation(token_of(old), NEW_PASSWORD)
    assert accept_invitation(token_of(new), NEW_PASSWORD).id == user.id


def test_a_tampered_or_weak_acceptance_is_refused_with_a_reason(app, supervisor):
    _, link = invite_user(email="ada@example.test", name="Ada", role="midwife", actor=supervisor)
    with pytest.raises(AccountError, match="not valid"):
        accept_invitation(token_of(link) + "x", NEW_PASSWORD)
    with pytest.raises(AccountError, match="12 characters"):
        accept_invitation(token_of(link), "short1")


def test_an_existing_email_cannot_be_invited_again(app, supervisor, midwife):
    with pytest.raises(AccountError, match="already exists"):
        invite_user(email=midwife.email, name="Sam", role="midwife", actor=supervisor)


def test_role_changes_and_deactivation_are_audited_and_never_applied_to_oneself(
        app, supervisor, midwife):
    change_role(midwife.id, "supervisor", supervisor)
    set_active(midwife.id, False, supervisor)
    db.session.commit()
    assert midwife.role == "supervisor" and not midwife.active
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.role_changed"))
    assert event.actor_id == supervisor.id
    assert event.details == {"before": {"role": "midwife"}, "after": {"role": "supervisor"}}
    with pytest.raises(AccountError):
        change_role(supervisor.id, "midwife", supervisor)
    with pytest.raises(AccountError):
        set_active(supervisor.id, False, supervisor)


# --- Over HTTP -----------------------------------------------------------------------------

def test_only_supervisors_see_the_users_page(midwife_client, supervisor_client, midwife):
    assert midwife_client.get("/users/").status_code == 403
    html = supervisor_client.get("/users/").get_data(as_text=True)
    assert "Sam Jones" in html and "sam@example.test" in html and "Last sign-in" in html


def test_without_smtp_the_supervisor_is_shown_the_link_to_pass_on(supervisor_client):
    response = supervisor_client.post("/users/invite", data={
        "name": "Ada Lovelace", "email": "ada@example.test", "role": "supervisor"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    link = re.search(r'value="(http[^"]+/invitations/[^"]+)"', html).group(1)
    message = db.session.scalar(select(OutboxMessage))
    assert link in message.body


def test_with_smtp_the_link_is_only_emailed(app, supervisor_client):
    app.config["SMTP_CONFIGURED"] = True
    response = supervisor_client.post("/users/invite", data={
        "name": "Ada Lovelace", "email": "ada@example.test", "role": "midwife"},
        follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Invitation sent to ada@example.test" in html and "/invitations/" not in html


def test_a_bad_invitation_keeps_what_was_typed_and_says_why(supervisor_client, midwife):
    response = supervisor_client.post("/users/invite", data={
        "name": "Sam Again", "email": midwife.email, "role": "midwife"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "already exists" in html and 'value="Sam Again"' in html
    assert db.session.scalar(select(OutboxMessage)) is None


def test_invite_accept_then_she_signs_in_with_her_new_password(app, supervisor_client):
    html = supervisor_client.post("/users/invite", data={
        "name": "Ada Lovelace", "email": "ada@example.test", "role": "midwife"}
    ).get_data(as_text=True)
    path = re.search(r'value="http[^"]+(/invitations/[^"]+)"', html).group(1)
    newcomer = app.test_client()
    assert "Choose your password" in newcomer.get(path).get_data(as_text=True)
    response = newcomer.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert newcomer.get("/").status_code == 302  # not signed in by the link itself
    signed_in = newcomer.post("/login", data={"email": "ada@example.test",
                                              "password": NEW_PASSWORD})
    assert signed_in.status_code == 302 and newcomer.get("/").status_code == 200
    again = app.test_client().get(path)
    assert again.status_code == 410 and "used or withdrawn" in again.get_data(as_text=True)


def test_a_deactivated_person_cannot_sign_in_and_can_be_reactivated(app, supervisor_client,
                                                                     midwife):
    assert supervisor_client.post(f"/users/{midwife.id}/deactivate").status_code == 302
    assert sign_in(app.test_client(), midwife).status_code == 200  # refused: form again
    supervisor_client.post(f"/users/{midwife.id}/reactivate")
    assert sign_in(app.test_client(), midwife).status_code == 302


def test_changing_a_role_over_http(supervisor_client, midwife):
    supervisor_client.post(f"/users/{midwife.id}/role", data={"role": "supervisor"})
    assert db.session.get(User, midwife.id, populate_existing=True).role == "supervisor"


def test_role_changes_and_deactivation_are_security_events_on_the_security_page(
        app, supervisor, midwife):
    from moderation.services.security import EventFilter, security_events

    change_role(midwife.id, "supervisor", supervisor)
    set_active(midwife.id, False, supervisor)
    set_active(midwife.id, True, supervisor)
    db.session.commit()
    events = {e.action: e for e in security_events(EventFilter(account=midwife.email))}
    role = events["security.role_changed"]
    assert role.target_id == midwife.id
    assert role.details["before"] == "midwife" and role.details["after"] == "supervisor"
    assert role.details["by"] == supervisor.email
    assert events["security.account_deactivated"].details["by"] == supervisor.email
    assert "security.account_reactivated" in events


def test_a_refused_role_change_leaves_no_security_event(app, supervisor):
    with pytest.raises(AccountError):
        change_role(supervisor.id, "midwife", supervisor)
    db.session.commit()
    assert db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "security.role_changed")) is None

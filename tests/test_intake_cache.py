"""What intake keeps per worker (site keys, service settings) and how soon a change reaches it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from jsonschema import Draft202012Validator
from sqlalchemy import update

from models import Comment, ServiceSetting, Site, db, utcnow
from moderation.services.cache import app_cache
from moderation.services.intake import IntakeError, validate_comment
from moderation.services.intake.validation import request_schema
from moderation.services.settings import update_settings
from moderation.services.signposting import EntryInput, get_entry, seed_register, update_entry
from moderation.services.sites import create_site, revoke_site
from tests.helpers import FakeClock
from tests.test_intake import URGENT_BODY, comment_request


@pytest.fixture
def clock(app) -> FakeClock:
    """Every intake cache of this app reads the fake clock."""
    fake = FakeClock()
    for name in ("site_keys", "service_policy"):
        app_cache(name).clock = fake
    return fake


def post(client, key: str, **overrides):
    return client.post("/api/v1/comments", json=comment_request(**overrides),
                       headers={"Authorization": f"Bearer {key}"})


def test_a_key_revoked_in_this_worker_is_refused_at_once(app, client, clock):
    _site, key = create_site("charity-website")
    db.session.commit()
    assert post(client, key, external_id="a").status_code == 201

    revoke_site("charity-website")
    db.session.commit()

    assert post(client, key, external_id="b").status_code == 401


def test_a_key_revoked_by_another_process_is_refused_within_the_cache_seconds(
        app, client, clock):
    _site, key = create_site("charity-website")
    db.session.commit()
    assert post(client, key, external_id="a").status_code == 201
    # `flask sites revoke` runs in a process of its own: only the database changes.
    db.session.execute(update(Site).values(revoked_at=utcnow()))
    db.session.commit()

    clock.now += app.config["INTAKE_CACHE_SECONDS"] + 0.1

    assert post(client, key, external_id="b").status_code == 401


def test_a_new_site_key_works_at_once(app, client, clock):
    assert post(client, "mk_" + "x" * 43, external_id="a").status_code == 401
    _site, key = create_site("charity-website")
    db.session.commit()
    assert post(client, key, external_id="b").status_code == 201


def test_a_supervisors_new_urgent_target_applies_to_the_next_comment(
        app, client, clock, supervisor):
    _site, key = create_site("charity-website")
    db.session.commit()
    assert post(client, key, external_id="a").status_code == 201  # the policy is cached now

    update_settings({"urgent_target_minutes": 20}, supervisor)
    db.session.commit()
    receipt = post(client, key, external_id="b", body=URGENT_BODY).get_json()

    assert receipt["urgency"] == "urgent"
    stored = db.session.get(Comment, receipt["id"])
    assert stored.due_at - stored.received_at == timedelta(minutes=20)


def test_settings_changed_by_another_process_reach_intake_within_the_cache_seconds(
        app, client, clock):
    _site, key = create_site("charity-website")
    db.session.commit()
    assert post(client, key, external_id="a").status_code == 201
    db.session.add(ServiceSetting(key="urgent_target_minutes", value=25))
    db.session.commit()

    clock.now += app.config["INTAKE_CACHE_SECONDS"] + 0.1
    receipt = post(client, key, external_id="b", body=URGENT_BODY).get_json()

    stored = db.session.get(Comment, receipt["id"])
    assert stored.due_at - stored.received_at == timedelta(minutes=25)


@pytest.mark.parametrize(
    "overrides",
    [
        {"body": ""},
        {"body": "x" * 10_001},
        {"author_name": "J" * 121},
        {"author_email": "a" * 250 + "@x.org"},
        {"external_id": "x" * 201},
        {"in_reply_to": 0},
        {"in_reply_to": True},
        {"page": {"slug": "After", "title": "T", "url": "https://x.org/"}},
        {"page": {"slug": "a", "title": "T", "url": "ftp://x.org/"}},
        {"page": {"slug": "a", "title": "T"}},
        {"colour": "blue"},
    ],
)
def test_whatever_the_published_schema_refuses_intake_refuses(app, overrides):
    payload = comment_request(**overrides)
    assert not Draft202012Validator(request_schema()).is_valid(payload)
    with pytest.raises(IntakeError):
        validate_comment(payload)


def test_a_request_the_published_schema_accepts_is_taken(app):
    payload = comment_request(in_reply_to=None, author_email=None)
    assert Draft202012Validator(request_schema()).is_valid(payload)
    assert validate_comment(payload).external_id == "wp-1001"


def test_a_corrected_phone_number_is_in_the_next_receipt_of_this_worker(
        app, client, clock, supervisor):
    seed_register()
    _site, key = create_site("charity-website")
    db.session.commit()
    first = post(client, key, external_id="a", body=URGENT_BODY).get_json()
    ref = first["advice"]["messages"][0]["register"][0]
    entry = get_entry(ref["key"])
    update_entry(entry, EntryInput(
        name=entry.name, phone="0800 123 4567", hours=entry.hours, nations=tuple(entry.nations),
        categories=tuple(entry.categories), checked_by="Grace Okafor",
        source="https://www.example.org/checked"), supervisor)
    db.session.commit()

    second = post(client, key, external_id="b", body=URGENT_BODY).get_json()

    phones = {r["key"]: r["phone"] for m in second["advice"]["messages"] for r in m["register"]}
    assert phones[ref["key"]] == "0800 123 4567"

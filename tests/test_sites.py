"""Site API keys: created once, stored hashed, revocable; and the `flask sites` commands."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from models import AuditEvent, Site, db
from moderation.services.sites import (
    SiteError,
    create_site,
    list_sites,
    revoke_site,
    site_for_key,
)
from tests.test_intake import comment_request


def test_a_key_is_stored_only_as_its_sha256(app):
    site, key = create_site("charity-website")
    db.session.commit()
    assert site.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key.startswith(site.key_prefix) and len(site.key_prefix) < len(key)
    assert key not in str(db.session.execute(select(Site.__table__)).all())


def test_a_key_finds_its_site_until_it_is_revoked(app):
    site, key = create_site("charity-website")
    assert site_for_key(key) == site
    revoke_site("charity-website")
    assert site_for_key(key) is None


def test_a_wrong_or_odd_key_finds_nothing(app):
    create_site("charity-website")
    for key in ("", "mk_guess", "x" * 500, "mk_" + "a" * 300):
        assert site_for_key(key) is None


def test_site_names_are_unique_and_required(app):
    create_site("charity-website")
    with pytest.raises(SiteError, match="already exists"):
        create_site("charity-website")
    with pytest.raises(SiteError, match="needs a name"):
        create_site("   ")


def test_revoking_is_audited_with_before_and_after(app):
    create_site("charity-website")
    revoke_site("charity-website")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "site.revoked"))
    assert event.details["before"] == {"revoked_at": None}
    assert event.details["after"]["revoked_at"]


def test_revoking_twice_or_an_unknown_site_is_an_error(app):
    create_site("charity-website")
    revoke_site("charity-website")
    with pytest.raises(SiteError, match="already revoked"):
        revoke_site("charity-website")
    with pytest.raises(SiteError, match="No site"):
        revoke_site("nobody")


def test_active_sites_are_listed_first(app):
    create_site("b-site")
    create_site("a-site")
    revoke_site("a-site")
    assert [site.name for site in list_sites()] == ["b-site", "a-site"]


# --- Commands -------------------------------------------------------------------------------

def test_sites_create_prints_the_key_alone_on_the_last_line_and_it_works(runner, client):
    result = runner.invoke(args=["sites", "create", "charity-website"])
    assert result.exit_code == 0, result.output
    key = result.output.strip().splitlines()[-1]
    assert key.startswith("mk_") and " " not in key
    response = client.post("/api/v1/comments", json=comment_request(),
                           headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 201


def test_sites_create_refuses_a_duplicate_name(runner):
    runner.invoke(args=["sites", "create", "charity-website"])
    result = runner.invoke(args=["sites", "create", "charity-website"])
    assert result.exit_code != 0 and "already exists" in result.output


def test_sites_revoke_stops_the_key_working(runner, client):
    key = runner.invoke(args=["sites", "create", "charity-website"]).output.strip().split()[-1]
    result = runner.invoke(args=["sites", "revoke", "charity-website"])
    assert result.exit_code == 0 and "Revoked" in result.output
    response = client.post("/api/v1/comments", json=comment_request(),
                           headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 401


def test_sites_revoke_of_an_unknown_site_fails_clearly(runner):
    result = runner.invoke(args=["sites", "revoke", "nobody"])
    assert result.exit_code != 0 and "No site called 'nobody'" in result.output


def test_sites_list_shows_prefixes_never_keys(runner):
    key = runner.invoke(args=["sites", "create", "charity-website"]).output.strip().split()[-1]
    runner.invoke(args=["sites", "create", "old-forum"])
    runner.invoke(args=["sites", "revoke", "old-forum"])
    output = runner.invoke(args=["sites", "list"]).output
    assert "charity-website" in output and "active" in output
    assert "old-forum" in output and "revoked" in output
    assert key[:10] in output and key not in output

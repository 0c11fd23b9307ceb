"""Presence on a comment: who else is viewing or replying, and the claim's time left."""

from __future__ import annotations

from datetime import timedelta

import pytest

from models import utcnow
from moderation.services.claims import claim_comment
from moderation.services.presence import PresenceError, report_presence


@pytest.fixture
def jo(make_user):
    """A second midwife called Jo."""
    return make_user("midwife", email="jo@example.test", name="Jo Green")


def test_each_sees_the_other_and_who_is_replying(app, midwife, jo, make_comment):
    comment = make_comment("A question")
    now = utcnow()
    claim_comment(comment.id, midwife, now)
    report_presence(comment.id, midwife, now)
    seen_by_jo = report_presence(comment.id, jo, now + timedelta(seconds=1))
    assert [(s.name, s.activity) for s in seen_by_jo.others] == [("Sam", "replying")]
    assert not seen_by_jo.claim_is_mine and seen_by_jo.claim_holder == "Sam"
    seen_by_sam = report_presence(comment.id, midwife, now + timedelta(seconds=2))
    assert [(s.name, s.activity) for s in seen_by_sam.others] == [("Jo", "viewing")]
    assert seen_by_sam.claim_is_mine


def test_someone_who_left_drops_out_after_thirty_seconds(app, midwife, jo, make_comment):
    comment = make_comment("A question")
    now = utcnow()
    report_presence(comment.id, jo, now)
    assert report_presence(comment.id, midwife, now + timedelta(seconds=29)).others
    assert report_presence(comment.id, midwife, now + timedelta(seconds=31)).others == []


def test_the_holder_of_a_claim_counts_as_replying_even_with_her_page_closed(
        app, midwife, jo, make_comment):
    comment = make_comment("A question")
    claim_comment(comment.id, jo)
    others = report_presence(comment.id, midwife).others
    assert [(s.name, s.activity) for s in others] == [("Jo", "replying")]


def test_the_claim_warns_two_minutes_before_it_lapses(app, midwife, make_comment):
    comment = make_comment("A question")
    now = utcnow()
    claimed = claim_comment(comment.id, midwife, now)
    expires = claimed.claim_expires_at
    early = report_presence(comment.id, midwife, expires - timedelta(minutes=5))
    assert early.seconds_left == 300 and not early.warn
    late = report_presence(comment.id, midwife, expires - timedelta(seconds=100))
    assert late.seconds_left == 100 and late.warn
    gone = report_presence(comment.id, midwife, expires + timedelta(seconds=1))
    assert gone.seconds_left is None and not gone.claim_is_mine


def test_a_missing_comment_is_refused(app, midwife):
    with pytest.raises(PresenceError):
        report_presence(999_999, midwife)


def test_presence_over_http(midwife_client, make_comment):
    comment = make_comment("A question")
    data = midwife_client.post(f"/comments/{comment.id}/presence").get_json()
    assert data == {"others": [], "claim": {"holder": None, "mine": False, "expires_at": None,
                                            "seconds_left": None, "warn": False}}
    assert midwife_client.post("/comments/999999/presence").status_code == 404

"""Four eyes on high-risk replies, the reviewer's form, and the weekly peer-review sample."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import delete, select

from models import (
    Comment,
    OutboxMessage,
    Reply,
    ReplyReview,
    Snippet,
    SnippetVersion,
    User,
    db,
    utcnow,
)
from moderation.services.claims import claim_comment
from moderation.services.four_eyes import update_review_settings
from moderation.services.private_replies import send_private_reply
from moderation.services.replies import publish_reply
from moderation.services.review_sampling import (
    SamplingError,
    draw_sample,
    review_report,
    week_bounds,
    week_label,
)
from moderation.services.reviews import (
    ReviewConflict,
    ReviewError,
    ReviewForbidden,
    ReviewInput,
    open_reviews,
    record_review,
)
from tests.conftest import sign_in

URGENT_TEXT = ("Please call 999 now or go to A&E: heavy bleeding with dizziness needs help "
               "straight away. Sam")
ALL_YES = dict.fromkeys(("accurate", "safe", "safety_netted", "kind", "on_topic"), True)


@pytest.fixture
def colleague(make_user) -> User:
    """A second midwife: the second clinician."""
    return make_user("midwife", email="rosa@example.test", name="Rosa Diaz")


def answer(comment: Comment, midwife: User, text: str = "Thank you for writing. Sam") -> Reply:
    claim_comment(comment.id, midwife)
    db.session.commit()
    reply = publish_reply(comment.id, midwife, text, expected_version=comment.version)
    db.session.commit()
    return reply


def review_of(reply: Reply) -> ReplyReview:
    return db.session.scalar(select(ReplyReview).where(ReplyReview.reply_id == reply.id))


# --- Four eyes -------------------------------------------------------------------------------

def test_a_private_reply_waits_for_approval_and_is_emailed_once_approved(
        midwife, colleague, make_comment):
    comment = make_comment("Can we talk privately?", author_email="jo@example.net")
    claim_comment(comment.id, midwife)
    db.session.commit()
    reply = send_private_reply(comment.id, midwife, "Of course. Sam",
                               expected_version=comment.version)
    db.session.commit()
    assert db.session.scalar(select(OutboxMessage.id)) is None
    review = review_of(reply)
    assert review.source == "before_publishing" and review.category == "private"
    record_review(review.id, colleague, ReviewInput(verdict="agree"))
    db.session.commit()
    [message] = db.session.scalars(select(OutboxMessage))
    assert message.kind == "private_reply" and message.recipient == "jo@example.net"


def test_a_safeguarding_reply_is_off_the_public_page_until_approved(
        client, midwife, colleague, make_comment):
    comment = make_comment("He shouts at me since the loss. I am fine, really.",
                           red_flag=True, red_flag_categories=["abuse"], redactions=[[0, 7]])
    reply = answer(comment, midwife, "Thank you for telling us. You deserve support. Sam")
    assert reply.published_at is None
    page = client.get("/pages/after-a-miscarriage").get_data(as_text=True)
    assert "You deserve support" not in page
    record_review(review_of(reply).id, colleague, ReviewInput(verdict="agree"))
    db.session.commit()
    page = client.get("/pages/after-a-miscarriage").get_data(as_text=True)
    assert "You deserve support" in page


def test_an_urgent_reply_publishes_at_once_and_is_reviewed_within_24_hours(
        midwife, make_comment):
    comment = make_comment("Soaking a pad every hour and dizzy", urgency="urgent")
    before = utcnow()
    reply = answer(comment, midwife, URGENT_TEXT)
    assert reply.published_at is not None and reply.published_at <= utcnow()
    review = review_of(reply)
    assert (review.source, review.category) == ("after_publishing", "urgent")
    assert before + timedelta(hours=24) <= review.due_at <= utcnow() + timedelta(hours=24)


def test_a_routine_reply_needs_no_second_clinician(midwife, make_comment):
    reply = answer(make_comment("How long does bleeding last?"), midwife)
    assert review_of(reply) is None


def test_urgent_replies_can_be_set_to_wait_for_approval(supervisor, midwife, make_comment):
    update_review_settings({"private": "before", "safeguarding": "before",
                            "urgent": "before"}, 5, supervisor)
    db.session.commit()
    reply = answer(make_comment("Bleeding heavily", urgency="urgent"), midwife, URGENT_TEXT)
    assert reply.published_at is None and review_of(reply).source == "before_publishing"


def test_nobody_reviews_her_own_reply(midwife, make_comment):
    reply = answer(make_comment("Bleeding heavily", urgency="urgent"), midwife, URGENT_TEXT)
    with pytest.raises(ReviewForbidden, match="You wrote this reply"):
        record_review(review_of(reply).id, midwife, ReviewInput(verdict="agree"))
    assert open_reviews(midwife) == []


def test_a_concern_on_a_held_reply_sends_the_comment_back_and_tells_author_and_supervisor(
        midwife, colleague, supervisor, make_comment):
    comment = make_comment("Can we talk privately?", author_email="jo@example.net")
    claim_comment(comment.id, midwife)
    db.session.commit()
    reply = send_private_reply(comment.id, midwife, "Of course. Sam",
                               expected_version=comment.version)
    db.session.commit()
    record_review(review_of(reply).id, colleague,
                  ReviewInput(verdict="concern", note="Give the helpline number too."))
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Comment, comment.id).status == "pending"
    assert db.session.get(Reply, reply.id).withdrawn_at is not None
    told = set(db.session.scalars(select(OutboxMessage.recipient)
                                  .where(OutboxMessage.kind == "review_concern")))
    assert told == {midwife.email, supervisor.email}
    assert db.session.scalar(select(OutboxMessage.id).where(
        OutboxMessage.kind == "private_reply")) is None


def test_a_reply_is_reviewed_once(midwife, colleague, make_user, make_comment):
    reply = answer(make_comment("Bleeding heavily", urgency="urgent"), midwife, URGENT_TEXT)
    record_review(review_of(reply).id, colleague, ReviewInput(verdict="agree"))
    db.session.commit()
    with pytest.raises(ReviewConflict, match="already reviewed"):
        record_review(review_of(reply).id, make_user("supervisor"), ReviewInput(verdict="agree"))


@pytest.mark.parametrize(("data", "message"), [
    (ReviewInput(verdict="maybe"), "Choose agree or concern"),
    (ReviewInput(verdict="concern", note=" "), "Say what the concern is"),
    (ReviewInput(verdict="agree", checks={**ALL_YES, "kind": False}), "is a concern"),
])
def test_a_bad_review_is_refused_clearly(midwife, colleague, make_comment, data, message):
    reply = answer(make_comment("Bleeding heavily", urgency="urgent"), midwife, URGENT_TEXT)
    with pytest.raises(ReviewError, match=message):
        record_review(review_of(reply).id, colleague, data)
    assert review_of(reply).reviewed_at is None


# --- Weekly sample ---------------------------------------------------------------------------

def published_in_a_past_week(make_comment, make_reply, midwives, per_stratum):
    """Replies published two weeks ago: `per_stratum[(urgency, index)]` each."""
    week = week_label(utcnow().date() - timedelta(days=14))
    start, _ = week_bounds(week)
    for (urgency, index), count in per_stratum.items():
        for n in range(count):
            comment = make_comment(f"Question {urgency} {index} {n}", urgency=urgency,
                                   status="published")
            make_reply(comment, midwives[index], published_at=start + timedelta(hours=n + 1))
    return week


def test_the_weekly_sample_is_reproducible_with_a_seed(make_user, make_comment, make_reply):
    midwives = [make_user("midwife") for _ in range(2)]
    week = published_in_a_past_week(make_comment, make_reply, midwives,
                                    {("routine", 0): 30, ("routine", 1): 20, ("urgent", 0): 10})
    first = sorted(r.reply_id for r in draw_sample(week, percent=10, seed=42).reviews)
    db.session.execute(delete(ReplyReview))
    again = sorted(r.reply_id for r in draw_sample(week, percent=10, seed=42).reviews)
    db.session.execute(delete(ReplyReview))
    other = sorted(r.reply_id for r in draw_sample(week, percent=10, seed=7).reviews)
    assert first == again and len(first) == 6
    assert other != first


def test_the_weekly_sample_is_stratified_by_urgency_and_midwife(make_user, make_comment,
                                                                make_reply):
    midwives = [make_user("midwife") for _ in range(2)]
    sizes = {("routine", 0): 40, ("routine", 1): 20, ("priority", 1): 20, ("urgent", 0): 20}
    week = published_in_a_past_week(make_comment, make_reply, midwives, sizes)
    sample = draw_sample(week, percent=10, seed=3)
    taken = Counter((r.reply.comment.urgency, midwives.index(r.reply.midwife))
                    for r in sample.reviews)
    # 10 % of each stratum exactly: a busy stratum never crowds out the others.
    assert taken == {("routine", 0): 4, ("routine", 1): 2, ("priority", 1): 2, ("urgent", 0): 2}


@pytest.mark.parametrize("percent", [0, -5, 101, "lots"])
def test_a_sampling_percentage_of_0_or_over_100_is_refused(percent):
    with pytest.raises(SamplingError, match="sampling percentage must"):
        draw_sample(week_label(utcnow().date() - timedelta(days=14)), percent=percent)


def test_a_week_is_sampled_once_and_never_before_it_ends(make_user, make_comment, make_reply):
    week = published_in_a_past_week(make_comment, make_reply, [make_user("midwife")],
                                    {("routine", 0): 5})
    draw_sample(week, percent=50, seed=1)
    with pytest.raises(SamplingError, match="already sampled"):
        draw_sample(week, percent=50, seed=1)
    with pytest.raises(SamplingError, match="has not ended"):
        draw_sample(week_label(utcnow().date()), percent=50)


def test_a_sampled_review_needs_every_question_answered(make_user, make_comment, make_reply,
                                                        colleague):
    week = published_in_a_past_week(make_comment, make_reply, [make_user("midwife")],
                                    {("routine", 0): 1})
    [review] = draw_sample(week, percent=100, seed=1).reviews
    with pytest.raises(ReviewError, match="missing: safety-netted"):
        record_review(review.id, colleague, ReviewInput(
            verdict="agree", checks={**ALL_YES, "safety_netted": None}))
    record_review(review.id, colleague, ReviewInput(verdict="agree", checks=ALL_YES))
    assert review.safety_netted is True


def test_the_cli_draws_a_sample_and_names_the_seed(runner, make_user, make_comment,
                                                   make_reply):
    week = published_in_a_past_week(make_comment, make_reply, [make_user("midwife")],
                                    {("routine", 0): 10})
    result = runner.invoke(args=["reviews", "sample", "--week", week, "--seed", "9"])
    assert result.exit_code == 0, result.output
    assert f"Week {week}: sampled 1 of 10 replies (5 %), seed 9." in result.output
    refused = runner.invoke(args=["reviews", "sample", "--week", week, "--percent", "0"])
    assert refused.exit_code != 0 and "more than 0 and at most 100" in refused.output


def test_the_report_shows_coverage_and_findings_per_topic_and_snippet(
        make_user, make_comment, make_reply, colleague):
    week = published_in_a_past_week(make_comment, make_reply, [make_user("midwife")],
                                    {("routine", 0): 4})
    [review] = draw_sample(week, percent=25, seed=1).reviews
    record_review(review.id, colleague, ReviewInput(
        verdict="concern", note="No safety-net advice.", checks={**ALL_YES,
                                                                 "safety_netted": False}))
    start, end = week_bounds(week)
    tables = review_report(start, end)
    [topic] = tables["topics"]
    assert (topic.label, topic.replies, topic.reviewed, topic.concerns) == ("bleeding", 4, 1, 1)
    assert topic.noes["safety_netted"] == 1 and topic.coverage == 25
    assert [row.label for row in tables["snippets"]] == ["No snippet"]


# --- Over HTTP -------------------------------------------------------------------------------

def test_the_review_page_shows_comment_reply_and_snippet_diff(app, midwife, colleague,
                                                              make_comment, make_snippet):
    snippet = make_snippet("urgent_physical", topic=None, title="Urgent help",
                           body="Please call 999 now, {first_name}.\n\n{signature}")
    comment = make_comment("Bleeding and dizzy", urgency="urgent", author_name="Alex")
    claim_comment(comment.id, midwife)
    db.session.commit()
    reply = publish_reply(comment.id, midwife, "Please call 999 now, Alex. Go to A&E.\n\nSam",
                          expected_version=comment.version, snippet_id=snippet.id,
                          snippet_version=1)
    db.session.commit()
    client = app.test_client()
    sign_in(client, colleague)
    html = client.get(f"/reviews/{review_of(reply).id}").get_data(as_text=True)
    assert "Bleeding and dizzy" in html and "Go to A&amp;E" in html
    assert 'class="diff-add"' in html and "Record review" in html
    response = client.post(f"/reviews/{review_of(reply).id}",
                           data={"verdict": "concern", "note": ""})
    assert response.status_code == 422
    assert "Say what the concern is" in response.get_data(as_text=True)


def test_a_midwife_sees_no_form_on_her_own_reply(midwife_client, midwife, make_comment):
    reply = answer(make_comment("Bleeding heavily", urgency="urgent"), midwife, URGENT_TEXT)
    html = midwife_client.get(f"/reviews/{review_of(reply).id}").get_data(as_text=True)
    assert "You wrote this reply" in html and "Record review" not in html


@pytest.mark.parametrize("percent", ["0", "101"])
def test_a_bad_sampling_percentage_is_refused_on_the_settings_form(supervisor_client,
                                                                   percent):
    response = supervisor_client.post("/reviews/settings", data={
        "private": "before", "safeguarding": "before", "urgent": "after",
        "peer_review_percent": percent})
    assert response.status_code == 422
    assert "more than 0 and at most 100" in response.get_data(as_text=True)


# --- Demo ------------------------------------------------------------------------------------

def test_the_demo_has_a_snippet_change_waiting_and_an_urgent_reply_to_review(runner):
    assert runner.invoke(args=["demo", "seed"]).exit_code == 0
    assert runner.invoke(args=["demo", "seed"]).exit_code == 0  # idempotent
    helen, amara = (db.session.scalar(select(User).where(User.email == email))
                    for email in ("supervisor@example.org", "supervisor2@example.org"))
    assert amara.is_supervisor
    [draft] = db.session.scalars(select(SnippetVersion).where(SnippetVersion.status == "draft"))
    assert draft.created_by_id == helen.id and "call 999" in draft.body
    [review] = db.session.scalars(select(ReplyReview))
    assert (review.source, review.reply.comment.urgency) == ("after_publishing", "urgent")
    assert review.reply.published_at is not None and review.due_at > utcnow()
    # Every seeded snippet is live (approved) and owned by an account.
    assert all(s.approved_at and s.clinical_owner_id for s in db.session.scalars(select(Snippet)))


def test_the_composer_says_a_held_reply_waits_for_approval(midwife_client, midwife,
                                                           make_comment):
    comment = make_comment("He shouts at me since the loss.", red_flag=True,
                           red_flag_categories=["abuse"], redactions=[[0, 2]])
    answer(comment, midwife, "Thank you for telling us. You deserve support. Sam")
    html = midwife_client.get(f"/comments/{comment.id}").get_data(as_text=True)
    assert "waits for a second clinician&#39;s approval" in html


def test_a_private_reply_to_an_urgent_comment_goes_out_at_once_and_is_reviewed_after(
        midwife, make_comment):
    comment = make_comment("He hurt me tonight and I am scared", urgency="urgent",
                           author_email="kim@example.net", red_flag=True,
                           red_flag_categories=["abuse"])
    claim_comment(comment.id, midwife)
    db.session.commit()
    reply = send_private_reply(comment.id, midwife, "If you are in danger now, call 999. Sam",
                               expected_version=comment.version)
    db.session.commit()
    assert reply.outbox_message_id is not None  # help is never delayed
    assert (review_of(reply).source, review_of(reply).category) == ("after_publishing",
                                                                    "urgent")

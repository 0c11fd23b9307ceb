"""Demo data of clinical governance: a second supervisor, a snippet change waiting for
approval, and an urgent reply published at once and waiting for its 24-hour review."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from models import Comment, Page, Reply, ReplyReview, Snippet, SnippetVersion, User, db, utcnow
from moderation.services.four_eyes import REVIEW_WITHIN
from moderation.services.settings import current_policy
from moderation.services.snippets import SnippetInput, update_snippet
from moderation.services.working_hours import reply_due_at

DRAFTED_KEY = "bleeding_duration"
# Added by the demo's draft: a safety-net line the second supervisor is asked to approve.
DRAFT_ADDITION = ("If you need to change a large pad every hour for two hours, or you feel "
                  "faint, please call 999 or go to A&E.")
URGENT_ID = "demo-governance-urgent"
URGENT_COMMENT = ("Two days after the tablets to pass the pregnancy and I'm shivering and "
                  "the cramps are much worse than yesterday. Is that normal?")
URGENT_REPLY = ("Hi {name}, shivering with worse pain after a medical management needs to be "
                "checked today, as it can be a sign of infection. Please call your early "
                "pregnancy unit now, or NHS 111; if you feel very unwell or faint, call 999 or "
                "go to A&E.\n\nGrace, Midwife")


def seed_governance_demo(supervisor_email: str, midwife_email: str) -> dict[str, int]:
    """Add what is missing; running it twice adds nothing the second time."""
    supervisor = db.session.scalar(select(User).where(User.email == supervisor_email))
    midwife = db.session.scalar(select(User).where(User.email == midwife_email))
    if supervisor is None or midwife is None:
        return {"snippet drafts": 0, "replies to review": 0}
    _approve_seeded_snippets(supervisor)
    return {"snippet drafts": _draft_change(supervisor),
            "replies to review": _urgent_reply_to_review(midwife)}


def _approve_seeded_snippets(owner: User) -> None:
    """The demo library was written and checked before change control: it is live."""
    now = utcnow()
    for snippet in db.session.scalars(select(Snippet).where(Snippet.approved_at.is_(None))):
        first = db.session.scalar(select(SnippetVersion).where(
            SnippetVersion.snippet_id == snippet.id, SnippetVersion.version == snippet.version))
        if first is None or first.created_by_id is not None:
            continue  # a draft someone wrote: it waits for its approver
        first.status, first.approved_at = "approved", now
        snippet.approved_at = now
        if snippet.clinical_owner_id is None:
            snippet.clinical_owner_id, snippet.clinical_owner = owner.id, ""
    db.session.flush()


def _draft_change(supervisor: User) -> int:
    snippet = db.session.scalar(select(Snippet).where(Snippet.key == DRAFTED_KEY))
    if snippet is None or snippet.version != 1 or DRAFT_ADDITION in snippet.body:
        return 0
    if db.session.scalar(select(SnippetVersion.id).where(
            SnippetVersion.snippet_id == snippet.id, SnippetVersion.version > 1)) is not None:
        return 0
    body, signature = snippet.body.rsplit("\n\n", 1) if "\n\n" in snippet.body else (
        snippet.body, "")
    new_body = f"{body}\n\n{DRAFT_ADDITION}" + (f"\n\n{signature}" if signature else "")
    update_snippet(snippet.id, SnippetInput(
        title=snippet.title, topic=snippet.topic, body=new_body,
        clinical_owner_id=snippet.clinical_owner_id, review_by=snippet.review_by), supervisor)
    return 1


def _urgent_reply_to_review(midwife: User) -> int:
    if db.session.scalar(select(Comment.id).where(Comment.external_id == URGENT_ID)):
        return 0
    page = db.session.scalar(select(Page).order_by(Page.id))
    if page is None:
        return 0
    now = utcnow()
    received, replied = now - timedelta(hours=2, minutes=25), now - timedelta(hours=2)
    comment = Comment(
        page=page, external_id=URGENT_ID, author_name="Bea", author_email=None,
        body=URGENT_COMMENT, posted_at=received, received_at=received, status="published",
        urgency="urgent", topic="bleeding", triaged=True, urgency_scores={}, topic_scores={},
        triage_reasons=[], urgent_probability=1.0, red_flag=True,
        red_flag_categories=["physical_emergency"],
        due_at=reply_due_at(received, "urgent", current_policy()),
        first_replied_at=replied, moderated_by_id=midwife.id,
        response_seconds=int((replied - received).total_seconds()))
    db.session.add(comment)
    db.session.flush()
    reply = Reply(comment_id=comment.id, midwife_id=midwife.id,
                  body=URGENT_REPLY.format(name="Bea"), created_at=replied,
                  published_at=replied)
    db.session.add(reply)
    db.session.flush()
    db.session.add(ReplyReview(reply_id=reply.id, source="after_publishing", category="urgent",
                               created_at=replied, due_at=replied + REVIEW_WITHIN))
    db.session.flush()
    return 1

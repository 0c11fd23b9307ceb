"""Four eyes on high-risk replies: which replies a second clinician sees, and when.

Three categories are high-risk: private-channel replies, replies to a safeguarding comment,
and replies to an urgent comment. A setting per category says "before" (the reply is held
until a second clinician approves it) or "after" (it goes out at once and is reviewed within
24 hours, so help is never delayed). A reply to an urgent comment follows the urgent rule
(help is never delayed by a private or safeguarding rule); otherwise a reply in several
categories gets the stricter rule.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from models import Comment, Reply, ReplyReview, User, db
from moderation.services.settings import current_settings

CATEGORIES = ("private", "safeguarding", "urgent")
MODES = ("before", "after")
MODE_WORDS = {"before": "approve before publishing",
              "after": "publish at once, second clinician reviews within 24 hours"}
CATEGORY_WORDS = {"private": "Private-channel replies", "safeguarding": "Safeguarding replies",
                  "urgent": "Urgent replies"}
REVIEW_WITHIN = timedelta(hours=24)
# The labelling guide's safeguarding flag, and the red-flag category for abuse at home.
SAFEGUARDING_CATEGORIES = ("safeguarding", "abuse")


def is_safeguarding(comment: Comment) -> bool:
    """Tell whether the comment carries the safeguarding flag (or the abuse red flag)."""
    return any(category in SAFEGUARDING_CATEGORIES
               for category in (comment.red_flag_categories or []))


def setting_key(category: str) -> str:
    """The service setting that holds a category's rule."""
    return f"four_eyes_{category}"


def current_modes() -> dict[str, str]:
    """The rule in force for each high-risk category."""
    settings = current_settings()
    return {category: settings[setting_key(category)] for category in CATEGORIES}


def categories_of(comment: Comment, kind: str) -> list[str]:
    """The high-risk categories a reply of this kind to this comment falls in."""
    found = []
    if kind == "private":
        found.append("private")
    if is_safeguarding(comment):
        found.append("safeguarding")
    if comment.urgency == "urgent":
        found.append("urgent")
    return found


def review_rule(comment: Comment, kind: str) -> tuple[str | None, str | None]:
    """Return (mode, category) for a reply, (None, None) if it needs no second clinician.

    For an urgent comment the urgent rule decides, so help is never delayed unless the
    supervisors chose so; otherwise "before" wins over "after".
    """
    modes = current_modes()
    found = categories_of(comment, kind)
    if "urgent" in found:
        return modes["urgent"], "urgent"
    for wanted in MODES:
        for category in found:
            if modes[category] == wanted:
                return wanted, category
    return None, None


def open_review(reply: Reply, mode: str, category: str, now: datetime) -> ReplyReview:
    """Put a new reply in front of a second clinician (flushed; the caller commits)."""
    source = "before_publishing" if mode == "before" else "after_publishing"
    review = ReplyReview(reply_id=reply.id, source=source, category=category, created_at=now,
                         due_at=None if mode == "before" else now + REVIEW_WITHIN)
    db.session.add(review)
    db.session.flush()
    return review


def held_for_approval(reply: Reply) -> bool:
    """Tell whether a reply waits for a second clinician before it goes out."""
    return db.session.query(ReplyReview.id).filter(
        ReplyReview.reply_id == reply.id, ReplyReview.source == "before_publishing",
        ReplyReview.reviewed_at.is_(None)).first() is not None


def may_review(user: User, reply: Reply) -> bool:
    """A second clinician is anyone on the staff but the reply's author."""
    return user.active and user.id != reply.midwife_id


def update_review_settings(modes: dict[str, str], percent: object, actor: User) -> None:
    """A supervisor sets the rule per category and the sampling percentage (audited)."""
    from moderation.services.review_sampling import check_percent
    from moderation.services.settings import update_settings

    if not actor.is_supervisor:
        raise ValueError("Only a supervisor can change the review settings.")
    changes: dict[str, object] = {}
    for category in CATEGORIES:
        mode = modes.get(category)
        if mode not in MODES:
            raise ValueError(f"{CATEGORY_WORDS[category]}: choose approve before publishing "
                             "or publish at once and review within 24 hours.")
        changes[setting_key(category)] = mode
    changes["peer_review_percent"] = check_percent(percent)
    update_settings(changes, actor)

"""Peer review sampling, and the governance report of what reviews found.

Each week a random share of the replies that went out (a setting, 5 % by default) is put in
the review queue. The sample is stratified by the comment's urgency and the midwife who
answered: every stratum gets its proportional share (largest remainder), so a busy midwife
does not crowd out the others and urgent answers are always represented in proportion. A
seed makes the draw reproducible: the same week, percentage and seed give the same replies.
"""

from __future__ import annotations

import math
import random
import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Row, and_, or_, select

from models import REVIEW_CHECKS, Comment, Reply, ReplyReview, Snippet, User, db, utcnow
from moderation.services.audit import record_event
from moderation.services.settings import current_settings, update_settings

Stratum = tuple[str, int]  # (urgency, midwife id)


class SamplingError(ValueError):
    """The sample was refused; str(exc) says why."""


@dataclass(frozen=True)
class Sample:
    """One week's draw: which replies, from how many, and the seed that reproduces it."""

    week: str
    seed: int
    percent: float
    candidates: int
    reviews: list[ReplyReview]
    # stratum -> (replies that went out, replies sampled)
    strata: dict[Stratum, tuple[int, int]]


def check_percent(value: Any) -> float:
    """A sampling percentage: a number more than 0 and at most 100."""
    try:
        percent = float(value)
    except (TypeError, ValueError) as exc:
        raise SamplingError(f"The sampling percentage must be a number, not {value!r}.") \
            from exc
    if not math.isfinite(percent) or not 0 < percent <= 100:
        raise SamplingError("The sampling percentage must be more than 0 and at most 100 "
                            f"(not {value}).")
    return percent


def set_sample_percent(value: Any, actor: User) -> float:
    """A supervisor changes the weekly sampling percentage (audited)."""
    percent = check_percent(value)
    update_settings({"peer_review_percent": percent}, actor)
    return percent


def week_label(day: date) -> str:
    """The ISO week a day falls in, as "2026-W48"."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def last_week(now: datetime | None = None) -> str:
    """The last full ISO week before `now`."""
    return week_label((now or utcnow()).date() - timedelta(days=7))


def week_bounds(week: str) -> tuple[datetime, datetime]:
    """The UTC start and end of an ISO week written "2026-W48"."""
    try:
        year, number = week.strip().upper().split("-W")
        monday = date.fromisocalendar(int(year), int(number), 1)
    except (AttributeError, ValueError) as exc:
        raise SamplingError(f"Write the week as YYYY-Www, e.g. 2026-W48 (not {week!r}).") \
            from exc
    start = datetime.combine(monday, time(0, 0), tzinfo=UTC)
    return start, start + timedelta(days=7)


def _went_out(start: datetime, end: datetime) -> list[Any]:
    """Conditions: a reply written in [start, end) that went out (published or emailed)."""
    return [Reply.created_at >= start, Reply.created_at < end, Reply.withdrawn_at.is_(None),
            or_(Reply.is_published,
                and_(Reply.kind == "private", Reply.outbox_message_id.is_not(None)))]


def replies_out_in(start: datetime, end: datetime) -> list[Row]:
    """(id, urgency, midwife_id, topic, snippet title, snippet version) of each reply out."""
    return list(db.session.execute(
        select(Reply.id, Comment.urgency, Reply.midwife_id, Comment.topic, Snippet.title,
               Reply.snippet_version)
        .join(Comment, Comment.id == Reply.comment_id)
        .outerjoin(Snippet, Snippet.id == Reply.snippet_id)
        .where(*_went_out(start, end)).order_by(Reply.id)))


def allocate(sizes: dict[Stratum, int], total: int, rng: random.Random) -> dict[Stratum, int]:
    """Share `total` among strata in proportion to their sizes (largest remainder)."""
    everyone = sum(sizes.values())
    if not everyone:
        return {}
    quotas = {key: size * total / everyone for key, size in sizes.items()}
    shares = {key: math.floor(quota) for key, quota in quotas.items()}
    keys = sorted(sizes)
    rng.shuffle(keys)  # ties in the remainders are broken by the seed, not by id order
    keys.sort(key=lambda key: quotas[key] - shares[key], reverse=True)
    for key in keys[:total - sum(shares.values())]:
        shares[key] += 1
    return shares


def draw_sample(week: str | None = None, *, percent: Any = None, seed: int | None = None,
                now: datetime | None = None, actor: User | None = None) -> Sample:
    """Put a stratified random share of a week's replies in the peer-review queue."""
    now = now or utcnow()
    week = (week or last_week(now)).strip().upper()
    start, end = week_bounds(week)
    percent = check_percent(current_settings()["peer_review_percent"] if percent is None
                            else percent)
    if end > now:
        raise SamplingError(f"The week {week} has not ended yet: sample it from "
                            f"{end:%d %b %Y} on.")
    if db.session.scalar(select(ReplyReview.id).where(ReplyReview.sample_week == week)
                         .limit(1)) is not None:
        raise SamplingError(f"The week {week} was already sampled. Nothing was added.")
    seed = secrets.randbelow(2**31) if seed is None else int(seed)
    if not 0 <= seed < 2**31:
        raise SamplingError("The seed must be a whole number from 0 to 2147483647.")
    candidates = replies_out_in(start, end)
    groups: dict[Stratum, list[int]] = defaultdict(list)
    for row in candidates:
        groups[(row.urgency, row.midwife_id)].append(row.id)
    rng = random.Random(f"{week}:{seed}")
    total = math.ceil(len(candidates) * percent / 100) if candidates else 0
    shares = allocate({key: len(items) for key, items in groups.items()}, total, rng)
    reviews = []
    for key in sorted(groups):
        for reply_id in rng.sample(groups[key], shares[key]):
            review = ReplyReview(reply_id=reply_id, source="sample", sample_week=week,
                                 sample_seed=seed, created_at=now)
            db.session.add(review)
            reviews.append(review)
    db.session.flush()
    record_event(actor, "review.sample_drawn", "review_sample", None, week=week, seed=seed,
                 percent=percent, candidates=len(candidates),
                 reply_ids=sorted(review.reply_id for review in reviews))
    return Sample(week=week, seed=seed, percent=percent, candidates=len(candidates),
                  reviews=reviews,
                  strata={key: (len(items), shares[key]) for key, items in groups.items()})


# --- Report ----------------------------------------------------------------------------------

@dataclass
class FindingRow:
    """Review coverage and findings for one topic or one snippet."""

    label: str
    replies: int = 0
    reviewed: int = 0
    concerns: int = 0
    noes: dict[str, int] | None = None

    @property
    def coverage(self) -> float:
        return 100 * self.reviewed / self.replies if self.replies else 0.0


def review_report(start: datetime, end: datetime) -> dict[str, list[FindingRow]]:
    """Per topic and per snippet: replies out, reviewed, concerns, and each question's "no"s."""
    replies = replies_out_in(start, end)
    reviews = db.session.scalars(
        select(ReplyReview).join(Reply, Reply.id == ReplyReview.reply_id)
        .where(ReplyReview.reviewed_at.is_not(None), *_went_out(start, end)))
    by_reply: dict[int, list[ReplyReview]] = defaultdict(list)
    for review in reviews:
        by_reply[review.reply_id].append(review)
    topics: dict[str, FindingRow] = {}
    snippets: dict[str, FindingRow] = {}
    for row in replies:
        snippet = f"{row.title} (v{row.snippet_version})" if row.title else "No snippet"
        for table, label in ((topics, row.topic or "unlabelled"), (snippets, snippet)):
            found = table.setdefault(label, FindingRow(label, noes=dict.fromkeys(REVIEW_CHECKS,
                                                                                    0)))
            _count(found, by_reply.get(row.id, []))
    return {"topics": sorted(topics.values(), key=lambda r: r.label),
            "snippets": sorted(snippets.values(), key=lambda r: (-r.replies, r.label))}


def _count(row: FindingRow, reviews: list[ReplyReview]) -> None:
    row.replies += 1
    if not reviews:
        return
    row.reviewed += 1
    if any(review.verdict == "concern" for review in reviews):
        row.concerns += 1
    for name in REVIEW_CHECKS:
        if any(getattr(review, name) is False for review in reviews):
            row.noes[name] += 1

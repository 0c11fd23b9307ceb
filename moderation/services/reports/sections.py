"""The report sections: one function per table of the reports page."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select

from classifier.labels import TOPICS, URGENCIES
from models import Comment, Escalation, Reply, User, db
from moderation.services.reports.data import (
    CORRECTION_FIELDS,
    ReportData,
    aware,
    seconds_between,
)
from moderation.services.reports.percentiles import grouped_percentiles, received_in
from moderation.services.reports.tables import Column, Table, duration_columns
from moderation.services.working_hours import target_description, working_seconds_between


def _duration_figures(figures: dict[str, Any] | None) -> dict[str, Any]:
    figures = figures or {}
    return {
        "answered": figures.get("rows", 0),
        "median_clock": figures.get("median_clock"),
        "p90_clock": figures.get("p90_clock"),
        "median_working": figures.get("median_working"),
        "p90_working": figures.get("p90_working"),
    }


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def response_by_urgency(data: ReportData) -> Table:
    """Time to first reply and the share within target, per urgency and overall."""
    by_urgency = data.answered["urgency"]
    rows = []
    for urgency in (*URGENCIES, *sorted(set(by_urgency) - set(URGENCIES), key=str)):
        figures = by_urgency.get(urgency, {})
        row = {"urgency": urgency,
               "target": target_description(urgency, data.policy) if urgency in URGENCIES
               else "",
               **_duration_figures(figures), "within_target": figures.get("within", 0)}
        row["within_target_share"] = _share(row["within_target"], row["answered"])
        rows.append(row)
    overall = data.answered["all"].get("all", {})
    row = {"urgency": "all", "target": "", **_duration_figures(overall),
           "within_target": overall.get("within", 0)}
    row["within_target_share"] = _share(row["within_target"], row["answered"])
    rows.append(row)
    columns = [Column("urgency", "Urgency"), Column("target", "Reply target"),
               Column("answered", "Answered", "count"), *duration_columns(),
               Column("within_target", "Within target", "count"),
               Column("within_target_share", "Share within target", "share")]
    return Table("response-by-urgency", "Time to first reply by urgency", columns, rows,
                 caption="Threads whose first reply was published in the period. "
                         "Within target: first reply published by the comment's deadline.")


def response_by_topic(data: ReportData) -> Table:
    """Time to first reply per topic."""
    by_topic = data.answered["topic"]
    rows = [{"topic": topic, **_duration_figures(by_topic.get(topic))}
            for topic in (*TOPICS, *sorted(set(by_topic) - set(TOPICS), key=str))]
    columns = [Column("topic", "Topic"), Column("answered", "Answered", "count"),
               *duration_columns()]
    return Table("response-by-topic", "Time to first reply by topic", columns, rows,
                 caption="Threads whose first reply was published in the period.")


def response_trend(data: ReportData) -> Table:
    """Week by week: answered threads, median and 90th percentile time to first reply."""
    by_week = data.answered["week"]
    rows = []
    for index, week in enumerate(data.weeks):
        figures = by_week.get(index, {})
        row = {"week": week.first_day, "week_label": week.label, **_duration_figures(figures)}
        row["within_target_share"] = _share(figures.get("within", 0), row["answered"])
        rows.append(row)
    columns = [Column("week_label", "Week starting"), Column("answered", "Answered", "count"),
               *duration_columns(),
               Column("within_target_share", "Share within target", "share")]
    return Table("response-trend", "Weekly time to first reply", columns, rows,
                 caption="Threads by the week their first reply was published. Weeks start on "
                         "Monday; the first and last may be partial.")


def backlog(data: ReportData) -> Table:
    """Pending comments now: how many per urgency, the oldest waiting, how many overdue."""
    now, policy = data.now, data.policy
    overdue = case((Comment.due_at < now, 1), else_=0)
    stats = {
        urgency: (count, aware(oldest), int(late or 0))
        for urgency, count, oldest, late in db.session.execute(
            select(Comment.urgency, func.count(), func.min(Comment.received_at),
                   func.sum(overdue))
            .where(Comment.status == "pending").group_by(Comment.urgency)
        )
    }

    def row(urgency: str, count: int, oldest: datetime | None, late: int) -> dict[str, Any]:
        return {
            "urgency": urgency, "pending": count, "overdue": late,
            "oldest_received_at": oldest,
            "oldest_waiting": (now - oldest).total_seconds() if oldest else None,
            # One comment per row: the working-hours walk is per row of this table, not data.
            "oldest_waiting_working": (working_seconds_between(oldest, now, policy)
                                       if oldest else None),
        }

    rows = [row(u, *stats.get(u, (0, None, 0)))
            for u in (*URGENCIES, *sorted(set(stats) - set(URGENCIES), key=str))]
    oldest_all = min((r["oldest_received_at"] for r in rows if r["oldest_received_at"]),
                     default=None)
    rows.append(row("all", sum(r["pending"] for r in rows), oldest_all,
                    sum(r["overdue"] for r in rows)))
    columns = [Column("urgency", "Urgency"), Column("pending", "Pending", "count"),
               Column("overdue", "Overdue", "count"),
               Column("oldest_received_at", "Oldest received", "datetime"),
               Column("oldest_waiting", "Oldest waiting, clock time", "seconds"),
               Column("oldest_waiting_working", "Oldest waiting, working hours", "working")]
    return Table("backlog", "Backlog now", columns, rows,
                 caption="Comments waiting for a reply when the report was made, whatever the "
                         "period. Overdue: past the reply deadline.", notes={"now": now})


def midwife_workload(data: ReportData) -> Table:
    """Replies published per midwife, threads she answered first and her median time."""
    period = data.period
    replies = dict(db.session.execute(
        select(Reply.midwife_id, func.count())
        .where(Reply.is_published, Reply.published_at >= period.start,
               Reply.published_at < period.end)
        .group_by(Reply.midwife_id)
    ).all())
    first = data.answered["midwife"]
    ids = {i for i in (*replies, *first) if i is not None}
    people = {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(ids)))}
    rows = []
    for user_id in ids:
        figures = first.get(user_id, {})
        user = people.get(user_id)
        rows.append({
            "midwife": user.name if user else f"Account {user_id}",
            "replies": replies.get(user_id, 0),
            "threads_answered": figures.get("rows", 0),
            "median_clock": figures.get("median_clock"),
            "median_working": figures.get("median_working"),
        })
    rows.sort(key=lambda r: (-r["replies"], r["midwife"]))
    columns = [Column("midwife", "Midwife"), Column("replies", "Replies published", "count"),
               Column("threads_answered", "Threads answered first", "count"),
               Column("median_clock", "Median time to first reply, clock time", "seconds"),
               Column("median_working", "Median time to first reply, working hours",
                      "working")]
    return Table("midwives", "Replies per midwife", columns, rows,
                 caption="Replies published in the period. Time to first reply counts the "
                         "threads each midwife answered first.")


def topic_volume(data: ReportData) -> Table:
    """Comments received per topic per week (spam left out)."""
    counts: dict[tuple[int | None, str], int] = {}
    for item in data.received:
        if not item.is_spam:
            key = (item.week, item.topic)
            counts[key] = counts.get(key, 0) + item.comments
    topics = [*TOPICS, *sorted({t for _, t in counts} - set(TOPICS), key=str)]
    rows = []
    for index, week in enumerate(data.weeks):
        row: dict[str, Any] = {"week": week.first_day, "week_label": week.label}
        for topic in topics:
            row[topic] = counts.get((index, topic), 0)
        row["total"] = sum(row[t] for t in topics)
        rows.append(row)
    columns = [Column("week_label", "Week starting"),
               *[Column(topic, topic, "count") for topic in topics],
               Column("total", "Total", "count")]
    return Table("topic-volume", "Comments per topic per week", columns, rows,
                 caption="Comments received in the period, by the topic they carry now "
                         "(spam left out).", notes={"topics": topics})


def model_corrections(data: ReportData) -> Table:
    """Per label the model gave: how many comments, how many a midwife corrected, the rate.

    The model's label is the old value of the first correction of that field, or the label
    still on the comment when nobody corrected it, so, from aggregates alone:
    comments the model gave L = comments carrying L now - corrected ones carrying L now
    + corrected ones the model had given L.
    """
    rows = []
    totals = {}
    for field_name in CORRECTION_FIELDS:
        now_counts: dict[str, int] = {}
        for item in data.received:
            if item.triaged:
                label = getattr(item, field_name)
                now_counts[label] = now_counts.get(label, 0) + item.comments
        model_gave: dict[str, int] = {}
        corrected_now: dict[str, int] = {}
        for fix in data.corrections:
            if fix.field == field_name and fix.first:
                model_gave[fix.old_value] = model_gave.get(fix.old_value, 0) + fix.corrections
                corrected_now[fix.current] = corrected_now.get(fix.current, 0) + fix.corrections
        names = URGENCIES if field_name == "urgency" else TOPICS
        extra = (set(now_counts) | set(model_gave)) - set(names)
        for label in (*names, *sorted(extra, key=str)):
            model_count = (now_counts.get(label, 0) - corrected_now.get(label, 0)
                           + model_gave.get(label, 0))
            corrected = model_gave.get(label, 0)
            rows.append({"field": field_name, "label": label, "model_count": model_count,
                         "corrected": corrected, "error_rate": _share(corrected, model_count)})
        triaged_total, corrected_total = sum(now_counts.values()), sum(model_gave.values())
        totals[field_name] = (triaged_total, corrected_total)
        rows.append({"field": field_name, "label": "all", "model_count": triaged_total,
                     "corrected": corrected_total,
                     "error_rate": _share(corrected_total, triaged_total)})
    columns = [Column("field", "Label kind"), Column("label", "Label the model gave"),
               Column("model_count", "Comments", "count"),
               Column("corrected", "Corrected by a midwife", "count"),
               # A correction rate: the share a midwife changed, not a measured error of the model.
               Column("error_rate", "Correction rate", "share")]
    return Table("model-corrections", "How often midwives corrected the model", columns, rows,
                 caption="Comments the model triaged that arrived in the period. Correction rate: "
                         "comments whose label a midwife changed, out of the comments the "
                         "model gave that label.", notes={"totals": totals})


def correction_changes(data: ReportData) -> Table:
    """Every kind of correction (old label to new label) and how often midwives made it."""
    counts: dict[tuple[str, str, str], int] = {}
    for fix in data.corrections:
        key = (fix.field, fix.old_value, fix.new_value)
        counts[key] = counts.get(key, 0) + fix.corrections
    rows = [{"field": f, "old_value": o, "new_value": n, "corrections": c}
            for (f, o, n), c in sorted(counts.items(), key=lambda item: (
                CORRECTION_FIELDS.index(item[0][0]), -item[1], item[0][1], item[0][2]))]
    columns = [Column("field", "Label kind"), Column("old_value", "Model said"),
               Column("new_value", "Midwife changed it to"),
               Column("corrections", "Corrections", "count")]
    return Table("correction-changes", "Corrections, from the model's label to the midwife's",
                 columns, rows,
                 caption="Every correction of a comment that arrived in the period.")



def urgent_claims(data: ReportData) -> Table:
    """Urgent comments: time from arrival to first claim, with someone on call or nobody."""
    figures = grouped_percentiles(
        [Escalation.on_call],
        {"claim": seconds_between(Comment.received_at, Comment.first_claimed_at)},
        [*received_in(data.period), Comment.urgency == "urgent",
         Escalation.comment_id == Comment.id],
    )
    rows = []
    for on_call, label in ((True, "someone on call"), (False, "nobody on call")):
        values = figures.get((on_call,), {})
        rows.append({"hours": label, "urgent": values.get("rows", 0),
                     "claimed": values.get("n_claim", 0),
                     "median_claim": values.get("median_claim"),
                     "p90_claim": values.get("p90_claim")})
    columns = [Column("hours", "When it arrived"), Column("urgent", "Urgent comments", "count"),
               Column("claimed", "Claimed", "count"),
               Column("median_claim", "Median time to first claim", "seconds"),
               Column("p90_claim", "90th percentile time to first claim", "seconds")]
    return Table("urgent-claims", "Urgent comments: time to first claim", columns, rows,
                 caption="Urgent comments received in the period (and alerted), from arrival to "
                         "the first time a midwife claimed one, split by whether anyone was on "
                         "call when it arrived.")


def safety_net(data: ReportData) -> Table:
    """Per model version: check-soon comments later raised to urgent, and near misses."""
    rows = [{"model_version": item.model_version or "none", "comments": item.comments,
             "check_soon": item.check_soon, "check_soon_raised": item.check_soon_raised,
             "raised_share": _share(item.check_soon_raised, item.check_soon),
             "near_misses": item.near_misses}
            for item in data.triage]
    columns = [Column("model_version", "Model version"),
               Column("comments", "Comments triaged", "count"),
               Column("check_soon", "Marked check soon", "count"),
               Column("check_soon_raised", "Check soon, later raised to urgent", "count"),
               Column("raised_share", "Share of check soon raised", "share"),
               Column("near_misses", "Near misses", "count")]
    return Table("safety-net", "Check soon and near misses, per model version", columns, rows,
                 caption="Comments that arrived in the period, by the model that scored them. "
                         "A near miss is a comment a midwife raised to urgent that the served "
                         "triage had called priority or routine.")



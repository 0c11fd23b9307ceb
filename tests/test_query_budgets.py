"""Busy pages run a fixed number of SQL queries, however many rows they show.

Each page is drawn with 5 rows and with 50 under the same budget: a query per row (an N+1)
breaks it. Budgets are today's counts with a little room; lower them when a page gets leaner.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from models import Comment, Reply, db, utcnow
from tests.helpers import sign_in

QUEUE_BUDGET = 18
COMPOSER_BUDGET = 14
# The snippet's references are one more read since snippets list their sources (issue 16).
SNIPPET_HISTORY_BUDGET = 11
# The rolled-up days and the triage rollup are two reads (docs/reports.md), and a supervisor's
# navigation counts open debrief requests and unacknowledged near misses.
REPORTS_BUDGET = 18

ROWS = (5, 50)


def _draw(client, count_queries, url: str):
    with count_queries() as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return queries


def _published_reply(comment: Comment, midwife, **fields) -> Reply:
    now = utcnow()
    reply = Reply(comment_id=comment.id, midwife_id=midwife.id, created_at=now,
                  published_at=now, body=fields.pop("body", "Thank you for writing."), **fields)
    comment.status = "answered"
    db.session.add(reply)
    return reply


@pytest.mark.parametrize("rows", ROWS)
def test_the_queue_runs_the_same_few_queries_for_5_or_50_comments(
        app, make_user, make_comment, count_queries, rows):
    midwife = make_user("midwife")
    for n in range(rows):
        make_comment(f"Question {n} about bleeding", urgency=("urgent", "routine")[n % 2],
                     author_name=f"Author {n}")
    client = app.test_client()
    sign_in(client, midwife)
    queries = _draw(client, count_queries, "/?per_page=50")
    assert queries.count <= QUEUE_BUDGET, queries


@pytest.mark.parametrize("rows", ROWS)
def test_the_composer_runs_the_same_few_queries_for_5_or_50_snippets_and_earlier_comments(
        app, make_user, make_comment, make_snippet, count_queries, rows):
    midwife = make_user("midwife")
    for n in range(rows):
        make_snippet(f"snippet_{n}", title=f"Snippet {n}")
        earlier = make_comment(f"Earlier question {n}", author_email="jo@example.org",
                               received_at=utcnow() - timedelta(days=n + 1))
        _published_reply(earlier, midwife)
    db.session.commit()
    comment = make_comment("Is it normal to bleed this long?", author_email="jo@example.org")
    client = app.test_client()
    sign_in(client, midwife)
    assert client.post(f"/comments/{comment.id}/claim").status_code == 303
    queries = _draw(client, count_queries, f"/comments/{comment.id}")
    assert queries.count <= COMPOSER_BUDGET, queries


@pytest.mark.parametrize("rows", ROWS)
def test_the_snippet_history_runs_the_same_few_queries_for_5_or_50_replies(
        app, make_user, make_comment, make_snippet, count_queries, rows):
    supervisor = make_user("supervisor")
    snippet = make_snippet()
    for n in range(rows):
        midwife = make_user("midwife")
        comment = make_comment(f"Question {n}", author_name=f"Author {n}")
        _published_reply(comment, midwife, body=f"Dear Author,\n\nReply {n}.\n\n{midwife.name}",
                         snippet_id=snippet.id, snippet_version=1)
    db.session.commit()
    client = app.test_client()
    sign_in(client, supervisor)
    queries = _draw(client, count_queries, f"/snippets/{snippet.id}")
    assert queries.count <= SNIPPET_HISTORY_BUDGET, queries


@pytest.mark.parametrize("rows", ROWS)
def test_the_reports_page_runs_the_same_few_queries_for_5_or_50_answered_comments(
        app, make_user, make_comment, count_queries, rows):
    supervisor = make_user("supervisor")
    for n in range(rows):
        midwife = make_user("midwife")
        comment = make_comment(f"Question {n}", urgency=("urgent", "priority", "routine")[n % 3],
                               received_at=utcnow() - timedelta(hours=n + 2))
        _published_reply(comment, midwife)
    db.session.commit()
    client = app.test_client()
    sign_in(client, supervisor)
    queries = _draw(client, count_queries, "/supervisor/")
    assert queries.count <= REPORTS_BUDGET, queries

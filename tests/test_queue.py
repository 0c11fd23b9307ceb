"""The queue: what a midwife sees first, in what order, filtered and paged."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import text

from models import Comment, db, utcnow
from moderation.services.claims import claim_comment
from moderation.services.queue import (
    CursorError,
    QueueFilters,
    decode_cursor,
    first_line,
    new_comments_since,
    queue_page,
    urgent_unclaimed_count,
)
from tests.helpers import insert_row


@pytest.fixture
def jo(make_user):
    """A second midwife called Jo."""
    return make_user("midwife", email="jo@example.test", name="Jo Green")


def ids(comments) -> list[int]:
    return [c.id for c in comments]


def listed(user, **filters) -> list[int]:
    return ids(queue_page(QueueFilters(**filters), user, page_size=500).comments)


def row_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'data-comment-id="(\d+)"', html)]


# --- Order -------------------------------------------------------------------------------

def test_an_overdue_routine_comment_stays_below_a_fresh_urgent_one(midwife, make_comment):
    now = utcnow()
    later_urgent = make_comment("urgent, due in 50 min", urgency="urgent",
                                received_at=now - timedelta(minutes=10),
                                due_at=now + timedelta(minutes=50))
    overdue_routine = make_comment("routine, overdue by days", urgency="routine",
                                   received_at=now - timedelta(days=5),
                                   due_at=now - timedelta(days=3))
    priority = make_comment("priority, due in 3 h", urgency="priority",
                            due_at=now + timedelta(hours=3))
    soon_urgent = make_comment("urgent, due in 5 min", urgency="urgent",
                               received_at=now - timedelta(minutes=55),
                               due_at=now + timedelta(minutes=5))
    # The urgent lane first (oldest urgent first at equal probability), then by deadline.
    assert listed(midwife) == [soon_urgent.id, later_urgent.id, overdue_routine.id, priority.id]


def test_inside_the_lane_a_red_flag_comes_first_then_the_most_likely_urgent(
        midwife, make_comment):
    now = utcnow()
    old_likely = make_comment("old, very likely urgent", urgency="urgent",
                              urgent_probability=0.97, received_at=now - timedelta(minutes=40),
                              due_at=now + timedelta(minutes=20))
    red_flag = make_comment("red flag, less likely", urgency="urgent", red_flag=True,
                            red_flag_categories=["physical_emergency"],
                            urgent_probability=0.6, due_at=now + timedelta(minutes=59))
    new_likely = make_comment("new, very likely urgent", urgency="urgent",
                              urgent_probability=0.97, due_at=now + timedelta(minutes=58))
    unlikely = make_comment("urgent but the model doubts it", urgency="urgent",
                            urgent_probability=0.55, received_at=now - timedelta(minutes=50),
                            due_at=now + timedelta(minutes=10))
    assert listed(midwife) == [red_flag.id, old_likely.id, new_likely.id, unlikely.id]


def test_below_the_lane_check_soon_comes_first_then_the_deadline(midwife, make_comment):
    now = utcnow()
    overdue = make_comment("overdue priority", urgency="priority",
                           due_at=now - timedelta(hours=2))
    check_soon = make_comment("possible risk, routine deadline", urgency="routine",
                              check_soon=True, due_at=now + timedelta(days=2))
    urgent = make_comment("urgent", urgency="urgent")
    due_soon = make_comment("routine due soon", urgency="routine",
                            due_at=now + timedelta(minutes=30))
    assert listed(midwife) == [urgent.id, check_soon.id, overdue.id, due_soon.id]


def test_a_red_flag_on_a_comment_judged_not_urgent_still_ranks_as_check_soon(
        midwife, make_comment):
    now = utcnow()
    overdue = make_comment("overdue", urgency="priority", due_at=now - timedelta(hours=2))
    flagged = make_comment("flagged, relabelled routine", urgency="routine", red_flag=True,
                           due_at=now + timedelta(days=2))
    assert listed(midwife) == [flagged.id, overdue.id]


@pytest.mark.parametrize("filters", [
    {"topic": "bleeding"}, {"search": "help"}, {"status": "mine"}, {"page_id": "page"},
])
def test_every_filter_keeps_the_urgent_lane_on_top(midwife, make_comment, filters):
    now = utcnow()
    overdue = make_comment("routine, help, overdue", urgency="routine",
                           due_at=now - timedelta(days=2))
    urgent = make_comment("Soaking a pad every 30 mins. help", urgency="urgent")
    for comment in (overdue, urgent):
        claim_comment(comment.id, midwife, now=now)
    db.session.commit()
    if filters.get("page_id") == "page":
        filters = {"page_id": urgent.page_id}
    assert listed(midwife, **filters) == [urgent.id, overdue.id]


def test_relabelling_to_urgent_moves_a_comment_into_the_lane(midwife, make_comment):
    from moderation.services.relabelling import relabel_comment

    now = utcnow()
    overdue = make_comment("overdue", urgency="priority", due_at=now - timedelta(hours=1))
    missed = make_comment("Everyone would be better off without me", urgency="routine")
    relabel_comment(missed.id, midwife, urgency="urgent")
    db.session.commit()
    assert listed(midwife) == [missed.id, overdue.id]
    relabel_comment(missed.id, midwife, urgency="routine")
    db.session.commit()
    assert listed(midwife)[0] == overdue.id


def test_equal_deadlines_put_the_most_likely_urgent_first_then_the_oldest_id(
        midwife, make_comment):
    due = utcnow() + timedelta(hours=1)
    low = make_comment("low", due_at=due, urgent_probability=0.2)
    high = make_comment("high", due_at=due, urgent_probability=0.95)
    low_twin = make_comment("low twin", due_at=due, urgent_probability=0.2)
    assert listed(midwife) == [high.id, low.id, low_twin.id]


def test_only_pending_comments_are_in_the_queue(midwife, make_comment):
    pending = make_comment()
    for status in ("published", "rejected", "spam"):
        make_comment(status=status)
    assert listed(midwife) == [pending.id]


# --- Filters -----------------------------------------------------------------------------

def test_filter_by_urgency_topic_and_page(midwife, make_comment, make_page):
    other_page = make_page("ectopic", "Ectopic pregnancy")
    urgent_bleeding = make_comment(urgency="urgent", topic="bleeding")
    routine_bleeding = make_comment(urgency="routine", topic="bleeding")
    ectopic = make_comment(urgency="priority", topic="ectopic_molar", page=other_page)
    assert listed(midwife, urgency="urgent") == [urgent_bleeding.id]
    assert sorted(listed(midwife, topic="bleeding")) == sorted(
        [urgent_bleeding.id, routine_bleeding.id])
    assert listed(midwife, page_id=other_page.id) == [ectopic.id]
    assert listed(midwife, topic="bleeding", urgency="routine") == [routine_bleeding.id]


def test_mine_lists_the_comments_i_hold_a_live_claim_on(midwife, jo, make_comment):
    now = utcnow()
    mine = make_comment("mine")
    theirs = make_comment("theirs")
    lapsed = make_comment("lapsed")
    claim_comment(mine.id, midwife, now=now)
    claim_comment(theirs.id, jo, now=now)
    claim_comment(lapsed.id, midwife, now=now - timedelta(hours=1))
    db.session.commit()
    assert listed(midwife, status="mine") == [mine.id]
    assert listed(jo, status="mine") == [theirs.id]


def test_closed_statuses_list_the_most_recently_received_first(midwife, make_comment):
    now = utcnow()
    older = make_comment(status="published", received_at=now - timedelta(days=2))
    newer = make_comment(status="published", received_at=now - timedelta(hours=1))
    rejected = make_comment(status="rejected")
    spam = make_comment(status="spam")
    assert listed(midwife, status="published") == [newer.id, older.id]
    assert listed(midwife, status="rejected") == [rejected.id]
    assert listed(midwife, status="spam") == [spam.id]


def test_search_is_case_insensitive_in_the_body_and_the_author_name(midwife, make_comment):
    by_body = make_comment("My bleeding got HEAVIER tonight", author_name="Priya")
    by_author = make_comment("When can we try again?", author_name="Heavier Smith")
    make_comment("Thank you for the page", author_name="Kim")
    assert sorted(listed(midwife, search="heavier")) == sorted([by_body.id, by_author.id])
    assert listed(midwife, search="PRIYA") == [by_body.id]


def test_search_treats_percent_and_underscore_literally(midwife, make_comment):
    literal = make_comment("I am 100% sure it was_over")
    make_comment("Nothing special here")
    assert listed(midwife, search="00%") == [literal.id]
    assert listed(midwife, search="m_1") == []  # "_" would match the space in "am 100"
    assert listed(midwife, search="was_over") == [literal.id]


# --- Paging ------------------------------------------------------------------------------

def _walk(user, filters: QueueFilters, page_size: int) -> list[int]:
    seen: list[int] = []
    cursor = None
    for _ in range(100):
        page = queue_page(filters, user, cursor=cursor, page_size=page_size)
        seen.extend(ids(page.comments))
        if page.next_cursor is None:
            return seen
        cursor = page.next_cursor
    raise AssertionError("paging never ended")


def test_paging_neither_skips_nor_repeats_a_comment_even_with_ties(midwife, make_comment):
    now = utcnow()
    # Many identical deadlines and probabilities: only the id tells these apart.
    for i in range(57):
        make_comment(f"comment {i}", due_at=now + timedelta(minutes=i % 4),
                     urgent_probability=(0.1, 0.5, 0.5)[i % 3])
    everything = listed(midwife)
    assert _walk(midwife, QueueFilters(), page_size=10) == everything
    assert len(everything) == 57


def test_paging_crosses_the_lane_boundary_without_skipping_or_repeating(midwife, make_comment):
    now = utcnow()
    # Every rank, with ties in probability and deadline inside each, on pages of 4.
    for i in range(41):
        make_comment(f"comment {i}", urgency=("urgent", "routine", "priority")[i % 3],
                     red_flag=i % 5 == 0, check_soon=i % 7 == 0,
                     due_at=now + timedelta(minutes=i % 3) - timedelta(hours=i % 2),
                     urgent_probability=(0.6, 0.9)[i % 2])
    everything = listed(midwife)
    assert len(everything) == 41
    for page_size in (1, 4, 9):
        assert _walk(midwife, QueueFilters(), page_size=page_size) == everything
    ranks = [db.session.get(Comment, i).queue_rank for i in everything]
    assert ranks == sorted(ranks) and ranks[0] == 0 and ranks[-1] == 3


def test_paging_closed_comments_is_continuous_too(midwife, make_comment):
    now = utcnow()
    for i in range(23):
        make_comment(status="published", received_at=now - timedelta(hours=i % 5))
    everything = listed(midwife, status="published")
    assert _walk(midwife, QueueFilters(status="published"), page_size=7) == everything


def test_a_comment_arriving_between_two_pages_does_not_shift_the_next_page(
        midwife, make_comment):
    now = utcnow()
    made = [make_comment(f"c{i}", due_at=now + timedelta(hours=i)) for i in range(6)]
    first = queue_page(QueueFilters(), midwife, page_size=3)
    make_comment("new and urgent", urgency="urgent", due_at=now - timedelta(minutes=1))
    second = queue_page(QueueFilters(), midwife, cursor=first.next_cursor, page_size=3)
    assert ids(first.comments) + ids(second.comments) == ids(made)


@pytest.mark.parametrize("cursor", [
    "", "abc", "1~2", "1~x~3", "1~0.5~3", "3~0~1~1.5~3", "3~0~1~nan~3", "3~2~1~0.5~3",
    "4~0~1~0.5~3", "-1~0~1~0.5~3", "3~0~" + "9" * 40 + "~0.1~1", "3~0~1~0.5~" + "9" * 30,
    "3~0~1~0.5~-4", "x~0~1~0.5~3",
])
def test_a_forged_cursor_is_refused(cursor):
    with pytest.raises(CursorError):
        decode_cursor(cursor, "pending")


# --- Counts and polling ------------------------------------------------------------------

def test_urgent_unclaimed_count_leaves_out_claimed_routine_and_closed(midwife, make_comment):
    now = utcnow()
    make_comment(urgency="urgent")
    lapsed = make_comment(urgency="urgent")
    claimed = make_comment(urgency="urgent")
    make_comment(urgency="routine")
    make_comment(urgency="urgent", status="published")
    claim_comment(claimed.id, midwife, now=now)
    claim_comment(lapsed.id, midwife, now=now - timedelta(hours=2))
    db.session.commit()
    assert urgent_unclaimed_count(now) == 2


def test_poll_counts_comments_newer_than_the_page_that_match_its_filters(midwife, make_comment):
    first = make_comment(urgency="routine")
    make_comment(urgency="urgent")
    make_comment(urgency="routine")
    assert new_comments_since(first.id, QueueFilters(), midwife)["new"] == 2
    assert new_comments_since(first.id, QueueFilters(urgency="urgent"), midwife)["new"] == 1


def test_poll_says_how_many_of_the_new_comments_are_urgent(midwife, make_comment):
    first = make_comment(urgency="routine")
    make_comment(urgency="urgent", red_flag=True)
    make_comment(urgency="urgent")
    make_comment(urgency="priority", check_soon=True)
    result = new_comments_since(first.id, QueueFilters(), midwife)
    assert (result["new"], result["urgent"]) == (3, 2)
    assert new_comments_since(first.id, QueueFilters(urgency="routine"), midwife)["urgent"] == 0


def test_first_line_is_the_first_non_blank_line_cut_short():
    assert first_line("\n\n  Hello   there \nsecond") == "Hello there"
    cut = first_line("x" * 300, limit=20)
    assert len(cut) == 20 and cut.endswith("…")
    assert first_line(None) == ""


# --- The page over HTTP ------------------------------------------------------------------

def test_a_midwife_sees_each_row_with_badge_topic_deadline_author_page_and_first_line(
        midwife_client, midwife, jo, make_comment, make_page):
    now = utcnow()
    page = make_page("first-period", "Your first period after a loss")
    overdue = make_comment("Still bleeding after 5 weeks\nIs that normal?", urgency="priority",
                           topic="bleeding", author_name="  ", page=page,
                           received_at=now - timedelta(hours=5),
                           due_at=now - timedelta(minutes=25, seconds=20))
    claimed = make_comment("When will my period come back?", topic="first_period",
                           author_name="Dana")
    claim_comment(claimed.id, jo)
    mine = make_comment("Another question", author_name="Eve")
    claim_comment(mine.id, midwife)
    db.session.commit()

    html = midwife_client.get("/").get_data(as_text=True)

    row = html[html.index(f'data-comment-id="{overdue.id}"'):]
    row = row[: row.index("</tr>")]
    assert "badge-priority" in row
    assert ">bleeding<" in row
    assert "overdue by 25 min" in row and 'class="overdue"' in row
    assert "Anonymous" in row
    assert "Your first period after a loss" in row
    assert "Still bleeding after 5 weeks" in row and "Is that normal?" not in row
    assert "5 h 0 min" in row  # time waiting
    assert f'href="/comments/{overdue.id}"' in row
    assert "being answered by Jo" in html
    mine_row = html[html.index(f'data-comment-id="{mine.id}"'):]
    assert '<span class="claim-mine">you</span>' in mine_row[: mine_row.index("</tr>")]


def test_a_row_says_check_soon_and_red_flag_in_words(midwife_client, make_comment):
    check = make_comment("Is this pain normal?", urgency="priority", check_soon=True)
    flagged = make_comment("I can't stop the bleeding", urgency="urgent", red_flag=True,
                           red_flag_categories=["physical_emergency"])
    plain = make_comment("Thank you", urgency="routine")
    html = midwife_client.get("/").get_data(as_text=True)

    def row(comment) -> str:
        start = html[html.index(f'data-comment-id="{comment.id}"'):]
        return start[: start.index("</tr>")]

    assert ">check soon</small>" in row(check)
    assert ">red flag: physical emergency</small>" in row(flagged)
    assert "check soon" not in row(plain) and "red flag" not in row(plain)
    assert row_ids(html) == [flagged.id, check.id, plain.id]


def test_comment_text_is_shown_as_text_never_as_html(midwife_client, make_comment):
    make_comment('<script>alert("x")</script><b>bold</b>', author_name="<i>Mallory</i>")
    html = midwife_client.get("/").get_data(as_text=True)
    assert "<script>alert" not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;alert" in html
    assert "&lt;i&gt;Mallory&lt;/i&gt;" in html


def test_filters_work_through_the_query_string(midwife_client, make_comment):
    urgent = make_comment("Heavy bleeding now", urgency="urgent")
    routine = make_comment("A thank you", urgency="routine", topic="other")
    assert row_ids(midwife_client.get("/?urgency=urgent").get_data(as_text=True)) == [urgent.id]
    assert row_ids(midwife_client.get("/?topic=other").get_data(as_text=True)) == [routine.id]
    assert row_ids(midwife_client.get("/?q=THANK").get_data(as_text=True)) == [routine.id]


@pytest.mark.parametrize("query, message", [
    ("urgency=critical", "Unknown urgency “critical”"),
    ("topic=knitting", "Unknown topic “knitting”"),
    ("status=archived", "Unknown status “archived”"),
    ("page=99999", "Unknown page “99999”"),
    ("page=abc", "Unknown page “abc”"),
    ("after=not-a-cursor", "That page link is not valid any more."),
    ("q=" + "x" * 201, "Search for at most 200 characters."),
    ("q=bleed%00ing", "control characters cannot be used"),
    ("after=3~0.0~1~0.5~" + "9" * 30, "That page link is not valid any more."),
])
def test_bad_filter_values_get_a_clear_message_not_a_crash(midwife_client, make_comment,
                                                          query, message):
    make_comment()
    response = midwife_client.get("/?" + query)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Those filters could not be used." in html
    assert message in html


def test_next_page_link_continues_the_queue(midwife_client, make_comment):
    now = utcnow()
    made = [make_comment(f"c{i}", due_at=now + timedelta(minutes=i)) for i in range(55)]
    html = midwife_client.get("/").get_data(as_text=True)
    assert row_ids(html) == ids(made[:50])
    next_link = re.search(r'class="next-page" rel="next" href="([^"]+)"', html).group(1)
    second = midwife_client.get(next_link.replace("&amp;", "&")).get_data(as_text=True)
    assert row_ids(second) == ids(made[50:])
    assert "next-page" not in second


def test_next_page_link_keeps_the_filters(midwife_client, make_comment):
    now = utcnow()
    for i in range(60):
        make_comment(f"c{i}", urgency="urgent" if i % 2 else "routine",
                     due_at=now + timedelta(minutes=i))
    html = midwife_client.get("/?urgency=urgent").get_data(as_text=True)
    next_link = re.search(r'rel="next" href="([^"]+)"', html)
    assert next_link is None  # 30 urgent comments fit one page
    html = midwife_client.get("/?urgency=routine&q=c").get_data(as_text=True)
    assert "next-page" not in html


def test_an_empty_queue_says_so(midwife_client):
    html = midwife_client.get("/").get_data(as_text=True)
    assert "No comments are waiting" in html


def test_the_queue_needs_a_signed_in_member_of_staff(client):
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.location
    assert client.get("/queue/counts").status_code == 302


# --- Take next over HTTP -----------------------------------------------------------------

def test_take_next_claims_the_top_comment_and_opens_the_composer(
        midwife_client, midwife, make_comment):
    now = utcnow()
    make_comment("later", due_at=now + timedelta(hours=5))
    top = make_comment("top", urgency="urgent", due_at=now + timedelta(minutes=30))
    response = midwife_client.post("/queue/take-next")
    assert response.status_code == 302
    assert response.location.endswith(f"/comments/{top.id}")
    assert db.session.get(Comment, top.id, populate_existing=True).claimed_by_id == midwife.id


def test_take_next_hands_out_a_fresh_urgent_comment_before_an_overdue_routine_one(
        midwife_client, midwife, make_comment):
    now = utcnow()
    make_comment("When can we try again?", urgency="routine", received_at=now - timedelta(days=4),
                 due_at=now - timedelta(days=2))
    urgent = make_comment("Everyone would be better off without me", urgency="urgent",
                          red_flag=True)
    response = midwife_client.post("/queue/take-next")
    assert response.location.endswith(f"/comments/{urgent.id}")


def test_take_next_on_an_empty_queue_says_nothing_is_left(midwife_client, jo, make_comment):
    claimed = make_comment()
    claim_comment(claimed.id, jo)
    db.session.commit()
    response = midwife_client.post("/queue/take-next", follow_redirects=True)
    assert "Nothing left to take" in response.get_data(as_text=True)


def test_a_second_midwife_no_longer_gets_a_comment_someone_took(
        app, midwife_client, jo, make_comment):
    from tests.conftest import sign_in

    only = make_comment()
    assert midwife_client.post("/queue/take-next").location.endswith(f"/comments/{only.id}")
    jo_client = app.test_client()
    sign_in(jo_client, jo)
    taken = jo_client.post("/queue/take-next", follow_redirects=True)
    assert "Nothing left to take" in taken.get_data(as_text=True)
    assert "being answered by Sam" in jo_client.get("/").get_data(as_text=True)


# --- Release over HTTP -------------------------------------------------------------------

def test_the_holder_releases_a_claim_from_the_queue(midwife_client, midwife, make_comment):
    comment = make_comment()
    claim_comment(comment.id, midwife)
    db.session.commit()
    response = midwife_client.post(f"/comments/{comment.id}/release", follow_redirects=True)
    assert "Released" in response.get_data(as_text=True)
    assert db.session.get(Comment, comment.id, populate_existing=True).claimed_by_id is None


def test_another_midwife_cannot_release_and_is_told_why(midwife_client, jo, make_comment):
    comment = make_comment()
    claim_comment(comment.id, jo)
    db.session.commit()
    response = midwife_client.post(f"/comments/{comment.id}/release",
                                   data={"next": "/"}, follow_redirects=True)
    assert "Only Jo or a supervisor can release this comment." in response.get_data(as_text=True)
    assert db.session.get(Comment, comment.id, populate_existing=True).claimed_by_id == jo.id


def test_release_never_redirects_off_site(midwife_client, midwife, make_comment):
    comment = make_comment()
    claim_comment(comment.id, midwife)
    db.session.commit()
    response = midwife_client.post(f"/comments/{comment.id}/release",
                                   data={"next": "https://evil.example/"})
    assert response.location == "/"


# --- Navigation count and polling over HTTP ----------------------------------------------

def test_the_navigation_shows_the_urgent_unclaimed_count_on_every_page(
        midwife_client, make_comment):
    make_comment(urgency="urgent")
    make_comment(urgency="urgent")
    make_comment(urgency="routine")
    html = midwife_client.get("/account/password").get_data(as_text=True)
    count = re.search(r'id="urgent-unclaimed-count"[^>]*>(\d+)<', html)
    assert count and count.group(1) == "2"
    assert midwife_client.get("/queue/counts").get_json() == {"urgent_unclaimed": 2}


def test_the_navigation_count_is_hidden_when_no_urgent_comment_waits(midwife_client):
    html = midwife_client.get("/").get_data(as_text=True)
    span = re.search(r'<span class="nav-count"[^>]*>', html).group(0)
    assert " hidden" in span


def test_poll_reports_new_comments_after_the_page_was_drawn(midwife_client, make_comment):
    make_comment("already there")
    html = midwife_client.get("/?urgency=urgent").get_data(as_text=True)
    poll_url = re.search(r'data-poll-url="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert midwife_client.get(poll_url).get_json()["new"] == 0
    make_comment("new urgent", urgency="urgent")
    make_comment("new routine", urgency="routine")
    assert midwife_client.get(poll_url).get_json()["new"] == 1
    assert midwife_client.get(poll_url).get_json()["urgent"] == 1


@pytest.mark.parametrize("query", ["", "since=abc", "since=1&urgency=bogus", "since=" + "9" * 30])
def test_poll_refuses_bad_parameters_with_json(midwife_client, query):
    response = midwife_client.get("/queue/poll?" + query)
    assert response.status_code == 400
    assert "error" in response.get_json()


# --- CSRF --------------------------------------------------------------------------------

class TestWithCsrf:
    """With CSRF protection on, as in production."""

    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "WTF_CSRF_ENABLED": True}

    def test_take_next_without_a_token_is_refused(self, app, midwife, make_comment):
        client = app.test_client()
        login_page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page)
        token = token or re.search(r'name="csrf_token" value="([^"]+)"', login_page)
        from tests.conftest import PASSWORD

        client.post("/login", data={"email": midwife.email, "password": PASSWORD,
                                    "csrf_token": token.group(1)})
        comment = make_comment()
        assert client.post("/queue/take-next").status_code == 400
        assert db.session.get(Comment, comment.id, populate_existing=True).claimed_by_id is None
        queue_html = client.get("/").get_data(as_text=True)
        form = queue_html[queue_html.index('id="take-next-form"'):]
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
        response = client.post("/queue/take-next", data={"csrf_token": token})
        assert response.location.endswith(f"/comments/{comment.id}")


def test_a_row_i_am_answering_has_a_release_button_that_returns_to_the_queue(
        midwife_client, midwife, jo, make_comment):
    mine = make_comment("mine")
    theirs = make_comment("theirs")
    claim_comment(mine.id, midwife)
    claim_comment(theirs.id, jo)
    db.session.commit()
    html = midwife_client.get("/?urgency=routine").get_data(as_text=True)
    assert f'action="/comments/{mine.id}/release"' in html
    assert f'action="/comments/{theirs.id}/release"' not in html  # only a supervisor may
    back = re.search(r'name="next" value="([^"]+)"', html).group(1).replace("&amp;", "&")
    response = midwife_client.post(f"/comments/{mine.id}/release", data={"next": back})
    assert response.location == "/?urgency=routine"


def test_a_supervisor_can_release_anyones_claim_from_the_queue(
        supervisor_client, midwife, make_comment):
    comment = make_comment()
    claim_comment(comment.id, midwife)
    db.session.commit()
    html = supervisor_client.get("/").get_data(as_text=True)
    assert f'action="/comments/{comment.id}/release"' in html
    supervisor_client.post(f"/comments/{comment.id}/release", data={"next": "/"})
    assert db.session.get(Comment, comment.id, populate_existing=True).claimed_by_id is None


# --- The rank kept by the model, by triage and by the migration --------------------------

def test_triage_puts_a_comment_a_safety_rule_fires_on_at_the_top_of_the_lane(
        midwife, make_comment):
    from moderation.services.triage import triage_comment

    now = utcnow()
    make_comment("urgent, the model only", urgency="urgent", urgent_probability=0.99)
    comment = make_comment("soaking a pad every 30 mins. help", urgency="routine",
                           received_at=now)
    triage_comment(comment)
    db.session.commit()
    assert comment.urgency == "urgent" and comment.red_flag
    assert comment.queue_rank == 0 and comment.lane_probability == comment.urgent_probability
    assert listed(midwife)[0] == comment.id


def test_the_migration_gives_comments_already_stored_their_rank(tmp_path):
    from flask_migrate import upgrade
    from sqlalchemy import MetaData

    from models.comment import queue_rank_for
    from moderation import create_app

    app = create_app({"TESTING": True,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'ranks.db'}"})
    cases = [("urgent", True, False, 0.7), ("urgent", False, False, 0.9),
             ("priority", False, True, 0.3), ("routine", True, False, 0.1),
             ("routine", False, False, 0.05)]
    with app.app_context():
        upgrade(revision="a1f3c2d4e5b6")
        with db.engine.begin() as connection:
            tables = MetaData()
            tables.reflect(connection)
            insert_row(connection, tables.tables["pages"], id=1)
            for number, (urgency, red_flag, check_soon, probability) in enumerate(cases, 1):
                insert_row(connection, tables.tables["comments"], id=number, page_id=1,
                            site_id=None, urgency=urgency, red_flag=red_flag,
                            check_soon=check_soon, urgent_probability=probability,
                            red_flag_categories=[], status="pending")
        upgrade()
        with db.engine.connect() as connection:
            stored = connection.execute(text(
                "SELECT queue_rank, lane_probability FROM comments ORDER BY id")).all()
        db.engine.dispose()
    expected = []
    for urgency, red_flag, check_soon, probability in cases:
        rank = queue_rank_for(urgency, red_flag, check_soon)
        expected.append((rank, probability if rank <= 1 else 0.0))
    assert [tuple(row) for row in stored] == expected
    assert [rank for rank, _ in expected] == [0, 1, 2, 2, 3]

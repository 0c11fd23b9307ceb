"""The queue's search box: words and names found through the index, on both databases."""

from __future__ import annotations

from datetime import timedelta

from flask_migrate import upgrade
from sqlalchemy import select

from models import Comment, Page, User, db, utcnow
from moderation import create_app
from moderation.services.queue import QueueFilters, count_comments, queue_page


def listed(user, **filters) -> list[int]:
    return [c.id for c in queue_page(QueueFilters(**filters), user, page_size=500).comments]


def test_part_of_a_word_finds_the_comment_whatever_its_case(midwife, make_comment):
    wanted = make_comment("The BLEEDING started again after the scan")
    make_comment("When can we try again?")
    assert listed(midwife, search="bleed") == [wanted.id]
    assert listed(midwife, search="eding sta") == [wanted.id]


def test_part_of_an_authors_name_finds_her_comments(midwife, make_comment):
    wanted = make_comment("Thank you", author_name="Zainab Khan")
    make_comment("Thank you too", author_name="Megan")
    assert listed(midwife, search="inab") == [wanted.id]


def test_a_search_that_matches_nothing_lists_nothing(midwife, make_comment):
    make_comment("How long does the bleeding usually last?")
    assert listed(midwife, search="placenta accreta") == []


def test_one_or_two_letters_find_names_starting_with_them(midwife, make_comment):
    jo = make_comment("Hello", author_name="Jo")
    joanne = make_comment("Hi again", author_name="joanne")
    make_comment("I enjoyed the page", author_name="Kate")  # "jo" inside the body only
    make_comment("Hello", author_name="Majo")  # "jo" inside the name, not at its start
    assert sorted(listed(midwife, search="Jo")) == sorted([jo.id, joanne.id])
    assert listed(midwife, search="k") == listed(midwife, search="Kate")


def test_quotes_and_brackets_in_a_search_are_plain_characters(midwife, make_comment):
    wanted = make_comment('She said "it is over" (again) and left')
    make_comment("It is over now")
    assert listed(midwife, search='"it is over" (again)') == [wanted.id]
    assert listed(midwife, search='over" OR "') == []


def test_an_edited_body_is_found_by_its_new_words_only(midwife, make_comment):
    comment = make_comment("My phone number is in the text")
    comment.body = "My [removed] is in the text"
    comment.author_name = "Anonymous"
    db.session.commit()
    assert listed(midwife, search="phone") == []
    assert listed(midwife, search="removed") == [comment.id]
    assert listed(midwife, search="nonymo") == [comment.id]


def test_a_deleted_comment_is_no_longer_found(midwife, make_comment):
    gone = make_comment("Spotting after three weeks")
    kept = make_comment("Spotting after four weeks")
    db.session.delete(gone)
    db.session.commit()
    assert listed(midwife, search="spotting") == [kept.id]


def test_search_keeps_the_queue_order_and_combines_with_filters(midwife, make_comment):
    now = utcnow()
    later = make_comment("Heavy bleeding, routine", received_at=now - timedelta(hours=1))
    urgent = make_comment("Heavy bleeding and dizzy", urgency="urgent")
    earlier = make_comment("Heavy bleeding last week", received_at=now - timedelta(days=1))
    make_comment("Heavy bleeding, answered", status="published")
    make_comment("Nothing to do with it", urgency="urgent")
    assert listed(midwife, search="heavy") == [urgent.id, earlier.id, later.id]
    assert listed(midwife, search="heavy", urgency="routine") == [earlier.id, later.id]
    assert count_comments(QueueFilters(search="heavy"), midwife) == 3


def test_paging_through_a_search_lists_every_match_once_in_order(midwife, make_comment):
    now = utcnow()
    matches = [make_comment(f"Question {i} about bleeding", received_at=now - timedelta(hours=i))
               for i in range(7)]
    for i in range(5):
        make_comment(f"Question {i} about work")
    seen, cursor = [], None
    while True:
        page = queue_page(QueueFilters(search="bleeding"), midwife, cursor=cursor, page_size=3)
        seen += [c.id for c in page.comments]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == [c.id for c in reversed(matches)]


def test_the_queue_page_explains_how_short_searches_work(midwife_client):
    html = midwife_client.get("/?q=jo").get_data(as_text=True)
    assert "1 or 2 letters find names that start with them" in html


def test_a_migrated_database_finds_old_comments_and_new_ones(tmp_path):
    """An upgrade indexes the comments already stored, and keeps indexing new ones (SQLite).

    A later migration that rebuilds the comments table (batch_alter_table) drops the FTS
    triggers with it; it must call create_search_index again, or this test fails.
    """
    url = f"sqlite:///{tmp_path / 'upgraded.db'}"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade(revision="7e16c02e7ee0")
        # The models match the schema at that revision: the search migration adds no column.
        now = utcnow()
        db.session.add(Comment(
            page=Page(slug="p", title="A page"), external_id="old-1", author_name="Rachel",
            body="My ectopic was treated last week", received_at=now, due_at=now,
            urgency="routine", urgency_scores={}, topic_scores={}, triage_reasons=[]))
        db.session.commit()
        upgrade()
        user = User(email="m@example.test", name="M", display_name="M", role="midwife",
                    password_hash="x")
        db.session.add(user)
        db.session.commit()
        old_id = db.session.scalar(select(Comment.id).where(Comment.external_id == "old-1"))
        assert listed(user, search="ectopic") == [old_id]
        assert listed(user, search="rach") == [old_id]
        db.session.add(Comment(
            page_id=db.session.scalar(select(Page.id)), external_id="new-1", author_name="Ann",
            body="Methotrexate and blood tests", received_at=now, due_at=now,
            urgency="routine", urgency_scores={}, topic_scores={}, triage_reasons=[]))
        db.session.commit()
        assert len(listed(user, search="methotrex")) == 1
        db.session.remove()
        db.engine.dispose()


def test_a_common_term_lists_the_same_comments_as_a_rare_one_would(
        midwife, make_comment, monkeypatch):
    """Above SPARSE_MATCHES matches SQLite tests rows in queue order instead: same answer."""
    import moderation.services.search as search

    now = utcnow()
    wanted = [make_comment(f"Bleeding question {i}", received_at=now - timedelta(hours=i),
                           author_name="Joanne") for i in range(4)]
    make_comment("Nothing here", author_name="Kim")
    expected = [c.id for c in reversed(wanted)]
    assert listed(midwife, search="bleeding") == expected
    monkeypatch.setattr(search, "SPARSE_MATCHES", 1)
    assert listed(midwife, search="bleeding") == expected
    assert listed(midwife, search="jo") == expected

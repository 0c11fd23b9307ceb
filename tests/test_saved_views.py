"""Saved views of the queue, their counts, and Take next taking from the current view."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models import Comment, SavedView, db
from moderation.services.claims import take_next_comment
from moderation.services.queue import QueueFilters
from moderation.services.saved_views import (
    SavedViewError,
    delete_view,
    save_view,
    view_counts,
    views_for,
)


def test_take_next_with_a_view_takes_only_from_it_urgent_first(app, midwife, make_comment):
    make_comment("urgent bleeding elsewhere", urgency="urgent", topic="bleeding")
    routine = make_comment("period question", urgency="routine", topic="first_period")
    urgent = make_comment("urgent period question", urgency="urgent", topic="first_period")
    view = QueueFilters(topic="first_period")
    taken = [take_next_comment(midwife, filters=view).id for _ in range(2)]
    assert taken == [urgent.id, routine.id]
    assert take_next_comment(midwife, filters=view) is None
    assert take_next_comment(midwife) is not None  # the rest of the queue is still there


def test_a_view_counts_what_it_holds_and_shared_views_show_to_everyone(
        app, midwife, supervisor, make_comment):
    make_comment("a", urgency="urgent")
    make_comment("b", urgency="urgent")
    make_comment("c", urgency="routine")
    mine = save_view(midwife, "My urgent", {"urgency": "urgent"})
    shared = save_view(supervisor, "Routine for all", {"urgency": "routine"}, shared=True)
    private = save_view(supervisor, "Helen's own", {"topic": "bleeding"})
    db.session.commit()
    assert [v.id for v in views_for(midwife)] == [shared.id, mine.id]
    assert private.id in [v.id for v in views_for(supervisor)]
    assert view_counts(views_for(midwife), midwife) == {mine.id: 2, shared.id: 1}


def test_saving_refuses_with_a_reason(app, midwife):
    with pytest.raises(SavedViewError, match="name"):
        save_view(midwife, "  ", {"urgency": "urgent"})
    with pytest.raises(SavedViewError, match="supervisors"):
        save_view(midwife, "Everyone's", {"urgency": "urgent"}, shared=True)
    with pytest.raises(SavedViewError, match="at least one filter"):
        save_view(midwife, "Nothing", {"after": "x"})
    save_view(midwife, "Urgent", {"urgency": "urgent"})
    with pytest.raises(SavedViewError, match="already"):
        save_view(midwife, "urgent", {"urgency": "urgent"})


def test_only_the_owner_or_a_supervisor_for_shared_views_deletes(app, midwife, supervisor, jo):
    mine = save_view(midwife, "Mine", {"urgency": "urgent"})
    shared = save_view(supervisor, "Shared", {"urgency": "routine"}, shared=True)
    with pytest.raises(SavedViewError):
        delete_view(mine.id, jo)
    with pytest.raises(SavedViewError):
        delete_view(shared.id, midwife)
    delete_view(mine.id, midwife)
    delete_view(shared.id, supervisor)
    assert db.session.scalars(select(SavedView)).all() == []


@pytest.fixture
def jo(make_user):
    """A second midwife called Jo."""
    return make_user("midwife", email="jo@example.test", name="Jo Green")


def test_save_a_view_over_http_and_take_next_from_it(midwife_client, midwife, make_comment):
    make_comment("urgent bleeding", urgency="urgent", topic="bleeding")
    wanted = make_comment("period", urgency="routine", topic="first_period")
    response = midwife_client.post("/views?topic=first_period", data={"name": "Periods"})
    assert response.status_code == 302 and "topic=first_period" in response.location
    html = midwife_client.get("/?topic=first_period").get_data(as_text=True)
    assert "Periods" in html and 'aria-current="true"' in html
    assert 'action="/queue/take-next?topic=first_period"' in html
    taken = midwife_client.post("/queue/take-next?topic=first_period")
    assert taken.location.endswith(f"/comments/{wanted.id}")
    assert db.session.get(Comment, wanted.id, populate_existing=True).claimed_by_id == midwife.id


def test_an_unnamed_view_is_not_saved_and_the_filters_stay(midwife_client):
    response = midwife_client.post("/views?urgency=urgent", data={"name": ""},
                                   follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "The view was not saved: Give the view a name." in html
    assert db.session.scalars(select(SavedView)).all() == []

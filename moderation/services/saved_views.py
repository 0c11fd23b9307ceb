"""Saved views: a midwife names a combination of queue filters; supervisors share theirs."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select

from models import SavedView, User, db
from moderation.services.audit import record_event
from moderation.services.queue import QueueFilters, count_comments

VIEW_KEYS = ("status", "urgency", "topic", "page", "q")
MAX_NAME = 80
MAX_VIEWS = 50


class SavedViewError(ValueError):
    """A view cannot be saved or deleted; str(exc) says why."""


def filters_of(view: SavedView) -> QueueFilters:
    """The service filters a saved view stands for."""
    args = view.filters or {}
    page = str(args.get("page") or "")
    return QueueFilters(status=args.get("status") or "pending",
                        urgency=args.get("urgency") or None, topic=args.get("topic") or None,
                        page_id=int(page) if page.isdigit() else None,
                        search=(args.get("q") or "").strip())


def views_for(user: User) -> list[SavedView]:
    """Her own views and every shared one: shared first, then by name."""
    return list(db.session.scalars(
        select(SavedView).where(or_(SavedView.owner_id == user.id, SavedView.shared.is_(True)))
        .order_by(SavedView.shared.desc(), func.lower(SavedView.name), SavedView.id)))


def view_counts(views: list[SavedView], user: User) -> dict[int, int]:
    """How many comments each view holds right now."""
    return {view.id: count_comments(filters_of(view), user) for view in views}


def save_view(user: User, name: str, query_args: dict[str, Any], *,
              shared: bool = False) -> SavedView:
    """Save the current filters under a name (flushed); only supervisors share."""
    name = " ".join((name or "").split())
    if not name:
        raise SavedViewError("Give the view a name.")
    if len(name) > MAX_NAME:
        raise SavedViewError(f"A view's name is at most {MAX_NAME} characters.")
    if shared and not user.is_supervisor:
        raise SavedViewError("Only supervisors can share a view with everyone.")
    filters = {key: str(query_args[key]) for key in VIEW_KEYS if query_args.get(key)}
    if not filters:
        raise SavedViewError("Choose at least one filter before saving a view.")
    mine = list(db.session.scalars(select(SavedView).where(SavedView.owner_id == user.id)))
    if any(view.name.lower() == name.lower() for view in mine):
        raise SavedViewError(f"You already have a view called “{name}”.")
    if len(mine) >= MAX_VIEWS:
        raise SavedViewError(f"You have {MAX_VIEWS} views already: delete one first.")
    view = SavedView(owner_id=user.id, name=name, filters=filters, shared=shared)
    db.session.add(view)
    db.session.flush()
    record_event(user, "view.saved", "saved_view", view.id,
                 after={"name": name, "filters": filters, "shared": shared})
    return view


def delete_view(view_id: int, user: User) -> SavedView:
    """Delete a view: one's own, or (supervisors) a shared one."""
    view = db.session.get(SavedView, view_id)
    if view is None:
        raise SavedViewError("That view no longer exists.")
    if view.owner_id != user.id and not (view.shared and user.is_supervisor):
        raise SavedViewError("Only its owner or a supervisor can delete this view.")
    record_event(user, "view.deleted", "saved_view", view.id,
                 before={"name": view.name, "filters": view.filters, "shared": view.shared})
    db.session.delete(view)
    db.session.flush()
    return view

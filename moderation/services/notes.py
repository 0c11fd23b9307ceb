"""Internal notes on a thread, and @mentions of colleagues.

Notes live on the thread's first comment, so a follow-up shows the notes of the whole
conversation. They are never public and never exported with public text (no public view,
feed or export reads thread_notes). `@name` mentions a colleague by her first name or the part
of her email before the @: she sees it under Mentions in the app and gets an email through the
outbox that links to the thread (the note itself stays in the app).
"""

from __future__ import annotations

import re
from datetime import datetime

from flask import current_app
from sqlalchemy import func, select

from models import Comment, NoteMention, ThreadNote, User, db, utcnow
from moderation.services.audit import record_event
from moderation.services.outbox import enqueue_email
from moderation.services.replies import CommentGone, InvalidReply

MAX_NOTE_CHARS = 4000
MENTION = re.compile(r"(?<![\w@])@([A-Za-z][\w.'-]{0,63})")


def _thread_root(comment_id: int) -> Comment:
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        raise CommentGone("This comment no longer exists.")
    return db.session.get(Comment, comment.in_reply_to_id) if comment.in_reply_to_id else comment


def _match(handle: str, people: list[User]) -> list[User]:
    handle = handle.rstrip(".'-").lower()
    return [p for p in people if handle in (
        p.first_name.lower(), p.email.split("@", 1)[0].lower(), p.name.lower().replace(" ", "."))]


def mentioned_users(body: str, author: User) -> list[User]:
    """The colleagues a note mentions; InvalidReply for a name nobody (or several) has."""
    handles = list(dict.fromkeys(MENTION.findall(body)))
    if not handles:
        return []
    people = list(db.session.scalars(select(User).where(User.active.is_(True))))
    found: list[User] = []
    for handle in handles:
        matches = _match(handle, people)
        if not matches:
            raise InvalidReply(f"Nobody here is called @{handle}. Use a colleague's first name "
                               "or the part of her email before the @. Nothing was saved; "
                               "your note is kept below.")
        if len(matches) > 1:
            options = ", ".join("@" + p.email.split("@", 1)[0] for p in matches)
            raise InvalidReply(f"@{handle} could be several people: write one of {options}. "
                               "Nothing was saved; your note is kept below.")
        if matches[0].id != author.id and matches[0] not in found:
            found.append(matches[0])
    return found


def add_note(comment_id: int, user: User, body: str, now: datetime | None = None) -> ThreadNote:
    """Add an internal note to the comment's thread and tell whoever it @mentions."""
    now = now or utcnow()
    text = (body or "").replace("\r\n", "\n").strip()
    if not text:
        raise InvalidReply("The note is empty: nothing was saved.")
    if len(text) > MAX_NOTE_CHARS:
        raise InvalidReply(f"A note can be at most {MAX_NOTE_CHARS:,} characters (this one has "
                           f"{len(text):,}). Nothing was saved; your note is kept below.")
    root = _thread_root(comment_id)
    people = mentioned_users(text, user)
    note = ThreadNote(comment_id=root.id, author_id=user.id, body=text, created_at=now)
    db.session.add(note)
    db.session.flush()
    base = current_app.config.get("BASE_URL", "").rstrip("/")
    for person in people:
        mention = NoteMention(note_id=note.id, user_id=person.id)
        db.session.add(mention)
        db.session.flush()
        enqueue_email(
            "mention", person.email, f"{user.display_name} mentioned you in a note",
            f"{user.display_name} mentioned you in an internal note on a comment under "
            f"“{root.page.title}”.\n\nRead it in the app: {base}/mentions/{mention.id}\n",
            f"mention:{mention.id}", now=now, comment_id=root.id, user_id=person.id)
    record_event(user, "note.added", "comment", root.id, note_id=note.id,
                 mentioned=[p.id for p in people])
    return note


def notes_for(comment: Comment) -> list[ThreadNote]:
    """The notes of the comment's whole thread, oldest first."""
    root_id = comment.in_reply_to_id or comment.id
    return list(db.session.scalars(
        select(ThreadNote).where(ThreadNote.comment_id == root_id)
        .order_by(ThreadNote.created_at, ThreadNote.id)))


def mentions_for(user: User) -> list[NoteMention]:
    """Her mentions, unseen first, newest first."""
    return list(db.session.scalars(
        select(NoteMention).join(ThreadNote, ThreadNote.id == NoteMention.note_id)
        .where(NoteMention.user_id == user.id)
        .order_by(NoteMention.seen_at.is_not(None), ThreadNote.created_at.desc())))


def unseen_mentions(user: User) -> int:
    """How many mentions she has not opened yet (for the navigation)."""
    return db.session.scalar(select(func.count(NoteMention.id)).where(
        NoteMention.user_id == user.id, NoteMention.seen_at.is_(None))) or 0


def open_mention(mention_id: int, user: User, now: datetime | None = None) -> int:
    """Mark her mention seen; return the thread's comment id to show."""
    mention = db.session.get(NoteMention, mention_id)
    if mention is None or mention.user_id != user.id:
        raise CommentGone("This mention does not exist.")
    if mention.seen_at is None:
        mention.seen_at = now or utcnow()
        db.session.flush()
    return mention.note.comment_id

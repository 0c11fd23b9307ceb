"""Each moment of a comment stored once: comments.published_at goes (it derives from the replies)

Revision ID: 3b8e1f6a2c47
Revises: 9da5dd6c4d0b
Create Date: 2026-12-01 20:20:00.000000

The moment the public first sees a comment now lives only on its replies (Comment.published_at
is a hybrid: the earliest public reply's published_at); an unpublished reply keeps its
published_at and is told apart by withdrawn_at. An answer's moment lives only in
first_replied_at (Comment.decided_at derives from it), so moderated_at is emptied where
publishing or a private reply wrote the same moment there. Nothing is lost: before the column
goes, a comment whose visible moment no reply holds (its only reply unpublished) hands it to
that reply.
"""
from alembic import op
import sqlalchemy as sa

import models.base
from models.search_index import create_search_index


# revision identifiers, used by Alembic.
revision = '3b8e1f6a2c47'
down_revision = '9da5dd6c4d0b'
branch_labels = None
depends_on = None

ANSWERED = "('published', 'private')"


def upgrade():
    # A comment still shown after its reply was unpublished: the reply keeps the moment.
    op.execute(
        "UPDATE replies SET published_at = "
        "(SELECT c.published_at FROM comments c WHERE c.id = replies.comment_id) "
        "WHERE kind = 'public' AND published_at IS NULL "
        "AND id = (SELECT max(r2.id) FROM replies r2 "
        "          WHERE r2.comment_id = replies.comment_id AND r2.kind = 'public') "
        "AND EXISTS (SELECT 1 FROM comments c "
        "            WHERE c.id = replies.comment_id AND c.published_at IS NOT NULL) "
        "AND NOT EXISTS (SELECT 1 FROM replies r3 WHERE r3.comment_id = replies.comment_id "
        "                AND r3.kind = 'public' AND r3.published_at IS NOT NULL)")
    # An answer's moment is first_replied_at; moderated_at held the same moment twice.
    op.execute(f"UPDATE comments SET moderated_at = NULL WHERE status IN {ANSWERED} "
               "AND moderated_at = first_replied_at")
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_column('published_at')
    # On SQLite the batch rebuilt `comments`, dropping the search index's triggers.
    create_search_index(op.get_bind())


def downgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('published_at', models.base.UTCDateTime(timezone=True),
                                      nullable=True))
    op.execute(
        "UPDATE comments SET published_at = (SELECT min(r.published_at) FROM replies r "
        "WHERE r.comment_id = comments.id AND r.kind = 'public')")
    op.execute(f"UPDATE comments SET moderated_at = first_replied_at WHERE status IN {ANSWERED} "
               "AND moderated_at IS NULL AND first_replied_at IS NOT NULL")
    # Before this revision a withdrawn reply had no published_at.
    op.execute("UPDATE replies SET published_at = NULL WHERE withdrawn_at IS NOT NULL")
    create_search_index(op.get_bind())

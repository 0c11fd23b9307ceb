"""Report covering indexes: answered threads and replies per midwife read from an index alone

Revision ID: 5c3e1f2a7b90
Revises: 3b8e1f6a2c47
Create Date: 2026-12-01 20:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5c3e1f2a7b90'
down_revision = '3b8e1f6a2c47'
branch_labels = None
depends_on = None

ANSWERED = ['first_replied_at', 'status', 'urgency', 'topic', 'moderated_by_id',
            'response_seconds', 'response_working_seconds', 'due_at']
ANSWERED_ONLY = sa.text('first_replied_at IS NOT NULL')


def upgrade():
    op.create_index('ix_comments_answered', 'comments', ANSWERED, unique=False,
                    sqlite_where=ANSWERED_ONLY, postgresql_where=ANSWERED_ONLY)
    op.create_index('ix_replies_published_midwife', 'replies',
                    ['published_at', 'midwife_id', 'kind', 'withdrawn_at'],
                    unique=False)


def downgrade():
    op.drop_index('ix_replies_published_midwife', table_name='replies')
    op.drop_index('ix_comments_answered', table_name='comments')

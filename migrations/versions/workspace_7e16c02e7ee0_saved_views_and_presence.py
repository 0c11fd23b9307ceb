"""Saved views of the queue (personal, or shared by supervisors) and presence on comments

Revision ID: 7e16c02e7ee0
Revises: c5e7a9b1d3f2
Create Date: 2026-12-01 14:50:00.000000

"""
from alembic import op
import sqlalchemy as sa

import models.base


# revision identifiers, used by Alembic.
revision = '7e16c02e7ee0'
down_revision = 'c5e7a9b1d3f2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'saved_views',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('filters', sa.JSON(), nullable=False),
        sa.Column('shared', sa.Boolean(), nullable=False),
        sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['owner_id'], ['users.id'],
                                name=op.f('fk_saved_views_owner_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_views')),
    )
    with op.batch_alter_table('saved_views', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_saved_views_owner_id'), ['owner_id'], unique=False)

    op.create_table(
        'presence',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('comment_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('seen_at', models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['comment_id'], ['comments.id'],
                                name=op.f('fk_presence_comment_id_comments')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_presence_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_presence')),
        sa.UniqueConstraint('comment_id', 'user_id', name='uq_presence_comment_user'),
    )
    with op.batch_alter_table('presence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_presence_seen_at'), ['seen_at'], unique=False)


def downgrade():
    op.drop_table('presence')
    op.drop_table('saved_views')

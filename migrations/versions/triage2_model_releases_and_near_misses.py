"""Model releases (candidates, the active model, rollbacks) and near misses

Revision ID: 7c2e9b41d0a3
Revises: c5a7e1b2d3f4
Create Date: 2026-12-01 14:20:00.000000

"""
from alembic import op
import sqlalchemy as sa

import models.base


# revision identifiers, used by Alembic.
revision = '7c2e9b41d0a3'
down_revision = 'c5a7e1b2d3f4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('model_releases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.String(length=64), nullable=False),
    sa.Column('directory', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('frozen_urgent_recall', sa.Float(), nullable=True),
    sa.Column('evaluation', sa.JSON(), nullable=False),
    sa.Column('promoted_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('promoted_by_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['promoted_by_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('version')
    )
    with op.batch_alter_table('model_releases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_model_releases_status'), ['status'], unique=False)

    op.create_table('near_misses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('comment_id', sa.Integer(), nullable=False),
    sa.Column('model_version', sa.String(length=64), nullable=True),
    sa.Column('served_urgency', sa.String(length=16), nullable=False),
    sa.Column('raised_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('acknowledged_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['acknowledged_by_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['comment_id'], ['comments.id'], ),
    sa.ForeignKeyConstraint(['raised_by_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('comment_id')
    )
    with op.batch_alter_table('near_misses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_near_misses_created_at'), ['created_at'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_near_misses_model_version'), ['model_version'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('near_misses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_near_misses_model_version'))
        batch_op.drop_index(batch_op.f('ix_near_misses_created_at'))
    op.drop_table('near_misses')
    with op.batch_alter_table('model_releases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_model_releases_status'))
    op.drop_table('model_releases')

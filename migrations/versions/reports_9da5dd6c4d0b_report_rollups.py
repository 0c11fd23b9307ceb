"""Report rollups: per calendar day, the counts of the comments received that day

Revision ID: 9da5dd6c4d0b
Revises: 4ad80b71063b
Create Date: 2026-12-01 17:20:00.000000

"""
from alembic import op
import sqlalchemy as sa

import models.base


# revision identifiers, used by Alembic.
revision = '9da5dd6c4d0b'
down_revision = '4ad80b71063b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'report_rollup_days',
        sa.Column('zone', sa.String(length=64), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('built_at', models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('zone', 'day', name=op.f('pk_report_rollup_days')),
    )
    op.create_table(
        'report_received_days',
        sa.Column('zone', sa.String(length=64), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('topic', sa.String(length=32), nullable=False),
        sa.Column('urgency', sa.String(length=16), nullable=False),
        sa.Column('is_spam', sa.Boolean(), nullable=False),
        sa.Column('triaged', sa.Boolean(), nullable=False),
        sa.Column('comments', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('zone', 'day', 'topic', 'urgency', 'is_spam', 'triaged',
                                name=op.f('pk_report_received_days')),
    )
    op.create_table(
        'report_triage_days',
        sa.Column('zone', sa.String(length=64), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('model_version', sa.String(length=100), nullable=False),
        sa.Column('comments', sa.Integer(), nullable=False),
        sa.Column('check_soon', sa.Integer(), nullable=False),
        sa.Column('check_soon_raised', sa.Integer(), nullable=False),
        sa.Column('near_misses', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('zone', 'day', 'model_version',
                                name=op.f('pk_report_triage_days')),
    )


def downgrade():
    op.drop_table('report_triage_days')
    op.drop_table('report_received_days')
    op.drop_table('report_rollup_days')

"""Worker heartbeats for the readiness check

Revision ID: b7c9d1e2f3a4
Revises: 7c2e9b41d0a3
Create Date: 2026-12-01 14:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

import models.base


# revision identifiers, used by Alembic.
revision = 'b7c9d1e2f3a4'
down_revision = '7c2e9b41d0a3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'worker_heartbeats',
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('kind', sa.String(length=50), nullable=False),
        sa.Column('beat_at', models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_worker_heartbeats')),
    )


def downgrade():
    op.drop_table('worker_heartbeats')

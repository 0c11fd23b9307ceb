"""Signposting register, and snippets that answer a red-flag category or stay private

Revision ID: c5a7e1b2d3f4
Revises: b7c1d2e3f4a5
Create Date: 2026-12-01 15:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
import models.base


# revision identifiers, used by Alembic.
revision = 'c5a7e1b2d3f4'
down_revision = 'b7c1d2e3f4a5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('signposting_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('text_number', sa.String(length=40), nullable=True),
    sa.Column('hours', sa.String(length=200), nullable=False),
    sa.Column('nations', sa.JSON(), nullable=False),
    sa.Column('web_address', sa.String(length=500), nullable=True),
    sa.Column('categories', sa.JSON(), nullable=False),
    sa.Column('how_to_use', sa.Text(), nullable=False),
    sa.Column('checked_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('checked_by', sa.String(length=200), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('updated_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'],
                            name=op.f('fk_signposting_entries_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signposting_entries')),
    sa.UniqueConstraint('key', name=op.f('uq_signposting_entries_key'))
    )
    with op.batch_alter_table('snippets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('category', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('private_only', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('snippets', schema=None) as batch_op:
        batch_op.drop_column('private_only')
        batch_op.drop_column('category')
    op.drop_table('signposting_entries')

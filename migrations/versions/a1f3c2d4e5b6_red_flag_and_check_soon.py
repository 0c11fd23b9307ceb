"""Red flag, its categories and the check-soon marker on comments

Revision ID: a1f3c2d4e5b6
Revises: e24e53bc781b
Create Date: 2026-12-01 14:15:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a1f3c2d4e5b6'
down_revision = 'e24e53bc781b'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('red_flag', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('red_flag_categories', sa.JSON(), nullable=False,
                                      server_default='[]'))
        batch_op.add_column(sa.Column('check_soon', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_column('check_soon')
        batch_op.drop_column('red_flag_categories')
        batch_op.drop_column('red_flag')

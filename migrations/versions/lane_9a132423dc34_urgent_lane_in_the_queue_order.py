"""The urgent lane: queue_rank and lane_probability on comments, and the queue index for them

Revision ID: 9a132423dc34
Revises: a1f3c2d4e5b6
Create Date: 2026-12-01 14:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9a132423dc34'
down_revision = 'a1f3c2d4e5b6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('queue_rank', sa.SmallInteger(), nullable=False,
                                      server_default=sa.text('3')))
        batch_op.add_column(sa.Column('lane_probability', sa.Float(), nullable=False,
                                      server_default=sa.text('0')))
        batch_op.drop_index('ix_comments_queue')
    # Comments already stored get the rank the model would give them (models.comment).
    op.execute(
        "UPDATE comments SET queue_rank = CASE "
        "WHEN urgency = 'urgent' AND red_flag THEN 0 "
        "WHEN urgency = 'urgent' THEN 1 "
        "WHEN check_soon OR red_flag THEN 2 ELSE 3 END"
    )
    op.execute("UPDATE comments SET lane_probability = urgent_probability "
               "WHERE queue_rank IN (0, 1)")
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.create_index('ix_comments_queue', [
            'status', 'queue_rank', sa.text('lane_probability DESC'), 'due_at',
            sa.text('urgent_probability DESC'), 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_index('ix_comments_queue')
        batch_op.drop_column('lane_probability')
        batch_op.drop_column('queue_rank')
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.create_index('ix_comments_queue', ['status', 'due_at', 'urgent_probability'],
                              unique=False)

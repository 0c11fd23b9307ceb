"""Private replies, reply edits and withdrawals, reply versions, redactions and follow-ups

Revision ID: c4d5e6f7a8b9
Revises: b7c1d2e3f4a5
Create Date: 2026-12-01 14:40:00.000000

"""
from alembic import op
import sqlalchemy as sa

import models.base


# revision identifiers, used by Alembic.
revision = 'c4d5e6f7a8b9'
down_revision = 'b7c1d2e3f4a5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('redactions', sa.JSON(), nullable=False,
                                      server_default='[]'))
        batch_op.add_column(sa.Column('in_reply_to_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_comments_in_reply_to_id'), ['in_reply_to_id'],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_comments_in_reply_to_id_comments'),
                                    'comments', ['in_reply_to_id'], ['id'])

    with op.batch_alter_table('replies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=16), nullable=False,
                                      server_default='public'))
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False,
                                      server_default='1'))
        batch_op.add_column(sa.Column('edited_at', models.base.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('withdrawn_at', models.base.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('withdrawn_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('withdraw_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('outbox_message_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_replies_withdrawn_by_id_users'),
                                    'users', ['withdrawn_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_replies_outbox_message_id_outbox_messages'),
                                    'outbox_messages', ['outbox_message_id'], ['id'])

    op.create_table(
        'reply_versions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('reply_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                                name=op.f('fk_reply_versions_created_by_id_users')),
        sa.ForeignKeyConstraint(['reply_id'], ['replies.id'],
                                name=op.f('fk_reply_versions_reply_id_replies')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reply_versions')),
        sa.UniqueConstraint('reply_id', 'version', name='uq_reply_versions'),
    )


def downgrade():
    op.drop_table('reply_versions')
    with op.batch_alter_table('replies', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_replies_outbox_message_id_outbox_messages'),
                                 type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_replies_withdrawn_by_id_users'),
                                 type_='foreignkey')
        batch_op.drop_column('outbox_message_id')
        batch_op.drop_column('withdraw_reason')
        batch_op.drop_column('withdrawn_by_id')
        batch_op.drop_column('withdrawn_at')
        batch_op.drop_column('edited_at')
        batch_op.drop_column('version')
        batch_op.drop_column('kind')

    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_comments_in_reply_to_id_comments'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_comments_in_reply_to_id'))
        batch_op.drop_column('in_reply_to_id')
        batch_op.drop_column('redactions')

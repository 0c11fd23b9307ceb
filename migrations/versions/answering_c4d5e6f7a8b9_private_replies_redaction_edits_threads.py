"""Private replies, reply edits and versions, redactions, follow-ups, safeguarding, notes

Revision ID: c4d5e6f7a8b9
Revises: b7c9d1e2f3a4
Create Date: 2026-12-01 14:40:00.000000

"""
from alembic import op
import sqlalchemy as sa

import models.base


# revision identifiers, used by Alembic.
revision = 'c4d5e6f7a8b9'
down_revision = 'b7c9d1e2f3a4'
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

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('safeguarding_lead', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))

    op.create_table(
        'safeguarding_records',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('comment_id', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=16), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('concern', sa.Text(), nullable=False),
        sa.Column('decision', sa.Text(), nullable=False),
        sa.Column('actions', sa.Text(), nullable=False),
        sa.Column('outcome', sa.Text(), nullable=False),
        sa.Column('opened_at', models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('opened_by_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['comment_id'], ['comments.id'],
                                name=op.f('fk_safeguarding_records_comment_id_comments')),
        sa.ForeignKeyConstraint(['opened_by_id'], ['users.id'],
                                name=op.f('fk_safeguarding_records_opened_by_id_users')),
        sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'],
                                name=op.f('fk_safeguarding_records_updated_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_safeguarding_records')),
        sa.UniqueConstraint('comment_id', name=op.f('uq_safeguarding_records_comment_id')),
    )

    op.create_table(
        'thread_notes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('comment_id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['author_id'], ['users.id'],
                                name=op.f('fk_thread_notes_author_id_users')),
        sa.ForeignKeyConstraint(['comment_id'], ['comments.id'],
                                name=op.f('fk_thread_notes_comment_id_comments')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_thread_notes')),
    )
    with op.batch_alter_table('thread_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_thread_notes_comment_id'), ['comment_id'],
                              unique=False)

    op.create_table(
        'note_mentions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('note_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('seen_at', models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['note_id'], ['thread_notes.id'],
                                name=op.f('fk_note_mentions_note_id_thread_notes')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_note_mentions_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_note_mentions')),
    )
    with op.batch_alter_table('note_mentions', schema=None) as batch_op:
        batch_op.create_index('ix_note_mentions_user_seen', ['user_id', 'seen_at'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('note_mentions', schema=None) as batch_op:
        batch_op.drop_index('ix_note_mentions_user_seen')
    op.drop_table('note_mentions')
    with op.batch_alter_table('thread_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_thread_notes_comment_id'))
    op.drop_table('thread_notes')
    op.drop_table('safeguarding_records')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('safeguarding_lead')
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

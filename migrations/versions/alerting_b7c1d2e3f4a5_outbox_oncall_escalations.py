"""Outbox, on-call rota, alert channels, escalations and comments.first_claimed_at

Revision ID: b7c1d2e3f4a5
Revises: 9a132423dc34
Create Date: 2026-12-01 14:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

import models.base


# revision identifiers, used by Alembic.
revision = 'b7c1d2e3f4a5'
down_revision = '9a132423dc34'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'oncall_shifts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('weekday', sa.Integer(), nullable=False),
        sa.Column('starts', sa.Time(), nullable=False),
        sa.Column('ends', sa.Time(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_oncall_shifts_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_oncall_shifts')),
    )
    with op.batch_alter_table('oncall_shifts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_oncall_shifts_user_id'), ['user_id'], unique=False)

    op.create_table(
        'oncall_overrides',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('starts_at', models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('ends_at', models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('note', sa.String(length=200), nullable=False),
        sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_oncall_overrides_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_oncall_overrides')),
    )
    with op.batch_alter_table('oncall_overrides', schema=None) as batch_op:
        batch_op.create_index('ix_oncall_overrides_period', ['starts_at', 'ends_at'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_oncall_overrides_user_id'), ['user_id'],
                              unique=False)

    op.create_table(
        'alert_channels',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=True),
        sa.Column('email_enabled', sa.Boolean(), nullable=False),
        sa.Column('webhook_enabled', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_alert_channels_user_id_users')),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_alert_channels')),
    )

    op.create_table(
        'escalations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('comment_id', sa.Integer(), nullable=False),
        sa.Column('started_at', models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('on_call', sa.Boolean(), nullable=False),
        sa.Column('step', sa.Integer(), nullable=False),
        sa.Column('round', sa.Integer(), nullable=False),
        sa.Column('next_step_at', models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('stopped_at', models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('stop_reason', sa.Text(), nullable=True),
        sa.Column('acknowledged_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['acknowledged_by_id'], ['users.id'],
                                name=op.f('fk_escalations_acknowledged_by_id_users')),
        sa.ForeignKeyConstraint(['comment_id'], ['comments.id'],
                                name=op.f('fk_escalations_comment_id_comments')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_escalations')),
        sa.UniqueConstraint('comment_id', name=op.f('uq_escalations_comment_id')),
    )
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_escalations_next_step_at'), ['next_step_at'],
                              unique=False)

    op.create_table(
        'outbox_messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('recipient', sa.String(length=254), nullable=False),
        sa.Column('subject', sa.String(length=300), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('payload', sa.JSON(), nullable=False),
        sa.Column('idempotency_key', sa.String(length=200), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('lease_expires_at', models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('lease_owner', sa.String(length=64), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('sent_at', models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('delivered_at', models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('comment_id', sa.Integer(), nullable=True),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('escalation_id', sa.Integer(), nullable=True),
        sa.Column('escalation_step', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['comment_id'], ['comments.id'],
                                name=op.f('fk_outbox_messages_comment_id_comments')),
        sa.ForeignKeyConstraint(['escalation_id'], ['escalations.id'],
                                name=op.f('fk_outbox_messages_escalation_id_escalations')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_outbox_messages_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_messages')),
        sa.UniqueConstraint('idempotency_key', name=op.f('uq_outbox_messages_idempotency_key')),
    )
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_messages_comment', ['comment_id'], unique=False)
        batch_op.create_index('ix_outbox_messages_due', ['status', 'next_attempt_at'],
                              unique=False)
        batch_op.create_index('ix_outbox_messages_escalation', ['escalation_id'], unique=False)

    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_claimed_at', models.base.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_column('first_claimed_at')
    op.drop_table('outbox_messages')
    op.drop_table('escalations')
    op.drop_table('alert_channels')
    op.drop_table('oncall_overrides')
    op.drop_table('oncall_shifts')

"""Snippet change control (drafts, approvals, owners, references) and reply reviews

Revision ID: 69da322d3b64
Revises: 5c3ce8a280fb
Create Date: 2026-12-01 17:10:00.000000

"""
from alembic import op
import sqlalchemy as sa

import models.base


# revision identifiers, used by Alembic.
revision = '69da322d3b64'
down_revision = '5c3ce8a280fb'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('clinical_approver', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))

    with op.batch_alter_table('snippets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('clinical_owner_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('approved_at', models.base.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_snippets_clinical_owner_id_users'),
                                    'users', ['clinical_owner_id'], ['id'])

    with op.batch_alter_table('snippet_versions', schema=None) as batch_op:
        # Every version kept so far was live text: it counts as approved (by nobody named).
        batch_op.add_column(sa.Column('status', sa.String(length=16), nullable=False,
                                      server_default='approved'))
        batch_op.add_column(sa.Column('approved_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('approved_at', models.base.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_snippet_versions_approved_by_id_users'),
                                    'users', ['approved_by_id'], ['id'])

    # Existing snippets were live before change control: their current text stays insertable.
    op.execute("UPDATE snippets SET approved_at = updated_at")
    op.execute("UPDATE snippet_versions SET approved_at = created_at")
    # The free-text owner becomes an account where the text names exactly one active user
    # (by name, display name or email); the text is then cleared, otherwise kept to choose.
    op.execute("""
        UPDATE snippets SET clinical_owner_id = (
            SELECT CASE WHEN COUNT(*) = 1 THEN MIN(users.id) END FROM users
            WHERE users.active AND (lower(users.name) = lower(trim(snippets.clinical_owner))
                   OR lower(users.display_name) = lower(trim(snippets.clinical_owner))
                   OR lower(users.email) = lower(trim(snippets.clinical_owner)))
            )
        WHERE trim(snippets.clinical_owner) <> ''
    """)
    op.execute("UPDATE snippets SET clinical_owner = '' WHERE clinical_owner_id IS NOT NULL")

    op.create_table(
        'snippet_references',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('snippet_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('url', sa.String(length=500), nullable=True),
        sa.Column('checked_on', sa.Date(), nullable=False),
        sa.Column('added_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['added_by_id'], ['users.id'],
                                name=op.f('fk_snippet_references_added_by_id_users')),
        sa.ForeignKeyConstraint(['snippet_id'], ['snippets.id'],
                                name=op.f('fk_snippet_references_snippet_id_snippets')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_snippet_references')),
    )
    with op.batch_alter_table('snippet_references', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_snippet_references_snippet_id'), ['snippet_id'],
                              unique=False)

    op.create_table(
        'reply_reviews',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('reply_id', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=24), nullable=False),
        sa.Column('category', sa.String(length=24), nullable=True),
        sa.Column('sample_week', sa.String(length=10), nullable=True),
        sa.Column('sample_seed', sa.Integer(), nullable=True),
        sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('due_at', models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('reviewer_id', sa.Integer(), nullable=True),
        sa.Column('reviewed_at', models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('verdict', sa.String(length=16), nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('accurate', sa.Boolean(), nullable=True),
        sa.Column('safe', sa.Boolean(), nullable=True),
        sa.Column('safety_netted', sa.Boolean(), nullable=True),
        sa.Column('kind', sa.Boolean(), nullable=True),
        sa.Column('on_topic', sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(['reply_id'], ['replies.id'],
                                name=op.f('fk_reply_reviews_reply_id_replies')),
        sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'],
                                name=op.f('fk_reply_reviews_reviewer_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reply_reviews')),
        sa.UniqueConstraint('reply_id', 'source', name='uq_reply_reviews_source'),
    )
    with op.batch_alter_table('reply_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reply_reviews_reply_id'), ['reply_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reply_reviews_reviewed_at'), ['reviewed_at'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_reply_reviews_sample_week'), ['sample_week'],
                              unique=False)


def downgrade():
    op.drop_table('reply_reviews')
    op.drop_table('snippet_references')
    with op.batch_alter_table('snippet_versions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_snippet_versions_approved_by_id_users'),
                                 type_='foreignkey')
        batch_op.drop_column('approved_at')
        batch_op.drop_column('approved_by_id')
        batch_op.drop_column('status')
    with op.batch_alter_table('snippets', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_snippets_clinical_owner_id_users'),
                                 type_='foreignkey')
        batch_op.drop_column('approved_at')
        batch_op.drop_column('clinical_owner_id')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('clinical_approver')

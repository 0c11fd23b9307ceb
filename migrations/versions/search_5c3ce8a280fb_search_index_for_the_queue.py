"""Search index for the queue: pg_trgm trigram indexes on PostgreSQL, FTS5 on SQLite

Revision ID: 5c3ce8a280fb
Revises: 7e16c02e7ee0
Create Date: 2026-12-01 17:10:00.000000

The objects are created by the same idempotent helper that runs after `create_all`
(models/search_index.py), so a migrated database and a created one search alike. On a
database that already holds comments the upgrade indexes them: allow minutes per million
comments (PostgreSQL builds two GIN indexes; SQLite rebuilds the FTS table).
"""
from alembic import op

from models.search_index import create_search_index, drop_search_index


# revision identifiers, used by Alembic.
revision = '5c3ce8a280fb'
down_revision = '7e16c02e7ee0'
branch_labels = None
depends_on = None


def upgrade():
    connection = op.get_bind()
    if connection.dialect.name == "postgresql":
        # Building the indexes on a full table outlasts the serving statement timeout.
        connection.exec_driver_sql("SET LOCAL statement_timeout = 0")
    create_search_index(connection)


def downgrade():
    drop_search_index(op.get_bind())

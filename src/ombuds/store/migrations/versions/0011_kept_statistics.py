"""Kept statistics: each year's statistics as the `stats` command prints them, kept for the data version and the
statistics code they were computed from, so that asking again reads one row instead of computing.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kept_statistics",
        sa.Column("year", sa.String(7), primary_key=True),
        sa.Column("method", sa.String(10), primary_key=True),
        sa.Column("data_version", sa.Integer, nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("published", sa.Boolean, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("kept_statistics")

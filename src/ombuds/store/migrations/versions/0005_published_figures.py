"""Published figures: what letters and statistics pages of years without case-level data stated.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "published",
        sa.Column("authority_code", sa.String(9), primary_key=True),
        sa.Column("year", sa.String(7), primary_key=True),
        sa.Column("source", sa.Text, primary_key=True),
        sa.Column("edition", sa.String(20)),
        sa.Column("figures", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("published")

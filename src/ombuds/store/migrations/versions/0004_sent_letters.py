"""Sent letters: the log that makes `ombuds send` resumable and stops a letter going twice.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sent_letters",
        sa.Column("authority_code", sa.String(9), primary_key=True),
        sa.Column("year", sa.String(7), primary_key=True),
        sa.Column("message_id", sa.Text, nullable=False),
        sa.Column("recipients", sa.Text, nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("sent_letters")

"""Contacts for letters and population figures by year.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contacts",
        sa.Column("authority_code", sa.String(9), primary_key=True),
        sa.Column("role", sa.String(20), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("salutation", sa.Text, nullable=False),
        sa.Column("email", sa.Text),
    )
    op.create_table(
        "population",
        sa.Column("authority_code", sa.String(9), primary_key=True),
        sa.Column("year", sa.String(7), primary_key=True),
        sa.Column("population", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("population")
    op.drop_table("contacts")

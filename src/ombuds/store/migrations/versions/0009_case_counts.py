"""The case counts: every case table counted by year, authority and label, filled from the cases already held,
so that statistics read the counts instead of the cases.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

from ombuds.store.aggregate import recount

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_counts",
        sa.Column("start_year", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(10), primary_key=True),
        sa.Column("authority_code", sa.String(9), primary_key=True),
        sa.Column("label", sa.String(40), primary_key=True),
        sa.Column("cases", sa.Integer, nullable=False),
        sa.Column("satisfactory_remedies", sa.Integer, nullable=False),
        sa.Column("remedied_by_ombudsman", sa.Integer, nullable=False),
    )
    recount(op.get_bind())


def downgrade() -> None:
    op.drop_table("case_counts")

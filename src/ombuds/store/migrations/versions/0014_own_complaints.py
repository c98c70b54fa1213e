"""An organisation's own complaints (stages 1 and 2) and its self-assessment against the Complaint Handling Code.

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "own_complaints",
        sa.Column("authority_code", sa.String(80), primary_key=True),
        sa.Column("reference", sa.String(40), primary_key=True),
        sa.Column("stage", sa.Integer, primary_key=True),
        sa.Column("received_date", sa.Date, nullable=False),
        sa.Column("acknowledged_date", sa.Date),
        sa.Column("response_date", sa.Date),
        sa.Column("extended_to", sa.Date),
        sa.Column("service_area", sa.Text, nullable=False),
        sa.Column("outcome", sa.String(20)),
    )
    op.create_index("ix_own_complaints_year", "own_complaints", ["authority_code", "received_date"])
    op.create_table(
        "self_assessment",
        sa.Column("authority_code", sa.String(80), primary_key=True),
        sa.Column("year", sa.String(7), primary_key=True),
        sa.Column("provision", sa.String(10), primary_key=True),
        sa.Column("complies", sa.String(10), nullable=False),
        sa.Column("evidence", sa.Text),
        sa.Column("action", sa.Text),
        sa.Column("due", sa.Date),
    )


def downgrade() -> None:
    op.drop_table("self_assessment")
    op.drop_index("ix_own_complaints_year", "own_complaints")
    op.drop_table("own_complaints")

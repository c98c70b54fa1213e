"""Case records: received, decided, compliance, improvements.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "received",
        sa.Column("reference", sa.String(40), primary_key=True),
        sa.Column("authority_code", sa.String(9), nullable=False),
        sa.Column("received_date", sa.Date, nullable=False),
        sa.Column("service_area", sa.String(40), nullable=False),
    )
    op.create_index("ix_received_date", "received", ["received_date", "authority_code"])
    op.create_table(
        "decided",
        sa.Column("reference", sa.String(40), primary_key=True),
        sa.Column("authority_code", sa.String(9), nullable=False),
        sa.Column("decision_date", sa.Date, nullable=False),
        sa.Column("outcome", sa.String(40), nullable=False),
        sa.Column("service_area", sa.String(40)),
        sa.Column("satisfactory_remedy", sa.Boolean, nullable=False),
        sa.Column("remedied_by_ombudsman", sa.Boolean, nullable=False),
        sa.Column("public_report", sa.Boolean, nullable=False),
        sa.Column("summary", sa.Text),
    )
    op.create_index("ix_decided_date", "decided", ["decision_date", "authority_code"])
    op.create_table(
        "compliance",
        sa.Column("reference", sa.String(40), primary_key=True),
        sa.Column("authority_code", sa.String(9), nullable=False),
        sa.Column("recorded_date", sa.Date, nullable=False),
        sa.Column("compliance", sa.String(20), nullable=False),
    )
    op.create_index("ix_compliance_date", "compliance", ["recorded_date", "authority_code"])
    op.create_table(
        "improvements",
        sa.Column("reference", sa.String(40), primary_key=True),
        sa.Column("improvement", sa.Text, primary_key=True),
        sa.Column("authority_code", sa.String(9), nullable=False),
        sa.Column("agreed_date", sa.Date, nullable=False),
    )
    op.create_index("ix_improvements_authority", "improvements", ["authority_code", "agreed_date"])


def downgrade() -> None:
    for table in ("improvements", "compliance", "decided", "received"):
        op.drop_table(table)

"""Covering indexes: a year's counts are read from the index alone, without visiting the rows.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

INDEXES = {
    "received": ("ix_received_date", ["received_date", "authority_code"],
                 "ix_received_counts", ["received_date", "authority_code", "service_area"]),
    "decided": ("ix_decided_date", ["decision_date", "authority_code"],
                "ix_decided_counts", ["decision_date", "authority_code", "outcome", "satisfactory_remedy",
                                      "remedied_by_ombudsman"]),
    "compliance": ("ix_compliance_date", ["recorded_date", "authority_code"],
                   "ix_compliance_counts", ["recorded_date", "authority_code", "compliance"]),
}


def upgrade() -> None:
    for table, (old, _, new, columns) in INDEXES.items():
        op.drop_index(old, table_name=table)
        op.create_index(new, table, columns)


def downgrade() -> None:
    for table, (old, old_columns, new, _) in INDEXES.items():
        op.drop_index(new, table_name=table)
        op.create_index(old, table, old_columns)

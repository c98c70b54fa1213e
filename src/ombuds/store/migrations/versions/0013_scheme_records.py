"""The records of a measures scheme's kinds (schemes/<id>/kinds.toml): one row per input row, its body, date and
other fields (label ids, flags, numbers, text) as a JSON object.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "records",
        sa.Column("kind", sa.String(40), primary_key=True),
        sa.Column("record_key", sa.String(200), primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("body_code", sa.String(80), nullable=False),
        sa.Column("record_date", sa.Date, nullable=False),
        sa.Column("fields", sa.Text, nullable=False),
    )
    op.create_index("ix_records_date", "records", ["kind", "record_date"])


def downgrade() -> None:
    op.drop_index("ix_records_date", "records")
    op.drop_table("records")

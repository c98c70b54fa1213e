"""The change list: what each step of the data version reached (the reporting years and bodies whose case rows an
import added or changed), so that a site rebuild asks again only the questions those changes can answer differently
(`store.changes`, `site.incremental`); a token for each step, which tells one history from another (a database
restored from a backup and imported into again reaches the same version by other steps); and the store's identity,
the token of a database with no step yet.

Revision ID: 0017
Revises: 0016
"""

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "data_changes",
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("start_year", sa.Integer),
        sa.Column("authority_code", sa.String(80)),
    )
    op.create_index("ix_data_changes_version", "data_changes", ["version"])
    op.create_table(
        "data_steps",
        sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("token", sa.String(32), nullable=False),
    )
    identity = op.create_table(
        "store_identity",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("token", sa.String(32), nullable=False),
    )
    op.bulk_insert(identity, [{"id": 1, "token": uuid.uuid4().hex}])


def downgrade() -> None:
    op.drop_table("store_identity")
    op.drop_table("data_steps")
    op.drop_index("ix_data_changes_version", "data_changes")
    op.drop_table("data_changes")

"""The change list: what each step of the data version reached (the reporting years and bodies whose case rows an
import added or changed), so that a site rebuild asks again only the questions those changes can answer differently
(`store.changes`, `site.incremental`); and the store's identity, a token that tells this database from one made
again from nothing.

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
    identity = op.create_table(
        "store_identity",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("token", sa.String(32), nullable=False),
    )
    op.bulk_insert(identity, [{"id": 1, "token": uuid.uuid4().hex}])


def downgrade() -> None:
    op.drop_table("store_identity")
    op.drop_index("ix_data_changes_version", "data_changes")
    op.drop_table("data_changes")

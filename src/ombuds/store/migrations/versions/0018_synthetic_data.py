"""Whether a database holds synthetic data (`scheme_setting.synthetic`): set by `ombuds demo`, so that every letter
made from the database, by `ombuds letters`, the site or a release's checksums, says its figures are synthetic. A
database from before this revision holds no data the demo marked.

Revision ID: 0018
Revises: 0017
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("scheme_setting") as batch:
        batch.add_column(sa.Column("synthetic", sa.Boolean, nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("scheme_setting") as batch:
        batch.drop_column("synthetic")

"""An index for an authority's decisions in date order (the site's decision pages, feeds, public reports).

Revision ID: 0008
Revises: 0007
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_decided_authority", "decided", ["authority_code", "decision_date"])


def downgrade() -> None:
    op.drop_index("ix_decided_authority", "decided")

"""The scheme a database holds (one row, `scheme_setting`), and body codes wide enough for any scheme's (a
landlord's slug is longer than a GSS code). A database that already held records before this revision is the
LGSCO's: it is recorded as such; a new one takes the scheme of the first command that writes to it.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

CODE_COLUMNS = {"received": "authority_code", "decided": "authority_code", "compliance": "authority_code",
                "improvements": "authority_code", "contacts": "authority_code", "population": "authority_code",
                "sent_letters": "authority_code", "published": "authority_code", "case_counts": "authority_code",
                "release_letters": "authority_code"}
HELD = ("received", "decided", "compliance", "improvements", "contacts", "population", "published")
WIDE = 80


def upgrade() -> None:
    op.create_table(
        "scheme_setting",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("scheme", sa.Text, nullable=False),
    )
    bind = op.get_bind()
    if any(bind.execute(sa.text(f"SELECT 1 FROM {table} LIMIT 1")).first() for table in HELD):
        bind.execute(sa.text("INSERT INTO scheme_setting (id, scheme) VALUES (1, 'lgsco')"))
    _retype(sa.String(9), sa.String(WIDE))


def _retype(old: sa.String, new: sa.String) -> None:
    """PostgreSQL widens a varchar in place; SQLite (which never enforced the length) copies each table."""
    for table, column in CODE_COLUMNS.items():
        with op.batch_alter_table(table) as batch:
            batch.alter_column(column, type_=new, existing_type=old)


def downgrade() -> None:
    _retype(sa.String(WIDE), sa.String(9))
    op.drop_table("scheme_setting")

"""Releases: a year's frozen statistics, letter checksums and case-data checksum; its publication date; revisions
of published figures; and one audit log of imports, releases and revisions (the import log's rows move into it).

Revision ID: 0010
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "releases",
        sa.Column("year", sa.String(7), primary_key=True),
        sa.Column("stage", sa.String(20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True)),
        sa.Column("published_on", sa.Date),
        sa.Column("edition", sa.Text),
        sa.Column("edition_sha256", sa.String(64)),
        sa.Column("case_checksum", sa.String(64), nullable=False),
        sa.Column("statistics", sa.Text, nullable=False),
    )
    op.create_table(
        "release_letters",
        sa.Column("year", sa.String(7), sa.ForeignKey("releases.year", ondelete="CASCADE"), primary_key=True),
        sa.Column("authority_code", sa.String(9), primary_key=True),
        sa.Column("pdf_sha256", sa.String(64), nullable=False),
        sa.Column("html_sha256", sa.String(64), nullable=False),
    )
    op.create_table(
        "revisions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("year", sa.String(7), nullable=False),
        sa.Column("authority", sa.String(20), nullable=False),
        sa.Column("figure", sa.Text, nullable=False),
        sa.Column("old", sa.Text, nullable=False),
        sa.Column("new", sa.Text, nullable=False),
        sa.Column("revised_on", sa.Date, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Index("ix_revisions_year", "year", "authority"),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("happened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("user_name", sa.Text, nullable=False),
        sa.Column("host", sa.Text, nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("details", sa.Text, nullable=False),
    )
    # Copied inside the database, so that each database's own timestamp format is kept as it is.
    op.execute("INSERT INTO audit_log (happened_at, action, user_name, host, subject, details) "
               "SELECT imported_at, 'import', user_name, host, files, summary FROM import_log ORDER BY id")
    op.drop_table("import_log")


def downgrade() -> None:
    op.create_table(
        "import_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_name", sa.Text, nullable=False),
        sa.Column("host", sa.Text, nullable=False),
        sa.Column("files", sa.Text, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
    )
    op.execute("INSERT INTO import_log (imported_at, user_name, host, files, summary) "
               "SELECT happened_at, user_name, host, subject, details FROM audit_log WHERE action = 'import' "
               "ORDER BY id")
    op.drop_table("audit_log")
    op.drop_table("revisions")
    op.drop_table("release_letters")
    op.drop_table("releases")

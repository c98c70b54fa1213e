"""The tables. One per input kind (SPEC 2.1), made from the LGSCO scheme's kinds.toml (its columns' fields and
types, each kind's key, column order and indexes): a new stored column there needs a migration, not an edit here.

The date indexes carry the columns a year's counts need, so the statistics read the indexes alone."""

from collections.abc import Callable

from sqlalchemy import Boolean, Column, Date, DateTime, ForeignKey, Index, Integer, MetaData, String, Table, Text, false
from sqlalchemy.types import TypeEngine

from ombuds.schemes import DEFAULT, load_scheme
from ombuds.schemes.model import CaseColumn, CaseKind

metadata = MetaData()

CODE = 80  # a body code: a GSS code (9) for the LGSCO, a slug for a landlord (migration 0012)
REFERENCE = 40  # a case reference (ingest.fields.MAX_REFERENCE)
_TYPES: dict[str, Callable[[], TypeEngine]] = {
    "reference": lambda: String(REFERENCE), "body": lambda: String(CODE), "date": Date, "year": lambda: String(7),
    "flag": Boolean, "text": Text, "lettered": Text, "email": Text, "count": Integer}


def _sql(column: CaseColumn) -> TypeEngine:
    if column.integer:
        return Integer()
    return String(column.width) if column.width is not None else _TYPES[column.type]()


def case_table(kind: CaseKind, into: MetaData) -> Table:
    """A kind's table: its fields in `order`, its key the primary key; a value is never empty (NOT NULL) when it is
    required, a flag (no is stored as false) or has a default."""
    columns = [kind.column(field) for field in kind.order]
    return Table(kind.id, into,
                 *(Column(c.field, _sql(c), primary_key=c.field in kind.key,
                          nullable=not (c.required or c.type == "flag" or c.default is not None or c.field in kind.key))
                   for c in columns),
                 *(Index(name, *on) for name, on in kind.indexes.items()))


# The engine's case tables, one set for every database: the shipped LGSCO's kinds, which the migrations build.
TABLES = {kind.id: case_table(kind, metadata) for kind in load_scheme(DEFAULT).case_kinds.values()}
received, decided, compliance = TABLES["received"], TABLES["decided"], TABLES["compliance"]
improvements, contacts, population = TABLES["improvements"], TABLES["contacts"], TABLES["population"]
own_complaints, self_assessment = TABLES["own_complaints"], TABLES["self_assessment"]

sent_letters = Table(
    "sent_letters", metadata,
    Column("authority_code", String(CODE), primary_key=True),
    Column("year", String(7), primary_key=True),
    Column("message_id", Text, nullable=False),
    Column("recipients", Text, nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=False),
)

published = Table(  # figures read from published documents, kept apart from case-level records
    "published", metadata,
    Column("authority_code", String(CODE), primary_key=True),
    Column("year", String(7), primary_key=True),
    Column("source", Text, primary_key=True),
    Column("edition", String(20)),
    Column("figures", Text, nullable=False),  # the parsed SPEC 2.3 object, as JSON
)

case_counts = Table(  # the case tables counted by year, authority and label (see store.aggregate)
    "case_counts", metadata,
    Column("start_year", Integer, primary_key=True),  # the reporting year, by the calendar year it starts in
    Column("kind", String(10), primary_key=True),  # received, decided or compliance
    Column("authority_code", String(CODE), primary_key=True),
    Column("label", String(40), primary_key=True),  # service area, outcome or compliance
    Column("cases", Integer, nullable=False),
    Column("satisfactory_remedies", Integer, nullable=False),  # decided only: with a satisfactory remedy
    Column("remedied_by_ombudsman", Integer, nullable=False),  # decided only: remedied by the ombudsman
)

kept_statistics = Table(  # each year's statistics as `stats` prints them, for one data version (see store.kept)
    "kept_statistics", metadata,
    Column("year", String(7), primary_key=True),  # "" holds the list of years with figures
    Column("method", String(10), primary_key=True),  # the averaging method
    Column("data_version", Integer, nullable=False),
    Column("fingerprint", String(64), nullable=False),  # of the code and registry the figures were computed with
    Column("published", Boolean, nullable=False),  # the year's figures come from published documents
    Column("body", Text, nullable=False),  # the records, one JSON object a line
)

RECORD_KEY = 200  # the longest key (a kind's key fields, joined) a record may have

records = Table(  # the rows of a measures scheme's record kinds (kinds.toml), read by stats.measures
    "records", metadata,
    Column("kind", String(40), primary_key=True),
    Column("record_key", String(RECORD_KEY), primary_key=True),  # the kind's key fields, joined: rows replaced together
    Column("position", Integer, primary_key=True),  # the row's place among the rows sharing the key
    Column("body_code", String(80), nullable=False),
    Column("record_date", Date, nullable=False),
    Column("fields", Text, nullable=False),  # the other fields as stored values (label ids, not words), JSON
    Index("ix_records_date", "kind", "record_date"),
)

version_table = Table(  # one row: bumped by every change to the figures' inputs (see store.queries.bump_version)
    "data_version", metadata,
    Column("id", Integer, primary_key=True),
    Column("version", Integer, nullable=False),
)

data_changes = Table(  # what each step of the data version reached (see store.changes)
    "data_changes", metadata,
    Column("version", Integer, nullable=False),  # the data version the step made
    Column("start_year", Integer),  # the reporting year reached, by the calendar year it starts in; None: nothing new
    Column("authority_code", String(CODE)),
    Index("ix_data_changes_version", "version"),
)

data_steps = Table(  # each step of the data version, with a token of its own (see store.changes)
    "data_steps", metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("token", String(32), nullable=False),
)

store_identity = Table(  # one row: a token made with the change list, telling this database from one made again
    "store_identity", metadata,
    Column("id", Integer, primary_key=True),
    Column("token", String(32), nullable=False),
)

audit_log = Table(  # every import, release and revision: when, who on which machine, what, what changed
    "audit_log", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("happened_at", DateTime(timezone=True), nullable=False),
    Column("action", String(20), nullable=False),  # import, release create, release publish, revision
    Column("user_name", Text, nullable=False),
    Column("host", Text, nullable=False),
    Column("subject", Text, nullable=False),  # the files imported, or the year released or revised
    Column("details", Text, nullable=False),
)

releases = Table(  # a year frozen for publication (ombuds.releases)
    "releases", metadata,
    Column("year", String(7), primary_key=True),
    Column("stage", String(20), nullable=False),  # created (frozen) or published (public from published_on)
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("published_at", DateTime(timezone=True)),
    Column("published_on", Date),
    Column("edition", Text),
    Column("edition_sha256", String(64)),
    Column("case_checksum", String(64), nullable=False),
    Column("statistics", Text, nullable=False),  # the frozen records and type averages, as JSON
)

release_letters = Table(
    "release_letters", metadata,
    Column("year", String(7), ForeignKey("releases.year", ondelete="CASCADE"), primary_key=True),
    Column("authority_code", String(CODE), primary_key=True),
    Column("pdf_sha256", String(64), nullable=False),
    Column("html_sha256", String(64), nullable=False),
)

revisions = Table(  # each published figure that an import changed (ombuds import --revise)
    "revisions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("year", String(7), nullable=False),
    Column("authority", String(20), nullable=False),  # a GSS code, or a council type for its average
    Column("figure", Text, nullable=False),
    Column("old", Text, nullable=False),  # JSON values
    Column("new", Text, nullable=False),
    Column("revised_on", Date, nullable=False),
    Column("reason", Text, nullable=False),
    Index("ix_revisions_year", "year", "authority"),
)

scheme_setting = Table(  # one row: the scheme whose data the database holds (see store.scheme)
    "scheme_setting", metadata,
    Column("id", Integer, primary_key=True),
    Column("scheme", Text, nullable=False),
    Column("synthetic", Boolean, nullable=False, server_default=false()),  # its data is the demo's (migration 0018)
)

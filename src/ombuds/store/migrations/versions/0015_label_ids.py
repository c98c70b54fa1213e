"""The LGSCO's case tables store label ids, not the published words: a service area, an outcome, a compliance
outcome and a contact role are stored as their id in `schemes/lgsco/labels.toml` (`Upheld` → `upheld`), so a
label's display words can change in the scheme's data without touching a database. Converted: the case tables,
the case counts, the contacts, the counts of published figures (`parse --import`), and the case-data checksum of
each release whose checksum still matched its rows.

The names and ids are frozen here, not read from labels.toml: a migration turns the data of revision 0014, which
holds exactly the words ombuds stored then, into the ids of this revision. Read at migration time, labels.toml could
already word a label differently (a renamed label), and the old words in an upgraded database would be left
behind, unconverted; a downgrade must likewise give back the words revision 0014's code expects.

Revision ID: 0015
Revises: 0014
"""

import hashlib
import json
from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

SERVICE_AREAS = {
    "Adult Care Services": "adult-care-services",
    "Benefits and Tax": "benefits-and-tax",
    "Corporate and Other Services": "corporate-and-other-services",
    "Education and Children's Services": "education-and-childrens-services",
    "Environment Services": "environment-services",
    "Highways and Transport": "highways-and-transport",
    "Housing": "housing",
    "Planning and Development": "planning-and-development",
    "Other": "other",
}
OUTCOMES = {
    "Incomplete or Invalid": "incomplete-or-invalid",
    "Advice Given": "advice-given",
    "Referred back for Local Resolution": "referred-back-for-local-resolution",
    "Closed After Initial Enquiries": "closed-after-initial-enquiries",
    "Not Upheld": "not-upheld",
    "Upheld": "upheld",
}
COMPLIANCE = {"on time": "on-time", "late": "late", "not complied": "not-complied"}
ROLES = {
    "chief executive": "chief-executive",
    "link officer": "link-officer",
    "monitoring officer": "monitoring-officer",
    "leader": "leader",
    "scrutiny chair": "scrutiny-chair",
}

COLUMNS = (  # table, column, names → ids, and for the case counts the kind whose labels they are
    ("received", "service_area", SERVICE_AREAS, None),
    ("decided", "outcome", OUTCOMES, None),
    ("decided", "service_area", SERVICE_AREAS, None),
    ("compliance", "compliance", COMPLIANCE, None),
    ("contacts", "role", ROLES, None),
    ("case_counts", "label", SERVICE_AREAS, "received"),
    ("case_counts", "label", OUTCOMES, "decided"),
    ("case_counts", "label", COMPLIANCE, "compliance"),
)
PUBLISHED_COUNTS = {"received": SERVICE_AREAS, "decided": OUTCOMES}

# The rows a release's case-data checksum is taken over (store.releases.case_rows at this revision).
CASE_ROWS = (
    sa.table("received", *(sa.column(c) for c in ("reference", "authority_code")),
             sa.column("received_date", sa.Date), sa.column("service_area")),
    sa.table("decided", *(sa.column(c) for c in ("reference", "authority_code")), sa.column("decision_date", sa.Date),
             sa.column("outcome"), sa.column("service_area"), sa.column("satisfactory_remedy", sa.Boolean),
             sa.column("remedied_by_ombudsman", sa.Boolean), sa.column("public_report", sa.Boolean),
             sa.column("summary")),
    sa.table("compliance", *(sa.column(c) for c in ("reference", "authority_code")),
             sa.column("recorded_date", sa.Date), sa.column("compliance")),
)
DATES = {"received": "received_date", "decided": "decision_date", "compliance": "recorded_date"}
POPULATION = sa.table("population", sa.column("authority_code"), sa.column("year"), sa.column("population"))
RELEASES = sa.table("releases", sa.column("year"), sa.column("case_checksum"))
PUBLISHED = sa.table("published", sa.column("authority_code"), sa.column("year"), sa.column("source"),
                     sa.column("figures"))


def upgrade() -> None:
    _convert(forward=True)


def downgrade() -> None:
    _convert(forward=False)


def _convert(forward: bool) -> None:
    bind = op.get_bind()
    before = {year: (stored, _case_checksum(bind, year)) for year, stored in bind.execute(
        sa.select(RELEASES.c.year, RELEASES.c.case_checksum))}
    for table, column, names, kind in COLUMNS:  # one statement a column: each table is read once per column
        target = sa.table(table, sa.column(column), sa.column("kind"))
        pairs = names if forward else {i: n for n, i in names.items()}
        where = [target.c[column].in_(list(pairs))] + ([target.c.kind == kind] if kind else [])
        bind.execute(sa.update(target).where(*where).values({column: sa.case(pairs, value=target.c[column])}))
    _convert_published(bind, forward)
    for year, (stored, computed) in before.items():
        if stored == computed:  # a checksum that no longer matched its rows is left to say so
            bind.execute(sa.update(RELEASES).where(RELEASES.c.year == year)
                         .values(case_checksum=_case_checksum(bind, year)))


def _convert_published(bind, forward: bool) -> None:
    rows = bind.execute(sa.select(PUBLISHED.c.authority_code, PUBLISHED.c.year, PUBLISHED.c.source,
                                  PUBLISHED.c.figures)).all()
    for code, year, source, figures in rows:
        document = json.loads(figures)
        for key, names in PUBLISHED_COUNTS.items():
            keys = names if forward else {i: n for n, i in names.items()}
            if isinstance(document.get(key), dict):
                document[key] = {keys.get(k, k): v for k, v in document[key].items()}
        bind.execute(sa.update(PUBLISHED).where(PUBLISHED.c.authority_code == code, PUBLISHED.c.year == year,
                                                PUBLISHED.c.source == source)
                     .values(figures=json.dumps(document, ensure_ascii=False)))


def _case_checksum(bind, year: str) -> str:
    """release_figures.case_checksum at this revision: sha256 of the year's case rows and populations."""
    start = int(year[:4])
    first, last = date(start, 4, 1), date(start + 1, 3, 31)
    digest = hashlib.sha256()
    rows = []
    for table in CASE_ROWS:
        query = (sa.select(*table.c).where(table.c[DATES[table.name]].between(first, last))
                 .order_by(table.c.reference))
        rows += [(table.name, *row) for row in bind.execute(query)]
    query = sa.select(*POPULATION.c).where(POPULATION.c.year == year).order_by(POPULATION.c.authority_code)
    rows += [("population", *row) for row in bind.execute(query)]
    for row in rows:
        digest.update(json.dumps([str(v) if v is not None else None for v in row]).encode("utf-8") + b"\n")
    return digest.hexdigest()

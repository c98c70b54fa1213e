"""Releases name labels by id, as the case tables do since revision 0015: a release's frozen figures count by service
area and outcome by id (`"decided": {"upheld": 3, …}`), a revision names its figure by id (`decided.upheld`), and
the digest of the decisions a release shows is taken over the rows as stored (labels by id). So a label renamed in
`schemes/lgsco/labels.toml` changes no published figure. Each release's digest of its decisions is recomputed only
where it still matched the rows: one that no longer did is left to say so.

The words are frozen here, not read from labels.toml, for the reason given in 0015: revision 0015 froze releases
in exactly the words ombuds shipped, and a labels.toml read at migration time could word a label differently
(renamed), leaving those words behind unconverted; a downgrade gives back the words revision 0015's code expects.

Revision ID: 0016
Revises: 0015
"""

import hashlib
import json
from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

COUNTED = {  # a record's counts by label: names → ids
    "received": {
        "Adult Care Services": "adult-care-services",
        "Benefits and Tax": "benefits-and-tax",
        "Corporate and Other Services": "corporate-and-other-services",
        "Education and Children's Services": "education-and-childrens-services",
        "Environment Services": "environment-services",
        "Highways and Transport": "highways-and-transport",
        "Housing": "housing",
        "Planning and Development": "planning-and-development",
        "Other": "other",
    },
    "decided": {
        "Incomplete or Invalid": "incomplete-or-invalid",
        "Advice Given": "advice-given",
        "Referred back for Local Resolution": "referred-back-for-local-resolution",
        "Closed After Initial Enquiries": "closed-after-initial-enquiries",
        "Not Upheld": "not-upheld",
        "Upheld": "upheld",
    },
}
FIGURES = {f"{key}.{name}": f"{key}.{i}" for key, names in COUNTED.items() for name, i in names.items()}

RELEASES = sa.table("releases", sa.column("year"), sa.column("statistics"))
REVISIONS = sa.table("revisions", sa.column("figure"))
DECIDED = sa.table("decided", sa.column("authority_code"), sa.column("reference"),
                   sa.column("decision_date", sa.Date), sa.column("outcome"), sa.column("service_area"),
                   sa.column("satisfactory_remedy", sa.Boolean), sa.column("public_report", sa.Boolean),
                   sa.column("summary"))


def upgrade() -> None:
    _convert(forward=True)


def downgrade() -> None:
    _convert(forward=False)


def _convert(forward: bool) -> None:
    bind = op.get_bind()
    figures = FIGURES if forward else {i: name for name, i in FIGURES.items()}
    bind.execute(sa.update(REVISIONS).where(REVISIONS.c.figure.in_(list(figures)))
                 .values(figure=sa.case(figures, value=REVISIONS.c.figure)))
    for year, statistics in bind.execute(sa.select(RELEASES.c.year, RELEASES.c.statistics)).all():
        frozen = json.loads(statistics)
        for record in frozen.get("records", []):
            for key, names in COUNTED.items():
                keys = names if forward else {i: name for name, i in names.items()}
                if isinstance(record.get(key), dict):
                    record[key] = {keys.get(k, k): v for k, v in record[key].items()}
        if "shown" in frozen:  # a release frozen before revision 0010's digests has none
            _redigest(frozen["shown"], was=_decisions(bind, year, in_words=forward),
                      now=_decisions(bind, year, in_words=not forward))
        bind.execute(sa.update(RELEASES).where(RELEASES.c.year == year)
                     .values(statistics=json.dumps(frozen, ensure_ascii=False)))


def _redigest(shown: dict[str, dict[str, str]], was: dict[str, str], now: dict[str, str]) -> None:
    """Each authority's digest of its decisions in the new form, where it matched the rows in the old one."""
    for code, kinds in shown.items():
        if "decisions" in kinds and kinds["decisions"] == was.get(code):
            kinds["decisions"] = now[code]


def _decisions(bind, year: str, in_words: bool) -> dict[str, str]:
    """release_figures.shown_records' digest of the decisions of each authority in the year, as revision 0015
    took it (labels in words: `in_words`) or as this revision does (labels by id)."""
    start = int(year[:4])
    d = DECIDED.c
    query = (sa.select(d.authority_code, d.reference, d.decision_date, d.outcome, d.service_area,
                       d.satisfactory_remedy, d.public_report, d.summary)
             .where(d.decision_date.between(date(start, 4, 1), date(start + 1, 3, 31)))
             .order_by(d.authority_code, d.reference))
    words = {key: {i: name for name, i in names.items()} for key, names in COUNTED.items()}
    lines: dict[str, list[bytes]] = {}
    for code, reference, day, outcome, area, *rest in bind.execute(query):
        if in_words:
            outcome, area = words["decided"].get(outcome, outcome), words["received"].get(area, area)
        row = (reference, day, outcome, area, *rest)
        lines.setdefault(code, []).append(json.dumps([None if v is None else str(v) for v in row]).encode("utf-8"))
    return {code: _digest(rows) for code, rows in lines.items()}


def _digest(rows: list[bytes]) -> str:
    digest = hashlib.sha256(b"\n".join(rows)).hexdigest()
    return f"{len(rows)} sha256:{digest[:16]}"

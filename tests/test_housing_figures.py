"""The Housing Ombudsman's figures from its real, shipped findings: every landlord's 2024-25 figures equal a direct
count of the file (read here with csv and gzip alone, not with ombuds' reader), on SQLite and PostgreSQL; the
landlord register is rebuilt identically from the file; name variants reconcile into one landlord."""

from __future__ import annotations

import csv
import gzip
import importlib.util
import io
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import pytest

from ombuds.ingest.records import import_records
from ombuds.schemes import load_scheme
from ombuds.stats.measures_service import measures_service
from ombuds.store import open_database
from ombuds.years import Year

REPOSITORY = Path(__file__).resolve().parent.parent
SCHEME_DIR = REPOSITORY / "src" / "ombuds" / "schemes" / "housing-ombudsman"
FINDINGS = SCHEME_DIR / "data" / "findings.csv.gz"
HEADER = ["case_id", "landlord", "landlord_type", "decision_date", "amended_at_review", "category", "finding",
          "stock_size", "complaint"]
FINDING_IDS = {"Severe Maladministration": "severe-maladministration", "Maladministration": "maladministration",
               "Service Failure": "service-failure", "Reasonable Redress": "reasonable-redress",
               "No Maladministration": "no-maladministration", "Outside Jurisdiction": "outside-jurisdiction"}
CATEGORY_IDS = {"Complaint Handling": "complaint-handling", "Other": "other",
                "Repairs & Maintenance": "repairs-and-maintenance", "Damp & Mould": "damp-and-mould",
                "Leaks & Water Ingress": "leaks-and-water-ingress",
                "Anti-Social Behaviour (ASB)": "anti-social-behaviour", "Estate Management": "estate-management",
                "Rent & Service Charges": "rent-and-service-charges", "Pest Control": "pest-control",
                "Rehousing & Allocations": "rehousing-and-allocations"}
NOT_LANDLORDS = {"Unknown Landlord", "", "10 May 2022", "22 June 2021", "Complaint 202118725", "Complaint 202348692"}
FAULTY = {"severe-maladministration", "maladministration", "service-failure"}


def shipped_rows() -> list[dict[str, str]]:
    with gzip.open(FINDINGS, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def direct_counts(rows: list[dict[str, str]], start: date, end: date) -> dict[str, dict]:
    """Each published landlord name's figures in the period, counted straight from the rows."""
    by_name: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        if row["decision_date"] and start <= date.fromisoformat(row["decision_date"]) <= end:
            by_name[row["landlord"]].append(row)
    out = {}
    for name, found in by_name.items():
        outcomes = Counter(FINDING_IDS[r["finding"]] for r in found)
        by_category = {}
        for label, category_id in CATEGORY_IDS.items():
            in_category = [r for r in found if r["category"] == label]
            faulty = sum(1 for r in in_category if FINDING_IDS[r["finding"]] in FAULTY)
            by_category[category_id] = {"findings_total": len(in_category),
                                        "maladministration_rate": faulty / len(in_category) if in_category else None}
        out[name] = {
            "determinations": len({r["case_id"] for r in found}),
            "findings": {i: outcomes.get(i, 0) for i in FINDING_IDS.values()},
            "findings_total": len(found),
            "maladministration_rate": sum(outcomes[i] for i in FAULTY) / len(found),
            "severe_findings": outcomes["severe-maladministration"],
            "by_category": {k: by_category[k] for k in sorted(by_category, key=list(CATEGORY_IDS.values()).index)},
            "report": len({r["case_id"] for r in found}) >= 5,
        }
    return out


def test_the_shipped_file_has_the_header_exactly_as_published():
    with gzip.open(FINDINGS, "rt", encoding="utf-8", newline="") as handle:
        assert next(csv.reader(handle)) == HEADER
    assert len(shipped_rows()) == 33_096


@pytest.fixture(scope="module")
def imported(tmp_path_factory, request):
    """The shipped file imported into each kind of database (refused rows written aside), with its records."""
    scheme = load_scheme("housing-ombudsman")
    found = {}
    for kind in ("sqlite", "postgresql"):
        if kind == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp('housing') / 'housing.db'}"
        else:
            from conftest import new_pg_database

            url = new_pg_database(request.getfixturevalue("pg_server"))
        database = open_database(url)
        rejects = tmp_path_factory.mktemp("rejects") / "rejects.csv"
        report = import_records(database, scheme, [FINDINGS], rejects=rejects)
        year = measures_service(database, scheme).year(Year.parse("2024-25"))
        found[kind] = (report, rejects, [r.as_json(scheme) for r in year.records])
        database.close()
    return scheme, found


def test_the_import_refuses_only_rows_without_a_landlord_or_a_date(imported):
    _scheme, found = imported
    report, rejects, _ = found["sqlite"]
    assert report.lines() == [f"{FINDINGS}: 33,096 findings rows", "findings: 15,700 new, 0 changed, 0 unchanged",
                              "115 rows refused, not imported"]
    with open(rejects, encoding="utf-8", newline="") as handle:
        refused = list(csv.DictReader(handle))
    assert len(refused) == 115
    assert Counter(r["column"] for r in refused) == {"decision_date": 68, "landlord": 6,
                                                     "landlord; decision_date": 41}
    assert {r["landlord"] for r in refused if "landlord" in r["column"]} == NOT_LANDLORDS
    rows = shipped_rows()
    expected = [i + 2 for i, r in enumerate(rows) if not r["decision_date"] or r["landlord"] in NOT_LANDLORDS]
    assert [int(r["line"]) for r in refused] == expected


def test_2024_25_equals_a_direct_count_for_every_landlord_whose_name_needs_no_reconciling(imported):
    scheme, found = imported
    _, _, printed = found["sqlite"]
    with_aliases = set(scheme.aliases.values())
    plain_names = {b.name for b in scheme.bodies if b.code not in with_aliases}
    by_name = {p["landlord"]["name"]: p for p in printed}
    direct = direct_counts(shipped_rows(), date(2024, 4, 1), date(2025, 3, 31))
    checked = sorted(n for n in direct if n in plain_names)
    assert len(checked) > 300
    for name in checked:
        got = {key: by_name[name][key] for key in direct[name]}
        assert got == direct[name], name
    code_of = {b.name: b.code for b in scheme.bodies} | dict(scheme.aliases)
    assert {p["landlord"]["code"] for p in printed} == {code_of[n] for n in direct if n in code_of}


def test_postgresql_gives_the_same_records_as_sqlite(imported):
    _scheme, found = imported
    assert found["postgresql"][2] == found["sqlite"][2]
    assert found["postgresql"][0].lines() == found["sqlite"][0].lines()


def test_one_landlord_record_in_full(imported):
    """Clarion Housing Association in 2024-25: every key of the year record, figures checked by hand from the file."""
    _scheme, found = imported
    clarion = next(p for p in found["sqlite"][2] if p["landlord"]["code"] == "HO-clarion-housing-association")
    assert list(clarion) == ["landlord", "year", "determinations", "findings", "findings_total",
                             "maladministration_findings", "maladministration_rate", "severe_findings",
                             "by_category", "average", "comparison", "report", "from"]
    assert clarion["landlord"] == {"code": "HO-clarion-housing-association", "name": "Clarion Housing Association",
                                   "slug": "clarion-housing-association", "type": "Housing association",
                                   "type_id": "housing-association", "size_band": "50,000 or more",
                                   "size_band_id": "50000-plus", "homes": 125000}
    assert (clarion["determinations"], clarion["findings_total"], clarion["severe_findings"]) == (168, 397, 6)
    assert clarion["maladministration_rate"] == 238 / 397
    assert clarion["average"]["group"] == "Housing associations with 50,000 or more homes"
    assert clarion["average"]["method"] == "pooled"
    assert clarion["report"] is True and clarion["from"] == "case records"
    group = [p for p in found["sqlite"][2] if p["average"] and p["average"]["group"] == clarion["average"]["group"]]
    assert clarion["average"]["bodies"] == len(group) == 12
    pooled = sum(p["maladministration_findings"] for p in group) / sum(p["findings_total"] for p in group)
    assert clarion["average"]["maladministration_rate"] == pooled
    assert clarion["average"]["severe_findings"] == sum(p["severe_findings"] for p in group) / 12
    comparison = clarion["comparison"]["maladministration_rate"]
    assert comparison["expected"] == pooled
    assert comparison["interval"][0] < 238 / 397 < comparison["interval"][1]
    assert comparison["funnel"] == "below_95"


def test_a_landlord_with_fewer_than_five_determinations_has_figures_but_no_report(imported):
    _scheme, found = imported
    small = [p for p in found["sqlite"][2] if p["determinations"] < 5]
    assert small and all(p["report"] is False for p in small)
    assert all(p["report"] is True for p in found["sqlite"][2] if p["determinations"] >= 5)


def _tool():
    spec = importlib.util.spec_from_file_location("build_housing_registry",
                                                  REPOSITORY / "tools" / "build_housing_registry.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_landlord_register_is_rebuilt_identically_from_the_file(tmp_path):
    tool = _tool()
    tool.write(tmp_path, *tool.landlords(tool.read_findings(FINDINGS)))
    for name in ("bodies.csv", "aliases.csv"):
        assert (tmp_path / name).read_bytes() == (SCHEME_DIR / name).read_bytes(), name


@pytest.mark.parametrize(("one", "other"), [
    ("The Joseph Rowntree", "Joseph Rowntree"),
    ("54 North", "54North"),
    ("Stoke On Trent", "Stokeontrent"),
    ("Moat Homes Limited", "moat homes ltd"),
    ("Castles & Coasts", "CASTLES AND COASTS"),
    ("For Housing", "ForHousing"),
])
def test_name_variants_share_a_key(one, other):
    assert _tool().name_key(one) == _tool().name_key(other)


def test_the_types_and_homes_come_from_the_published_columns():
    """The most used spelling names the landlord; its type and homes are the latest stated."""
    tool = _tool()
    rows = [{"landlord": "Little Homes", "landlord_type": "Unknown", "decision_date": "2025-01-02",
             "stock_size": ""},
            {"landlord": "Little Homes", "landlord_type": "", "decision_date": "", "stock_size": ""},
            {"landlord": "The Little Homes", "landlord_type": "Voluntary", "decision_date": "2024-01-02",
             "stock_size": "800"},
            {"landlord": "Little Homes Limited", "landlord_type": "Local Authority / ALMO or TMO",
             "decision_date": "2023-01-02", "stock_size": "1200"},
            {"landlord": "Unknown Landlord", "landlord_type": "Unknown", "decision_date": "2024-01-02",
             "stock_size": ""},
            {"landlord": "22 June 2021", "landlord_type": "Unknown", "decision_date": "", "stock_size": ""}]
    bodies, aliases = tool.landlords(rows)
    assert [(b["code"], b["name"], b["type"], b["size"]) for b in bodies] == [
        ("HO-little-homes", "Little Homes", "housing-association", "800")]
    assert aliases == [("Little Homes Limited", "HO-little-homes"), ("The Little Homes", "HO-little-homes")]


def test_aliases_reconcile_the_published_variants(imported):
    """Rows under every spelling of a landlord are counted under the one landlord."""
    scheme, found = imported
    _, _, printed = found["sqlite"]
    rows = [r for r in shipped_rows() if r["decision_date"]
            and date(2024, 4, 1) <= date.fromisoformat(r["decision_date"]) <= date(2025, 3, 31)]
    by_code = {p["landlord"]["code"]: p for p in printed}
    for code, names in [("HO-metropolitan-thames-valley-housing",
                         {"Metropolitan Thames Valley Housing", "Metropolitan Thames Valley Housing Mtv",
                          "Metropolitan Thames Valley Housing Mtvh", "Metropolitan Thames Valley"}),
                        ("HO-stoke-on-trent", {"Stoke On Trent", "Stokeontrent"}),
                        ("HO-southend-on-sea", {"Southend On Sea", "Southendonsea"})]:
        assert {a for a, c in scheme.aliases.items() if c == code} | {by_code[code]["landlord"]["name"]} == names
        mine = [r for r in rows if r["landlord"] in names]
        assert by_code[code]["findings_total"] == len(mine), code
        assert by_code[code]["determinations"] == len({r["case_id"] for r in mine}), code


def test_a_plain_csv_and_its_gzip_import_alike(tmp_path):
    scheme = load_scheme("housing-ombudsman")
    text = gzip.decompress(FINDINGS.read_bytes()).decode("utf-8")
    head = "".join(io.StringIO(text).readlines()[:400])
    plain = tmp_path / "findings.csv"
    plain.write_text(head, encoding="utf-8")
    packed = tmp_path / "findings.csv.gz"
    packed.write_bytes(gzip.compress(head.encode("utf-8")))
    printed = []
    for path in (plain, packed):
        database = open_database(f"sqlite:///{tmp_path / (path.name + '.db')}")
        import_records(database, scheme, [path], rejects=tmp_path / "rejects.csv")
        service = measures_service(database, scheme)
        printed.append([[r.as_json(scheme) for r in service.year(y).records] for y in service.years()])
        database.close()
    assert printed[0] == printed[1] and printed[0]


def test_the_shipped_scheme_checks_clean():
    from ombuds.schemes import check_scheme

    assert check_scheme(SCHEME_DIR) == []

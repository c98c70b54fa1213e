"""The `ombuds` command as a user runs it: real processes, real databases, exact output."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import shared_folder, write_csv
from ombuds.schemes import scheme_folder

OMBUDS = str(Path(sys.executable).parent / "ombuds")
RECEIVED = ["reference", "authority", "received_date", "service_area"]
DECIDED = ["reference", "authority", "decision_date", "outcome", "satisfactory_remedy", "remedied_by_ombudsman"]
SPEC_EXAMPLE = {  # SPEC 2.3, the shape every object keeps
    "authority": {"code": "", "name": "", "type": ""}, "year": "",
    "received": {"Adult Care Services": 0, "Benefits and Tax": 0, "Corporate and Other Services": 0,
                 "Education and Children's Services": 0, "Environment Services": 0, "Highways and Transport": 0,
                 "Housing": 0, "Planning and Development": 0, "Other": 0, "total": 0},
    "decided": {"Incomplete or Invalid": 0, "Advice Given": 0, "Referred back for Local Resolution": 0,
                "Closed After Initial Enquiries": 0, "Not Upheld": 0, "Upheld": 2, "total": 2},
    "investigated": 2, "upheld": 2, "uphold_rate": 1.0, "satisfactory_remedies": 0, "satisfactory_remedy_rate": 0.0,
    "remedied_by_ombudsman": 2, "compliance": {"recorded": 1, "on_time": 1, "late": 0, "not_complied": 0},
    "compliance_rate": 1.0, "population": 79000, "upheld_per_100k": 2.53,
    "average": {"method": "pooled", "uphold_rate": 0.45, "compliance_rate": 0.99, "satisfactory_remedy_rate": 0.2,
                "upheld_per_100k": 1.4},
}


def ombuds(*args: str, db: str, cwd: Path | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "OMBUDS_DB": db}
    return subprocess.run([OMBUDS, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=timeout)


def shape(value):
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    return None


def _wellingborough(tmp_path: Path) -> list[str]:
    return [
        str(write_csv(tmp_path / "decided.csv", DECIDED, [["W1", "Wellingborough", "2019-10-01", "Upheld", "", "yes"],
                                                          ["W2", "Wellingborough", "2019-10-02", "Upheld", "", "y"]])),
        str(write_csv(tmp_path / "compliance.csv", ["reference", "authority", "recorded_date", "compliance"],
                      [["W1", "E07000156", "01/12/2019", "On time"]])),
        str(write_csv(tmp_path / "population.csv", ["authority", "year", "population"],
                      [["Wellingborough Borough Council", "2019-20", "79,000"]])),
    ]


def test_import_then_stats_json_in_the_spec_shape(db_url, tmp_path):
    done = ombuds("import", *_wellingborough(tmp_path), db=db_url)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-3:] == ["decided: 2 new, 0 changed, 0 unchanged",
                                             "compliance: 1 new, 0 changed, 0 unchanged",
                                             "population: 1 new, 0 changed, 0 unchanged"]
    again = ombuds("import", *_wellingborough(tmp_path), db=db_url)
    assert again.stdout.splitlines()[-1] == "No changes: every row was already in the database."
    result = ombuds("stats", "--year", "2019-20", "--authority", "Wellingborough", "--format", "json", db=db_url)
    assert result.returncode == 0, result.stderr
    [obj] = json.loads(result.stdout)
    assert shape({k: obj[k] for k in SPEC_EXAMPLE}) == shape(SPEC_EXAMPLE)
    assert list(obj)[:len(SPEC_EXAMPLE)] == list(SPEC_EXAMPLE)
    assert list(obj)[len(SPEC_EXAMPLE):] == ["interval", "funnel", "change"]  # fair comparison (issue 9)
    assert obj["authority"] == {"code": "E07000156", "name": "Wellingborough Borough Council", "type": "District"}
    assert (obj["investigated"], obj["upheld"], obj["uphold_rate"], obj["remedied_by_ombudsman"]) == (2, 2, 1.0, 2)
    assert (obj["compliance_rate"], obj["population"], obj["upheld_per_100k"]) == (1.0, 79000, 2 / 79000 * 100000)
    assert obj["average"] == {"method": "pooled", "uphold_rate": 1.0, "compliance_rate": 1.0,
                              "satisfactory_remedy_rate": 0.0, "upheld_per_100k": obj["average"]["upheld_per_100k"]}


def test_stats_csv_one_flat_row_per_authority(db_url, tmp_path):
    ombuds("import", *_wellingborough(tmp_path), db=db_url)
    result = ombuds("stats", "--year", "2019-20", "--format", "csv", "--average", "mean", db=db_url)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    header = result.stdout.splitlines()[0].split(",")
    assert header[:5] == ["authority.code", "authority.name", "authority.type", "year", "received.Adult Care Services"]
    assert header[33:39] == ["upheld_per_100k", "average.method", "average.uphold_rate", "average.compliance_rate",
                             "average.satisfactory_remedy_rate", "average.upheld_per_100k"]
    assert header[39:41] == ["interval.uphold_rate.low", "interval.uphold_rate.high"]
    wellingborough = next(r for r in rows if r["authority.code"] == "E07000156")
    assert (wellingborough["decided.Upheld"], wellingborough["uphold_rate"], wellingborough["average.method"]) == (
        "2", "1.0", "mean")
    assert len({r["authority.code"] for r in rows}) == len(rows) > 300


def test_bad_rows_exit_non_zero_list_every_problem_and_import_nothing(db_url, tmp_path):
    bad = write_csv(tmp_path / "r.csv", RECEIVED, [["R1", "Stevenage", "2019-02-29", "Housing"],
                                                   ["R2", "Atlantis", "2019-05-01", "Housing"]])
    good = write_csv(tmp_path / "g.csv", RECEIVED, [["G1", "Stevenage", "2019-05-01", "Housing"]])
    result = ombuds("import", str(good), str(bad), db=db_url)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [f"{bad}:2: received_date: impossible date '2019-02-29'",
                                          f"{bad}:3: authority: unknown authority 'Atlantis'",
                                          "2 problems found; nothing was imported"]
    empty = ombuds("stats", "--year", "2019-20", db=db_url)
    assert empty.returncode == 1
    assert empty.stderr == ("ombuds: error: no figures for 2019-20: the database holds no case records or published "
                            "figures yet: import some with 'ombuds import'\n")


def test_user_errors_are_one_clear_line_never_a_traceback(db_url, tmp_path):
    ombuds("import", *_wellingborough(tmp_path), db=db_url)
    cases = [
        (["stats", "--year", "2019"], "ombuds: error: '2019' is not a year: write it as 2019-20 (1 April 2019 to "
                                      "31 March 2020)\n"),
        (["stats", "--year", "2019-20", "--authority", "Atlantis"], "ombuds: error: unknown authority 'Atlantis'\n"),
        (["stats", "--year", "2012-13"], "ombuds: error: no figures for 2012-13: the database holds figures for "
                                         "2019-20\n"),
        (["stats", "--year", "9999-00"], "ombuds: error: '9999-00' is not a year: write it as 2019-20 (1 April 2019 "
                                         "to 31 March 2020)\n"),
        (["stats", "--year", "2019-20", "--authority", "North Northamptonshire"],
         "ombuds: error: North Northamptonshire Council (E06000061) has no statistics for 2019-20: it did not "
         "exist then and no case about it was counted\n"),
    ]
    for args, message in cases:
        result = ombuds(*args, db=db_url)
        assert (result.returncode, result.stderr) == (1, message), args
    missing = ombuds("import", str(tmp_path / "nope.csv"), db=db_url)
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
    assert missing.stderr.splitlines()[0] == f"{tmp_path / 'nope.csv'}:1: file: no such file"
    bad_db = ombuds("stats", db="mysql://nowhere/x")
    assert bad_db.returncode == 1 and bad_db.stderr.startswith("ombuds: error: ")


def test_stats_for_one_authority_in_every_year_held(tmp_path):
    db = f"sqlite:///{tmp_path / 'y.db'}"
    rows = [["A1", "Wellingborough", "2019-10-01", "Upheld", "", ""],
            ["A2", "North Northamptonshire", "2021-10-01", "Upheld", "", ""]]
    ombuds("import", str(write_csv(tmp_path / "d.csv", DECIDED, rows)), db=db)
    result = ombuds("stats", "--authority", "North Northamptonshire", db=db)
    assert result.returncode == 0, result.stderr
    assert [o["year"] for o in json.loads(result.stdout)] == ["2021-22"]
    gone = ombuds("stats", "--authority", "Christchurch Borough Council", db=db)
    assert gone.stderr == ("ombuds: error: no statistics for 'Christchurch Borough Council' in any year held "
                           "(2019-20 to 2021-22)\n")


def test_authority_lookup(tmp_path):
    result = ombuds("authority", "stevenage borough", db=f"sqlite:///{tmp_path / 'x.db'}")
    found = json.loads(result.stdout)
    assert (found["code"], found["name"], found["type"], found["county"]) == (
        "E07000243", "Stevenage Borough Council", "District", "E10000015")


def test_demo_end_to_end(tmp_path):
    """The demo on its latest two years (the full eight are `make bench`'s): files, import, summary, letters, site."""
    result = ombuds("demo", "--no-serve", "--years", "2", "--out", str(tmp_path / "data"),
                    db=f"sqlite:///{tmp_path / 'demo.db'}", cwd=tmp_path, timeout=900)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith(f"Making SYNTHETIC demo data (seed 2017) in {tmp_path / 'data'}/ …")
    assert "SYNTHETIC demo data: national summary by year and type" in out
    assert all(label in out for label in ("2023-24", "2024-25", "County", "London Borough"))
    assert "2019-20" not in out and "2017-18" not in out
    assert "All figures above are synthetic: they describe no real council." in out
    letters = tmp_path / "data" / "letters" / "2023-24"
    assert (f"  2023-24 (1 of 2 years): {len(list(letters.glob('*.pdf'))):,} letters as PDF and HTML in "
            f"{letters}/") in out
    assert (letters / "stevenage-borough-council-2023-24.pdf").read_bytes().startswith(b"%PDF-")
    assert not list(letters.glob("scarborough*"))  # abolished 1 April 2023, before the letter's date
    assert "Synthetic demonstration letter" in (letters / "stevenage-borough-council-2023-24.html").read_text()
    assert out.index("Rendering every year's letters") < out.index(" pages (10%)") < out.index(" pages (100%)")
    assert len(list(letters.glob("*.html"))) == len(list(letters.glob("*.pdf"))) > 300
    site = tmp_path / "data" / "site"
    assert f"Building the site in {site}/ …" in out
    assert (site / "index.html").is_file() and (site / "councils" / "birmingham-city-council" / "2024-25"
                                                / "index.html").is_file()
    assert "Serving" not in out
    report = tmp_path / "data" / "code-year" / "code-report"
    assert f"Stevenage Borough Council's Complaint Handling Code report for 2025-26: {report}/" in out
    assert (report / "code-report-stevenage-borough-council-2025-26.pdf").read_bytes().startswith(b"%PDF-")
    for year in ("2024-25", "2025-26"):  # the register of 60 councils' self-assessments
        assert "Provisions most often not met" in (site / "self-assessment" / year / "index.html").read_text()
    stats = ombuds("stats", "--year", "2024-25", "--authority", "Birmingham", db=f"sqlite:///{tmp_path / 'demo.db'}")
    [birmingham] = json.loads(stats.stdout)
    with open(tmp_path / "data" / "synthetic-received.csv", encoding="utf-8") as f:
        in_file = [r for r in csv.DictReader(f)
                   if r["authority"] == "E08000025" and "2024-04-01" <= r["received_date"] <= "2025-03-31"]
    assert birmingham["received"]["total"] == len(in_file) > 300


def test_demo_serves_as_soon_as_the_data_is_in(tmp_path):
    """`ombuds demo` serves the live site before it renders the letters and builds the static site."""
    import signal
    import socket
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "OMBUDS_DB": f"sqlite:///{tmp_path / 'demo.db'}"}
    demo = subprocess.Popen([OMBUDS, "demo", "--out", str(tmp_path / "data"), "--port", str(port)], env=env,
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        said = []
        for line in demo.stdout:
            said.append(line)
            if line.startswith("Serving the demo site at"):
                break
        assert said[-1] == (f"Serving the demo site at http://127.0.0.1:{port}/ now; the letters and the static "
                            "build follow (Ctrl+C to stop)\n")
        assert not any("Rendering every year's letters" in line for line in said)
        url = f"http://127.0.0.1:{port}/councils/stevenage-borough-council/2024-25/"
        with urllib.request.urlopen(url, timeout=60) as page:
            assert page.status == 200 and "Stevenage Borough Council" in page.read().decode()
        assert demo.stdout.readline().startswith("Rendering every year's letters in ")
    finally:
        demo.send_signal(signal.SIGINT)
        demo.communicate(timeout=120)


def test_progress_bar_on_a_terminal_only(tmp_path):
    """On a terminal the import shows a progress bar on stderr; piped, it prints none."""
    import pty

    rows = [[f"P{i}", "Stevenage", "2019-05-01", "Housing"] for i in range(20_000)]
    f = write_csv(tmp_path / "big.csv", RECEIVED, rows)
    db = f"sqlite:///{tmp_path / 'p.db'}"
    piped = ombuds("import", str(f), db=db)
    assert piped.stderr == "" and "━" not in piped.stdout
    output = bytearray()

    def read(fd):
        data = os.read(fd, 65536)
        output.extend(data)
        return data

    os.environ["OMBUDS_DB"] = f"sqlite:///{tmp_path / 'q.db'}"
    try:
        pty.spawn([OMBUDS, "import", str(f)], read)
    finally:
        del os.environ["OMBUDS_DB"]
    text = output.decode("utf-8", "replace")
    assert "big.csv" in text and "━" in text
    assert "received: 20,000 new, 0 changed, 0 unchanged" in text


def test_letters_for_every_authority_in_parallel_with_an_index(tmp_path):
    db = f"sqlite:///{tmp_path / 'l.db'}"
    contacts = write_csv(tmp_path / "contacts.csv", ["authority", "name", "title", "salutation"],
                         [["Wellingborough", "Pat Example", "Chief Executive", "Dear Pat Example"]])
    assert ombuds("import", *_wellingborough(tmp_path), str(contacts), db=db).returncode == 0
    missing = ombuds("letters", "--year", "2019-20", "--out", str(tmp_path / "out"), db=db)
    assert missing.returncode == 1
    [line] = missing.stderr.splitlines()
    assert line.startswith("ombuds: error: no chief executive contact for ")
    assert "Adur District Council (E07000223); " in line and "Worthing Borough Council (E07000229)" in line
    assert "Wellingborough" not in line and line.endswith("no letter was written")
    assert not (tmp_path / "out").exists()
    out = tmp_path / "out"
    done = ombuds("letters", "--year", "2019-20", "--out", str(out), "--allow-missing-contacts", db=db)
    assert done.returncode == 0, done.stderr
    paths = done.stdout.splitlines()
    assert len(paths) > 300 and f"{out}/wellingborough-borough-council-2019-20.pdf" in paths
    assert sorted(p.name for p in out.iterdir()) == sorted([*(Path(p).name for p in paths), "index.csv"])
    with open(out / "index.csv", encoding="utf-8") as f:
        index = list(csv.DictReader(f))
    row = next(r for r in index if r["code"] == "E07000156")
    assert row["file"] == "wellingborough-borough-council-2019-20.pdf"
    data = (out / row["file"]).read_bytes()
    assert row["sha256"] == hashlib.sha256(data).hexdigest()
    again = ombuds("letters", "--year", "2019-20", "--out", str(tmp_path / "again"), "--allow-missing-contacts",
                   db=db)
    assert (tmp_path / "again" / "index.csv").read_text() == (out / "index.csv").read_text()
    assert again.returncode == 0
    html = ombuds("letters", "--year", "2019-20", "--authority", "Wellingborough", "--format", "html", "--out",
                  str(out), db=db)
    assert html.stdout == f"{out}/wellingborough-borough-council-2019-20.html\n"
    with open(out / "index.csv", encoding="utf-8") as f:
        assert len(list(csv.DictReader(f))) == len(index) + 1


def test_letters_edition_problems(tmp_path):
    db = f"sqlite:///{tmp_path / 'l.db'}"
    ombuds("import", *_wellingborough(tmp_path), db=db)
    other = Path(__file__).parents[2] / "src/ombuds/schemes/lgsco/editions/2022-23.toml"
    wrong = ombuds("letters", "--year", "2019-20", "--edition", str(other), "--out", str(tmp_path), db=db)
    assert wrong.stderr == f"ombuds: error: {other}: year: the edition is for 2022-23, not 2019-20\n"
    none = ombuds("letters", "--year", "2031-32", "--out", str(tmp_path), db=db)
    editions = scheme_folder("lgsco") / "editions"
    assert none.stderr == f"ombuds: error: no edition is in {editions} for 2031-32: give one with --edition FILE\n"


def test_parse_prints_json_names_failures_and_imports_published_figures(tmp_path):
    shared = shared_folder()
    kent = shared / "examples" / "kent-county-council_2022-23_statspage.txt"
    seed = shared / "seeds" / "000_6c9469a8adbda29b.txt"
    db = f"sqlite:///{tmp_path / 'history.db'}"
    result = ombuds("parse", str(kent), str(tmp_path / "missing.pdf"), str(seed), "--import", db=db)
    assert result.returncode == 1
    documents = json.loads(result.stdout)
    assert [(d["authority"]["code"], d["year"], d["edition"]) for d in documents] == [
        ("E10000016", "2022-23", "panels-2022-23"), ("E07000243", "2018-19", "appendix-2018-19")]
    assert result.stderr.splitlines() == [f"{tmp_path / 'missing.pdf'}: no such file",
                                          "2 published document(s) imported"]
    stats = ombuds("stats", "--year", "2022-23", db=db)
    assert stats.returncode == 0
    assert stats.stderr == "2022-23: no case records; these are the figures of published documents\n"
    [published] = json.loads(stats.stdout)
    assert (published["upheld"], published["uphold_rate"], published["from"]) == (53, 0.87, "published letter")

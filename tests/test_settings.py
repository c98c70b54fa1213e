"""One settings object from the command line: `--profile` and `--editions` reach every command that writes or
publishes a letter, and a release checksums exactly the letters the site publishes with them."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from builders import Cases
from conftest import SHIPPED_EDITIONS, write_csv
from ombuds.cli import cli
from ombuds.errors import OmbudsError
from ombuds.letters.editions import edition_in
from ombuds.settings import make_settings
from ombuds.site.app import create_app
from ombuds.store import open_database
from ombuds.store import releases as store
from ombuds.years import Year

Y2324 = Year.parse("2023-24")
STEVENAGE = "councils/stevenage-borough-council/2023-24"
PROFILE = """name = "Borsetshire Complaints Ombudsman"
short_name = "Borsetshire Ombudsman"
site_title = "Council complaints in Borsetshire"
base_url = "https://complaints.borsetshire.example/"
web_address = "complaints.borsetshire.example"
postal_address = ["1 High Street", "Borchester", "BO1 1AA"]
typeface = "DejaVu Sans"

[colours]
primary = "#333333"
accent = "#006600"
text_on_primary = "#ffffff"
"""


def setup(tmp_path: Path) -> tuple[str, Path, Path]:
    cases = Cases(tmp_path, "R")
    cases.decided("Stevenage", "2023-10-01", {"Upheld": 3, "Not Upheld": 1}, satisfactory_remedies=1)
    cases.compliance("Stevenage", "2023-11-01", on_time=2)
    contacts = write_csv(tmp_path / "contacts.csv", ["authority", "name", "title", "salutation", "email", "role"],
                         [["Stevenage", "Sam Example", "Chief Executive", "Dear Sam", "sam@stevenage.example",
                           "chief executive"]])
    db = f"sqlite:///{tmp_path / 'ombuds.db'}"
    assert CliRunner().invoke(cli, ["--db", db, "import", *map(str, cases.files()), str(contacts)]).exit_code == 0
    profile = tmp_path / "borsetshire.toml"
    profile.write_text(PROFILE, encoding="utf-8")
    editions = tmp_path / "editions"
    editions.mkdir()
    text = (SHIPPED_EDITIONS / "2023-24.toml").read_text(encoding="utf-8")
    (editions / "2023-24.toml").write_text(text.replace('title = "', 'title = "Borsetshire ', 1), encoding="utf-8")
    shutil.copy(SHIPPED_EDITIONS / "2023-24-authority-paragraphs.toml", editions)
    return db, profile, editions


def test_a_release_checksums_the_letter_the_site_publishes_with_the_same_profile_and_editions(tmp_path: Path,
                                                                                              demo_settings):
    db, profile, editions = setup(tmp_path)
    options = ["--db", db, "--profile", str(profile), "--editions", str(editions)]
    created = CliRunner().invoke(cli, [*options, "release", "create", "--year", "2023-24"])
    assert created.exit_code == 0, created.output
    assert "317 letters (PDF and HTML), edition 2023-24.toml" in created.output
    assert CliRunner().invoke(cli, [*options, "release", "publish", "--year", "2023-24"]).exit_code == 0
    database = open_database(db)
    with database.read() as connection:
        frozen = store.letter_checksums(connection, Y2324)["E07000243"]
    site = TestClient(create_app(open_database(db, read_only=True), make_settings("lgsco", profile, editions, db)))
    html = site.get(f"/{STEVENAGE}/letter.html")
    assert "https://complaints.borsetshire.example/councils/stevenage-borough-council/2023-24/" in html.text
    assert "performance.example.org" not in html.text
    assert "Borsetshire Annual Review letter" in html.text
    pdf = site.get(f"/{STEVENAGE}/letter.pdf")
    assert (hashlib.sha256(pdf.content).hexdigest(), hashlib.sha256(html.content).hexdigest()) == frozen
    demo = TestClient(create_app(open_database(db, read_only=True), demo_settings))  # another profile: another letter
    assert hashlib.sha256(demo.get(f"/{STEVENAGE}/letter.pdf").content).hexdigest() != frozen[0]


def test_letters_send_and_site_build_take_the_profile_and_editions(tmp_path: Path):
    db, profile, editions = setup(tmp_path)
    options = ["--db", db, "--profile", str(profile), "--editions", str(editions)]
    written = CliRunner().invoke(cli, [*options, "letters", "--year", "2023-24", "--authority", "Stevenage",
                                       "--format", "html", "--out", str(tmp_path / "letters")])
    assert written.exit_code == 0, written.output
    letter = Path(written.output.splitlines()[0]).read_text(encoding="utf-8")
    assert "complaints.borsetshire.example" in letter and "Borsetshire Annual Review letter" in letter
    sent = CliRunner().invoke(cli, [*options, "send", "--year", "2023-24", "--authority", "Stevenage", "--dry-run",
                                    "--out", str(tmp_path / "outbox"), "--from", "letters@borsetshire.example"])
    message = next((tmp_path / "outbox").glob("*.eml")).read_text(encoding="utf-8")
    assert sent.exit_code == 0, sent.output
    assert "complaints.borsetshire.example" in message and "performance.example.org" not in message
    built = CliRunner().invoke(cli, [*options, "site", "build", "--out", str(tmp_path / "site"), "--workers", "1"])
    assert built.exit_code == 0, built.output
    page = (tmp_path / "site" / STEVENAGE / "letter.html").read_text(encoding="utf-8")
    assert page == letter


def test_a_revision_checksums_the_revised_letters_after_the_import_commits(tmp_path: Path):
    db, profile, editions = setup(tmp_path)
    options = ["--db", db, "--profile", str(profile), "--editions", str(editions)]
    for step in (["release", "create", "--year", "2023-24"], ["release", "publish", "--year", "2023-24"]):
        assert CliRunner().invoke(cli, [*options, *step]).exit_code == 0
    (tmp_path / "late").mkdir()
    late = Cases(tmp_path / "late", "L")
    late.decided("Stevenage", "2023-12-01", {"Upheld": 1})
    revised = CliRunner().invoke(cli, [*options, "import", "--revise", "a late decision", *map(str, late.files())])
    assert revised.exit_code == 0, revised.output
    database = open_database(db)
    with database.read() as connection:
        frozen = store.letter_checksums(connection, Y2324)["E07000243"]
    site = TestClient(create_app(open_database(db, read_only=True), make_settings("lgsco", profile, editions, db)))
    assert hashlib.sha256(site.get(f"/{STEVENAGE}/letter.pdf").content).hexdigest() == frozen[0]
    assert "80%" in site.get(f"/{STEVENAGE}/letter.html").text  # 4 of 5 upheld, was 3 of 4


def test_the_editions_are_the_schemes_own_and_a_scheme_without_them_has_none(tmp_path: Path):
    lgsco = make_settings("lgsco", None, None, None)
    assert lgsco.editions == SHIPPED_EDITIONS == lgsco.scheme.folder / "editions"
    assert sorted(p.name for p in SHIPPED_EDITIONS.glob("*.toml"))[-2:] == ["2023-24.toml", "2024-25.toml"]
    assert edition_in(lgsco.editions, Y2324, lgsco.scheme).source == str(SHIPPED_EDITIONS / "2023-24.toml")
    housing = make_settings("housing-ombudsman", None, None, None)
    assert housing.editions == housing.scheme.folder / "editions"
    with pytest.raises(OmbudsError) as missing:
        edition_in(housing.editions, Y2324, housing.scheme)
    assert str(missing.value) == (f"no edition is in {housing.editions} for 2023-24: give one with --edition FILE")
    assert make_settings("housing-ombudsman", None, tmp_path, None).editions == tmp_path

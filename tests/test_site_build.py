"""The static build: every internal link resolves, pages match the live app's, and a build replaces the last whole."""

from __future__ import annotations

import json
import os
import re
from dataclasses import replace

import msgpack
import pytest
from fastapi.testclient import TestClient

from builders import Cases
from conftest import LGSCO
from links import broken_links
from ombuds.ingest import import_files
from ombuds.site.app import create_app
from ombuds.site.build import build_site
from ombuds.store import open_database

COUNCILS = ("Stevenage", "Hertfordshire", "Birmingham")


@pytest.fixture(scope="module")
def built(demo_settings, tmp_path_factory):
    folder = tmp_path_factory.mktemp("build")
    url = f"sqlite:///{folder / 'site.db'}"
    cases = Cases(folder, "B")
    for name in COUNCILS:
        cases.decided(name, "2023-10-01", {"Upheld": 1, "Not Upheld": 3})
    database = open_database(url)
    import_files(database, cases.files(), scheme=LGSCO)
    database.close()
    readonly = open_database(url, read_only=True)
    out = folder / "site"
    report = build_site(readonly, out, demo_settings, workers=2)
    yield out, report, readonly
    readonly.close()


def test_the_build_writes_every_kind_of_file(built):
    out, report, _ = built
    assert report.pages > 300 and report.redirects > 300 and not report.skipped
    for path in ("index.html", "councils/index.html", "search/index.html", "search/names.json", "404.html",
                 "councils/stevenage-borough-council/2023-24/index.html",
                 "councils/stevenage-borough-council/2023-24.json", "councils/stevenage-borough-council/index.html",
                 "static/vendor/site.css", "static/profile.css", "static/logo.svg", "static/search.js",
                 "api/years.json", "api/authorities.json", "api/statistics/2023-24.json",
                 "api/statistics/2023-24/E07000243.json", "api/openapi.json", "search/postcodes/SG1.json"):
        assert (out / path).is_file(), path
    assert "url=../../councils/stevenage-borough-council/2023-24/" in \
        (out / "councils/stevenage-borough-council/index.html").read_text()
    names = json.loads((out / "search/names.json").read_text())
    assert any(entry["code"] == "E07000243" for entry in names)
    shard = json.loads((out / "search/postcodes/SG1.json").read_text())
    assert "E07000243" in shard["councils"]


def test_every_internal_link_resolves(built):
    out, _, _ = built
    broken = broken_links(out)
    assert not broken, {target: pages[:3] for target, pages in sorted(broken.items())}


def _main(html: str) -> str:
    found = re.search(r'<main.*?</main>', html, re.S)
    assert found
    return found.group(0)


def _normalised(html: str, root: str) -> str:
    """Links made root-relative: `../../councils/` and `/councils/` both become `councils/`."""
    return re.sub(r'(="(?:0; url=)?)' + re.escape(root), r"\1", html)


@pytest.mark.parametrize("path", ["", "councils/",
                                  "councils/stevenage-borough-council/2023-24/",
                                  "councils/birmingham-city-council/2023-24/", "search/"])
def test_static_pages_match_the_live_pages(demo_settings, built, path):
    out, _, database = built
    live = TestClient(create_app(database, demo_settings)).get("/" + path)
    assert live.status_code == 200
    static = (out / path / "index.html").read_text(encoding="utf-8")
    root = "../" * path.count("/") or "./"
    if path == "search/":  # only the static copy searches in the browser, and says what to do without JavaScript
        without_script = re.search(r'\n<noscript><p class="govuk-body" id="search-without-script">.*?</noscript>',
                                   static)
        assert without_script and "search-without-script" not in live.text
        static = static.replace(without_script[0], "")
    assert _normalised(static, root) == _normalised(live.text, "/")


def test_json_twins_and_api_files_match_the_live_app(demo_settings, built):
    out, _, database = built
    client = TestClient(create_app(database, demo_settings))
    for path in ("councils/stevenage-borough-council/2023-24.json", "api/years.json", "api/authorities.json",
                 "api/statistics/2023-24/E07000243.json", "search/names.json"):
        assert json.loads((out / path).read_text()) == client.get("/" + path).json(), path


def test_a_second_build_replaces_the_first_whole(demo_settings, built, tmp_path, monkeypatch):
    _, _, database = built
    from ombuds.site import build

    few = [kind for kind in build.kinds(LGSCO) if kind.name in ("home", "councils", "search")]
    monkeypatch.setattr(build, "kinds", lambda scheme=None: few)
    target = tmp_path / "again"
    build_site(database, target, demo_settings, workers=1)
    (target / "left-over.txt").write_text("from the first build")
    build_site(database, target, demo_settings, workers=2)
    assert not (target / "left-over.txt").exists()
    assert (target / "index.html").is_file()
    # no .tmp or .old folder left beside it (once the replaced build's deletion, after the build, is done); the
    # manifest beside it, not in it
    build.finish_deleting()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".again.build.msgpack", "again"]


def test_a_rebuild_reuses_letters_made_from_the_same_inputs(demo_settings, tmp_path, monkeypatch):
    """Letters are most of a build's cost: a rebuild links the previous build's copy of each letter whose content,
    templates and renderer are unchanged, and makes again only those that changed."""
    from ombuds.site import build

    two = ("stevenage-borough-council", "hertfordshire-county-council")
    letters = [replace(kind, every=lambda site, every=kind.every: (p for p in every(site) if p["slug"] in two))
               for kind in build.kinds(LGSCO) if kind.name == "letter"]
    monkeypatch.setattr(build, "kinds", lambda scheme=None: letters)
    url = f"sqlite:///{tmp_path / 'site.db'}"
    (tmp_path / "first").mkdir()
    (tmp_path / "more").mkdir()
    first = Cases(tmp_path / "first", "R")
    for name in ("Stevenage", "Hertfordshire"):
        first.decided(name, "2023-10-01", {"Upheld": 2, "Not Upheld": 3})
    database = open_database(url)
    import_files(database, first.files(), scheme=LGSCO)
    out = tmp_path / "site"
    letter = out / "councils/stevenage-borough-council/2023-24/letter.pdf"

    made = build_site(database, out, demo_settings, workers=1)
    assert made.reused == 0 and len(list(out.rglob("letter.*"))) == 4
    pdf = letter.read_bytes()
    again = build_site(database, out, demo_settings, workers=2)
    assert again.reused == 4
    assert "(4 of them unchanged since the last build)" in again.summary()
    assert letter.read_bytes() == pdf

    more = Cases(tmp_path / "more", "S")
    more.decided("Stevenage", "2023-11-01", {"Upheld": 5})
    import_files(database, more.files(), scheme=LGSCO)
    changed = build_site(database, out, demo_settings, workers=1)
    assert changed.reused == 2  # Hertfordshire's two letters only
    assert letter.read_bytes() != pdf
    manifest = msgpack.unpackb((tmp_path / ".site.build.msgpack").read_bytes())["items"]
    assert sorted(path for key, item in manifest.items() if key.startswith("[") for path in item["outputs"]) == sorted(
        str(p.relative_to(out)) for p in out.rglob("letter.*"))
    assert not list(out.rglob("*build.msgpack"))
    database.close()


def test_the_sitemap_robots_and_data_package_describe_the_built_files(built):
    import xml.etree.ElementTree as ET

    from ombuds.profile import load_profile

    out, _, _ = built
    base = load_profile().base_url
    assert (out / "robots.txt").read_text(encoding="utf-8").endswith(f"Sitemap: {base}sitemap.xml\n")
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locations = [e.text for e in ET.parse(out / "sitemap.xml").getroot().findall("s:url/s:loc", namespace)]
    assert len(locations) > 300 and f"{base}compare/stevenage-borough-council/" in locations
    missing = [loc for loc in locations if not (out / loc.removeprefix(base) / "index.html").is_file()]
    assert not missing, missing[:5]
    redirects = [loc for loc in locations
                 if 'http-equiv="refresh"' in (out / loc.removeprefix(base) / "index.html").read_text("utf-8")]
    assert not redirects, redirects[:5]
    frictionless = pytest.importorskip("frictionless")
    report = frictionless.validate(str(out / "data" / "datapackage.json"))
    assert report.valid, [(t.name, e.type, e.note) for t in report.tasks for e in t.errors][:5]


def test_a_build_during_an_import_shows_one_version_of_the_data(demo_settings, tmp_path, monkeypatch):
    """The issue's reproduction: an import committed part-way through a build made council pages show the old
    figures and decisions, feeds and the data page the new. The build now starts again and shows only the new."""
    from ombuds.site import build

    slug = "stevenage-borough-council"
    council = [replace(kind, every=lambda site, every=kind.every: (
        p for p in every(site) if p.get("slug", slug) == slug))
        for kind in build.kinds(LGSCO)
        if kind.name in ("council", "decisions", "feed", "data", "api-authority-decisions")]
    monkeypatch.setattr(build, "kinds", lambda scheme=None: council)
    (tmp_path / "first").mkdir()
    (tmp_path / "late").mkdir()
    first = Cases(tmp_path / "first", "R")
    first.decided("Stevenage", "2023-10-01", {"Upheld": 2, "Not Upheld": 2})
    late = Cases(tmp_path / "late", "L")
    late.decided("Stevenage", "2023-11-01", {"Upheld": 4})
    database = open_database(f"sqlite:///{tmp_path / 'site.db'}")
    import_files(database, first.files(), scheme=LGSCO)
    rendered = build.build_items
    imported = []

    def import_part_way(*args, **kwargs):
        result = rendered(*args, **kwargs)
        if not imported:  # after the first pass's pages and API files, before its swap
            imported.append(import_files(open_database(database.url), late.files(), scheme=LGSCO))
        return result

    monkeypatch.setattr(build, "build_items", import_part_way)
    build_site(database, tmp_path / "site", demo_settings, workers=1)
    page = (tmp_path / "site" / "councils" / slug / "2023-24" / "index.html").read_text(encoding="utf-8")
    decisions = json.loads((tmp_path / "site" / "api" / "decisions" / "E07000243" / "2023-24.json").read_text())
    assert imported and len(decisions) == 8
    assert "75%" in page and "50%" not in page  # 6 upheld of 8, not 2 of 4


def test_a_build_onto_a_full_disk_is_one_line(demo_settings, tmp_path, monkeypatch):
    import errno

    from ombuds.errors import OmbudsError
    from ombuds.site import build

    cases = Cases(tmp_path, "R")
    cases.decided("Stevenage", "2023-10-01", {"Upheld": 1})
    database = open_database(f"sqlite:///{tmp_path / 'site.db'}")
    import_files(database, cases.files(), scheme=LGSCO)

    def full(folder, path, body, *previous):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(build, "_write", full)
    with pytest.raises(OmbudsError, match=f"^{tmp_path / 'site'}: cannot write the site: No space left on device$"):
        build_site(database, tmp_path / "site", demo_settings, workers=1)
    assert not any(p.name.startswith(".site.tmp") for p in tmp_path.iterdir())

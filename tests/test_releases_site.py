"""The embargo on the public site: a year published for a later day is left out entirely (pages, data downloads,
API, letters, feeds) by the live app and by the static build, and only `site build --preview` shows it, marked."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient

from builders import Cases
from conftest import LGSCO
from ombuds.ingest import import_files
from ombuds.releases import create_release, publish_release
from ombuds.site.app import create_app
from ombuds.site.build import build_site
from ombuds.stats import format as fmt
from ombuds.store import open_database
from ombuds.years import Year

STEVENAGE = "stevenage-borough-council"
PUBLIC_FROM = date.today() + timedelta(days=60)
EMBARGOED = (f"/councils/{STEVENAGE}/2024-25/", f"/councils/{STEVENAGE}/2024-25.json",
             f"/councils/{STEVENAGE}/2024-25/letter.pdf", f"/councils/{STEVENAGE}/2024-25/letter.html",
             f"/councils/{STEVENAGE}/2024-25/decisions/", "/national/2024-25/", "/data/2024-25/statistics.csv",
             "/data/2024-25/statistics.json", "/data/2024-25/statistics.xlsx", "/api/statistics/2024-25.json",
             "/api/statistics/2024-25/E07000243.json", "/api/decisions/E07000243/2024-25.json")


@pytest.fixture(scope="module")
def embargoed(demo_settings, tmp_path_factory):
    """2023-24 held from before releases were used (public); 2024-25 frozen and published for a later day."""
    folder = tmp_path_factory.mktemp("embargo")
    cases = Cases(folder, "E")
    cases.decided("Stevenage", "2023-10-01", {"Upheld": 3, "Not Upheld": 1})
    cases.decided("Stevenage", "2024-10-01", {"Upheld": 1, "Not Upheld": 1})
    url = f"sqlite:///{folder / 'site.db'}"
    database = open_database(url)
    import_files(database, cases.files(), scheme=LGSCO)
    create_release(database, Year.parse("2024-25"), demo_settings.profile, demo_settings.editions, LGSCO)
    publish_release(database, LGSCO, Year.parse("2024-25"), PUBLIC_FROM)
    database.close()
    readonly = open_database(url, read_only=True)
    yield folder, readonly
    readonly.close()


def test_the_live_site_leaves_an_embargoed_year_out_entirely(demo_settings, embargoed):
    _, database = embargoed
    with TestClient(create_app(database, demo_settings)) as client:
        for path in EMBARGOED:
            assert client.get(path).status_code == 404, path
        assert client.get("/api/years.json").json() == [
            {"year": "2023-24", "source": "case records", "statistics": "api/statistics/2023-24.json"}]
        page = client.get(f"/councils/{STEVENAGE}/2023-24/").text
        assert "2024-25" not in page and "Embargoed preview" not in page
        latest = client.get(f"/councils/{STEVENAGE}/", follow_redirects=False)
        assert latest.headers["location"].endswith(f"/councils/{STEVENAGE}/2023-24/")
        feed = client.get(f"/councils/{STEVENAGE}/decisions.atom").text
        assert "2023-10-01" in feed and "2024-10-01" not in feed
        assert "2024-25" not in client.get("/data/").text and "2024-25" not in client.get("/").text


def test_the_static_build_leaves_it_out_and_the_preview_shows_it_marked(demo_settings, embargoed):
    folder, database = embargoed
    public = folder / "public"
    build_site(database, public, demo_settings, workers=2)
    leaked = [str(p.relative_to(public)) for p in public.rglob("*") if "2024-25" in str(p.relative_to(public))]
    assert leaked == []
    assert "2024-25" not in (public / "api/years.json").read_text()
    assert "2024-25" not in (public / "search/names.json").read_text()
    assert (public / f"councils/{STEVENAGE}/2023-24/index.html").is_file()

    preview = folder / "preview"
    build_site(database, preview, demo_settings, workers=2, preview=True)
    page = (preview / f"councils/{STEVENAGE}/2024-25/index.html").read_text()
    assert ("Embargoed preview for staff: not for publication. Not yet public: 2024-25: embargoed until "
            f"{fmt.long_date(PUBLIC_FROM)}.") in page
    assert '<meta name="robots" content="noindex, nofollow">' in page
    for path in ("api/statistics/2024-25.json", "data/2024-25/statistics.csv",
                 f"councils/{STEVENAGE}/2024-25/letter.pdf"):
        assert (preview / path).is_file(), path
    assert "Embargoed preview for staff" in (preview / f"councils/{STEVENAGE}/2023-24/index.html").read_text()

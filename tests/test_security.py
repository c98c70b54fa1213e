"""Security of the public site and the outputs: the server cannot write and has no import or admin routes, strict
headers on every kind of response, hostile text from input files shown literally everywhere, no path traversal,
request size limits, and the open data API fuzzed by schemathesis without a server error."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from builders import Cases
from conftest import LGSCO, REPOSITORY, write_csv
from ombuds.ingest import import_files
from ombuds.site.app import create_app
from ombuds.store import open_database
from ombuds.store.db import StoreError

HOSTILE = ('<script>alert(1)</script> "><img src=x onerror=alert(2)> '
           "\u202egpj.exe\u202c zero\u200bwidth\u200djoin")
SLUG = "stevenage-borough-council"
YEAR = "2023-24"
EDITIONS = REPOSITORY / "src" / "ombuds" / "schemes" / "lgsco" / "editions"


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("security")
    cases = Cases(folder, "S")
    cases.received("Stevenage", "2023-06-01", {"Housing": 3})
    cases.decided("Stevenage", "2023-10-01", {"Not Upheld": 1})
    cases.decided("Kent County Council", "2023-10-01", {"Upheld": 1})
    files = cases.files()
    files.append(write_csv(folder / "reports.csv", [
        "reference", "authority", "decision_date", "outcome", "public_report", "summary"],
        [["H1", "Stevenage", "2023-11-01", "Upheld", "yes", HOSTILE],
         ["H2", "Stevenage", "2023-11-02", "Not Upheld", "no", "=HYPERLINK(\"http://x\") " + HOSTILE]]))
    files.append(write_csv(folder / "improvements.csv", ["reference", "authority", "agreed_date", "improvement"],
                           [["H1", "Stevenage", "2023-11-01", HOSTILE]]))
    files.append(write_csv(folder / "contacts.csv", ["authority", "name", "title", "salutation"],
                           [["Stevenage", "Pat Example", "Chief Executive", "Dear Pat"]]))
    import_files(open_database(f"sqlite:///{folder / 'site.db'}"), files, scheme=LGSCO)
    return folder


@pytest.fixture(scope="module")
def client(demo_settings, folder):
    database = open_database(f"sqlite:///{folder / 'site.db'}", read_only=True)
    with TestClient(create_app(database, demo_settings), raise_server_exceptions=False) as test_client:
        yield test_client
    database.close()


def test_the_public_server_opens_the_database_read_only(folder):
    database = open_database(f"sqlite:///{folder / 'site.db'}", read_only=True)
    try:
        with pytest.raises(StoreError, match="readonly"), database.transaction() as connection:
            connection.exec_driver_sql("DELETE FROM decided")
        with database.read() as connection:
            assert connection.exec_driver_sql("SELECT count(*) FROM decided").scalar() == 4
    finally:
        database.close()


def test_no_route_accepts_a_write(client):
    paths = ["/", f"/councils/{SLUG}/{YEAR}/", "/api/years.json", "/import", "/admin", "/api/import",
             f"/data/{YEAR}/statistics.csv", "/static/site.css"]
    for path in paths:
        for method in ("POST", "PUT", "DELETE", "PATCH"):
            response = client.request(method, path, content=b"x")
            assert response.status_code in (404, 405), (method, path, response.status_code)
    assert all(not any(word in str(getattr(route, "path", "")) for word in ("import", "admin", "upload"))
               for route in client.app.routes)


RESPONSE_KINDS = {
    "page": "/", "council page": f"/councils/{SLUG}/{YEAR}/", "page JSON": "/index.json",
    "API": "/api/years.json", "OpenAPI": "/api/openapi.json", "download": f"/data/{YEAR}/statistics.csv",
    "letter": f"/councils/{SLUG}/{YEAR}/letter.pdf", "static": "/static/profile.css", "logo": "/static/logo.svg",
    "not found": "/no/such/page/", "API not found": "/api/statistics/1999-00.json", "redirect": f"/councils/{SLUG}/",
}


@pytest.mark.parametrize("kind", RESPONSE_KINDS)
def test_strict_headers_on_every_kind_of_response(client, kind):
    response = client.get(RESPONSE_KINDS[kind], follow_redirects=False)
    assert response.status_code < 500
    assert_strict_headers(response)


def assert_strict_headers(response) -> None:
    def header(name: str) -> str:  # schemathesis gives a list of values per header, httpx one string
        value = response.headers[name]
        return ", ".join(value) if isinstance(value, list) else value

    policy = header("content-security-policy")
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy and "default-src 'self'" in policy
    assert header("x-content-type-options") == "nosniff"
    assert header("referrer-policy") in ("no-referrer", "strict-origin-when-cross-origin", "same-origin")


def test_strict_headers_on_errors_and_preflight(client):
    for response in (client.post("/"), client.options("/api/years.json"), client.get("/%00"),
                     client.get("/councils/" + "x" * 10_000 + "/")):
        assert_strict_headers(response)


def assert_literal_in_html(text: str) -> None:
    assert "<script>alert(1)</script>" not in text and "<img src=x" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "&lt;img src=x onerror=alert(2)&gt;" in text
    assert "\u202egpj.exe\u202c" in text and "zero\u200bwidth\u200djoin" in text


def test_hostile_summaries_and_improvements_are_literal_in_pages_and_data(client):
    council = client.get(f"/councils/{SLUG}/{YEAR}/").text
    assert_literal_in_html(council)
    assert council.count("&lt;script&gt;") == 2  # the public report's summary and the improvement
    decisions = client.get(f"/councils/{SLUG}/{YEAR}/decisions/").text
    assert_literal_in_html(decisions)
    data = client.get(f"/councils/{SLUG}/{YEAR}/decisions.json").json()
    assert HOSTILE in [d["summary"] for d in data["decisions"]]


def test_hostile_text_is_literal_in_the_static_build(demo_settings, folder):
    """The pages the static build writes, rendered as it renders them (a whole build is tested in test_site_build)."""
    from ombuds.site.build import render_page
    from ombuds.site.data import SiteData
    from ombuds.site.pages import kinds

    database = open_database(f"sqlite:///{folder / 'site.db'}", read_only=True)
    try:
        site = SiteData(database, demo_settings)
        by_name = {kind.name: kind for kind in kinds(LGSCO)}
        for name in ("council", "decisions"):
            _, html = render_page(site, by_name[name], {"slug": SLUG, "year": YEAR}, root="../../../")
            assert_literal_in_html(html.decode("utf-8"))
    finally:
        database.close()


def test_hostile_edition_paragraphs_are_literal_in_letters(folder, tmp_path):
    from click.testing import CliRunner

    from ombuds.cli import cli

    edition = (EDITIONS / f"{YEAR}.toml").read_text(encoding="utf-8")
    (tmp_path / f"{YEAR}.toml").write_text(edition.replace('"2023-24-authority-paragraphs.toml"',
                                                           '"hostile.toml"'), encoding="utf-8")
    (tmp_path / "hostile.toml").write_text(f'"Stevenage" = {json.dumps(HOSTILE)}\n', encoding="utf-8")
    for output_format in ("html", "pdf"):
        result = CliRunner().invoke(cli, ["--db", str(folder / "site.db"), "letters", "--year", YEAR,
                                          "--authority", "Stevenage", "--format", output_format,
                                          "--edition", str(tmp_path / f"{YEAR}.toml"), "--out",
                                          str(tmp_path / "letters")])
        assert result.exit_code == 0, result.output
    assert_literal_in_html((tmp_path / "letters" / f"{SLUG}-{YEAR}.html").read_text(encoding="utf-8"))
    text = "".join(page.extract_text() for page in PdfReader(tmp_path / "letters" / f"{SLUG}-{YEAR}.pdf").pages)
    flat = " ".join(text.split())
    assert '<script>alert(1)</script> "><img src=x onerror=alert(2)>' in flat


TRAVERSALS = ["../", "..%2f", "%2e%2e/", "%2e%2e%2f", "..%252f", "%252e%252e%252f", "....//", "..%5c", "%2f"]
TARGETS = ["etc/passwd", "src/ombuds/site/app.py", "pyproject.toml"]


def raw_get(app, raw_path: str) -> tuple[int, dict[str, str], bytes]:
    """GET exactly this path, as a server hands it to the app (percent-decoded `path`, untouched `raw_path`):
    no client in between to normalise the dots away."""
    import asyncio
    from urllib.parse import unquote

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": unquote(raw_path), "raw_path": raw_path.encode(), "query_string": b"", "root_path": "",
             "headers": [(b"host", b"testserver")], "server": ("testserver", 80), "client": ("127.0.0.1", 1)}
    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start = sent[0]
    headers = {k.decode(): v.decode() for k, v in start["headers"]}
    return start["status"], headers, b"".join(m.get("body", b"") for m in sent[1:])


@pytest.mark.parametrize("route", ["/static/", f"/councils/{SLUG}/{YEAR}/letter.", f"/data/{YEAR}/statistics.",
                                   "/councils/", "/api/statistics/", "/"])
def test_path_traversal_gives_404_and_never_a_file_outside(client, route):
    for step in TRAVERSALS:
        for target in TARGETS:
            for depth in (1, 3, 8):
                url = route + step * depth + target
                status, headers, body = raw_get(client.app, url)
                if status == 307:  # a trailing slash added: the address it names is no page either
                    location = urlsplit(headers["location"]).path
                    assert location.endswith("/")
                    status, headers, body = raw_get(client.app, location)
                assert status == 404, (url, status)
                assert b"root:" not in body and b"[project]" not in body and b"def create_app" not in body


def test_overlong_urls_headers_and_bodies_get_a_clean_4xx(client):
    cases = [
        client.get("/councils/" + "a" * 20_000 + "/"),
        client.get("/search/", params={"q": "x" * 50_000}),
        client.get("/", headers={"x-long": "y" * 100_000}),
        client.get("/", headers={f"x-{i}": "z" for i in range(500)}),
        client.post("/", content=b"x" * 2_000_000),
        client.request("GET", "/api/years.json", content=b"x" * 2_000_000),
    ]
    for response in cases:
        assert 400 <= response.status_code < 500, response.status_code
    assert cases[4].status_code == 413 and cases[5].status_code == 413
    assert cases[1].status_code == 414 and cases[2].status_code == 431 and cases[3].status_code == 431


def test_schemathesis_finds_no_server_error_in_the_api(client):
    import schemathesis
    from hypothesis import HealthCheck, given, settings

    schema = schemathesis.openapi.from_asgi("/api/openapi.json", client.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 5
    for operation in operations:
        @given(operation.as_strategy())
        @settings(max_examples=12, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def check(case):
            response = case.call()
            assert response.status_code < 500, (case.formatted_path, response.status_code, response.text[:200])
            assert_strict_headers(response)
            if response.status_code == 200:
                case.validate_response(response)

        check()


def test_the_database_file_of_a_read_only_server_is_never_written(demo_settings, folder, tmp_path):
    copy = tmp_path / "copy.db"
    with sqlite3.connect(folder / "site.db") as source, sqlite3.connect(copy) as target:
        source.backup(target)
        target.execute("PRAGMA journal_mode=WAL")
    target.close()
    assert not Path(f"{copy}-wal").exists()  # as after an import: the server starts on the file alone
    before = copy.read_bytes()
    database = open_database(f"sqlite:///{copy}", read_only=True)
    with TestClient(create_app(database, demo_settings)) as test_client:
        for path in ("/", f"/councils/{SLUG}/{YEAR}/", "/api/years.json", f"/data/{YEAR}/statistics.xlsx"):
            assert test_client.get(path).status_code == 200
    database.close()
    assert copy.read_bytes() == before
    with sqlite3.connect(f"file:{copy}?mode=ro", uri=True) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)

"""Text responses of the live site are sent brotli- or gzip-compressed as the client accepts (brotli first), with
`Vary: Accept-Encoding`; compressed types (PDF, XLSX) are sent as they are. Checked in-process and through a real
uvicorn server on 127.0.0.1, decoding each body and comparing it with the plain one."""

from __future__ import annotations

import asyncio
import gzip
import socket
import threading
import time
import urllib.request
from dataclasses import replace

import brotli
import pytest
import uvicorn
from fastapi.testclient import TestClient

from builders import Cases
from conftest import LGSCO
from ombuds.ingest import import_files
from ombuds.site.app import create_app
from ombuds.site.compression import negotiate
from ombuds.store import open_database

STEVENAGE = "stevenage-borough-council"
PAGE = f"/councils/{STEVENAGE}/2023-24/"
DECODE = {"br": brotli.decompress, "gzip": gzip.decompress}


@pytest.fixture(scope="module")
def app(demo_settings, tmp_path_factory):
    folder = tmp_path_factory.mktemp("compression")
    cases = Cases(folder, "Z")
    cases.decided("Stevenage", "2023-10-01", {"Upheld": 3, "Not Upheld": 1})
    url = f"sqlite:///{folder / 'site.db'}"
    import_files(open_database(url), cases.files(), scheme=LGSCO)
    return create_app(open_database(url, read_only=True), demo_settings)


@pytest.fixture(scope="module")
def client(app):
    with TestClient(app) as test_client:
        yield test_client


def raw(client: TestClient, path: str, accept: str) -> tuple[dict, bytes]:
    """The response's headers and its body as sent (not decoded)."""
    with client.stream("GET", path, headers={"accept-encoding": accept}) as response:
        return dict(response.headers), b"".join(response.iter_raw())


@pytest.mark.parametrize(("accept", "chosen"), [
    ("gzip, deflate, br", "br"), ("br;q=0.5, gzip", "br"), ("gzip", "gzip"), ("br;q=0, gzip", "gzip"),
    ("*", "br"), ("*;q=0, gzip", "gzip"), ("identity", None), ("", None), ("gzip;q=0", None), ("deflate", None)])
def test_the_encoding_is_negotiated_brotli_first(accept, chosen):
    assert negotiate(accept) == chosen


@pytest.mark.parametrize("path", [PAGE, "/api/authorities.json", "/static/site.css", "/data/2023-24/statistics.csv"])
@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_text_is_sent_compressed_and_decodes_to_the_plain_body(client, path, encoding):
    plain_headers, plain = raw(client, path, "identity")
    headers, body = raw(client, path, f"{encoding}, identity;q=0.1" if encoding == "gzip" else "br, gzip")
    assert "content-encoding" not in plain_headers and len(plain) >= 1024
    assert headers["content-encoding"] == encoding
    assert "accept-encoding" in headers["vary"].lower() and "accept-encoding" in plain_headers["vary"].lower()
    assert int(headers["content-length"]) == len(body) < len(plain)
    assert DECODE[encoding](body) == plain


def test_a_compressed_page_keeps_its_validator_weak_and_answers_304(client):
    plain_headers, _ = raw(client, PAGE, "identity")
    headers, _ = raw(client, PAGE, "br")
    assert headers["etag"] == "W/" + plain_headers["etag"]
    again = client.get(PAGE, headers={"accept-encoding": "br", "if-none-match": headers["etag"]})
    assert again.status_code == 304 and again.content == b""


@pytest.mark.parametrize("path", ["/councils/stevenage-borough-council/2023-24/letter.pdf",
                                  "/data/2023-24/statistics.xlsx"])
def test_compressed_types_are_sent_as_they_are(client, path):
    headers, body = raw(client, path, "br, gzip")
    assert "content-encoding" not in headers
    assert body[:4] in (b"%PDF", b"PK\x03\x04")


def test_a_short_response_is_sent_as_it_is(client):
    headers, body = raw(client, "/robots.txt", "br, gzip")
    assert len(body) < 1024 and "content-encoding" not in headers


def test_a_real_server_sends_brotli_and_gzip(app):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    try:
        for _ in range(600):
            if server.started:
                break
            time.sleep(0.05)
        bodies = {}
        for accept in ("identity", "gzip", "br, gzip"):
            request = urllib.request.Request(f"http://127.0.0.1:{port}{PAGE}", headers={"Accept-Encoding": accept})
            with urllib.request.urlopen(request, timeout=30) as response:
                bodies[response.headers.get("Content-Encoding")] = response.read()
    finally:
        server.should_exit = True
        thread.join(timeout=30)
    assert set(bodies) == {None, "gzip", "br"}
    assert gzip.decompress(bodies["gzip"]) == bodies[None] == brotli.decompress(bodies["br"])
    assert b"Stevenage Borough Council" in bodies[None]


def test_head_says_what_get_would_send(client):
    headers, body = raw(client, PAGE, "br")
    head = client.head(PAGE, headers={"accept-encoding": "br"})
    assert head.content == b"" and head.headers["content-encoding"] == "br"
    assert (head.headers["content-length"], head.headers["etag"]) == (str(len(body)), headers["etag"])


def test_a_precompressed_build_writes_twins_that_decode_to_each_text_file(app, demo_settings, tmp_path):
    from ombuds.site import build

    few = [replace(kind, every=lambda site, every=kind.every: (p for p in every(site) if p.get("slug") == STEVENAGE))
           if kind.name == "letter" else kind
           for kind in build.kinds(LGSCO) if kind.name in ("home", "national", "letter")]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(build, "kinds", lambda scheme=None: few)
        build.build_site(app.state.site.database, tmp_path / "site", app.state.site.settings, workers=1,
                         precompress=True)
    out = tmp_path / "site"
    page = out / "national" / "2023-24" / "index.html"
    assert brotli.decompress((out / "national/2023-24/index.html.br").read_bytes()) == page.read_bytes()
    assert gzip.decompress((out / "national/2023-24/index.html.gz").read_bytes()) == page.read_bytes()
    script = out / "static" / "site.js"
    assert brotli.decompress(script.with_name("site.js.br").read_bytes()) == script.read_bytes()
    letter = out / "councils" / STEVENAGE / "2023-24" / "letter.pdf"
    assert letter.is_file() and not letter.with_name("letter.pdf.br").exists()  # PDF: compressed already
    assert (out / "councils" / STEVENAGE / "2023-24" / "letter.html.br").is_file()

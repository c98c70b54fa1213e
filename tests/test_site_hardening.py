"""The live server against an adversary (issue 18): bounded memory under junk addresses and unique searches,
redirects that never take the Host header, If-None-Match parsed, and slow clients dropped."""

from __future__ import annotations

import asyncio
import gc
import socket
import threading

import pytest
import uvicorn
from fastapi.testclient import TestClient

from builders import Cases
from conftest import LGSCO
from ombuds.ingest import import_files
from ombuds.site import app as site_app
from ombuds.site.app import create_app
from ombuds.site.serve import HeaderTimeoutProtocol
from ombuds.stats import service
from ombuds.store import open_database

STEVENAGE = "stevenage-borough-council"


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hardening")
    cases = Cases(folder, "H")
    cases.decided("Stevenage", "2023-10-01", {"Upheld": 3, "Not Upheld": 1}, satisfactory_remedies=1)
    url = f"sqlite:///{folder / 'site.db'}"
    import_files(open_database(url), cases.files(), scheme=LGSCO)
    return url


@pytest.fixture(scope="module")
def client(demo_settings, url):
    with TestClient(create_app(open_database(url, read_only=True), demo_settings)) as test_client:
        yield test_client


def test_junk_addresses_and_searches_are_never_kept(client):
    cache = client.app.state.cache
    before = len(cache._entries)
    for n in range(300):  # a junk address costs 1.5 ms of CPU, a junk search 80 ms: 30 searches
        assert client.get(f"/councils/no-such-council-{n}/2023-24/").status_code == 404
        if n % 10 == 0:
            assert client.get(f"/search/?q=nothing-like-{n}").status_code in (200, 404)
    assert len(cache._entries) == before
    assert client.get(f"/councils/{STEVENAGE}/2023-24/").status_code == 200
    assert len(cache._entries) == before + 1


def test_the_page_cache_keeps_at_most_its_size_least_recently_used_out(client, monkeypatch):
    cache = client.app.state.cache
    paths = ["/", "/councils/", f"/councils/{STEVENAGE}/2023-24/", "/methods/", "/national/2023-24/", "/data/"]
    sizes = [len(client.get(path).content) + 200 for path in paths]
    monkeypatch.setattr(site_app, "CACHE_BYTES", sum(sizes[-3:]))
    cache._entries = site_app._pages()
    for path in paths:
        assert client.get(path).status_code == 200
    assert list(cache._entries) == paths[-3:]  # the three most recent fill it; the older ones were let go
    assert cache._entries.currsize == sum(sizes[-3:])


def test_statistics_services_are_kept_for_a_bounded_number_of_databases(url):
    opened = [open_database(url, read_only=True) for _ in range(service.SERVICES_KEPT + 4)]
    for database in opened:
        service.statistics_service(database, LGSCO)
    assert len(service._services) == service.SERVICES_KEPT
    assert all(entry[0] is not opened[0] for entry in service._services.values())
    gc.collect()


def test_redirects_are_paths_whatever_the_host_header(client):
    for path in (f"/councils/{STEVENAGE}", "/methods", f"/councils/{STEVENAGE}/"):
        response = client.get(path, headers={"host": "evil.example"}, follow_redirects=False)
        assert response.status_code == 307
        assert response.headers["location"].startswith("/") and "evil" not in response.headers["location"]
    assert client.get("/methods", follow_redirects=False).headers["location"] == "/methods/"
    assert client.get("/no-such-page", follow_redirects=False).status_code == 404


def test_if_none_match_is_parsed_not_searched(client):
    tag = client.get("/methods/", headers={"accept-encoding": "identity"}).headers["etag"]  # a strong tag
    assert client.get("/methods/", headers={"if-none-match": tag}).status_code == 304
    assert client.get("/methods/", headers={"if-none-match": f'"other", W/{tag}'}).status_code == 304
    assert client.get("/methods/", headers={"if-none-match": "*"}).status_code == 304
    assert client.get("/methods/", headers={"if-none-match": f"xx{tag}yy"}).status_code == 200
    assert client.get("/methods/", headers={"if-none-match": '"other"'}).status_code == 200


def test_a_client_that_never_finishes_its_headers_is_dropped(demo_settings, url, monkeypatch):
    monkeypatch.setattr(HeaderTimeoutProtocol, "header_seconds", 0.5)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(create_app(open_database(url, read_only=True), demo_settings), host="127.0.0.1",
                            port=port, log_level="warning", http=HeaderTimeoutProtocol)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    try:
        while not server.started:
            threading.Event().wait(0.05)
        with socket.create_connection(("127.0.0.1", port)) as slow:
            slow.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")  # and never the blank line
            slow.settimeout(60)
            assert slow.recv(1024) == b""  # closed by the server, not answered
        with socket.create_connection(("127.0.0.1", port)) as quick:
            quick.sendall(b"GET /methods/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            quick.settimeout(60)
            assert quick.recv(64).startswith(b"HTTP/1.1 200 OK")
    finally:
        server.should_exit = True
        thread.join(30)

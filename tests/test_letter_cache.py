"""The letter cache: a letter is compiled once and shared by `ombuds letters` and the site build, by the fingerprint
of exactly what makes its bytes; a changed figure is a different letter, and a cached letter is byte for byte what
a fresh render gives."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from builders import Cases
from conftest import LGSCO, shipped_edition
from ombuds.ingest import import_files
from ombuds.letters import render as letters_render
from ombuds.letters.batch import letter_jobs, render_letters
from ombuds.letters.cache import LetterCache, default_location, letter_fingerprint, renderer_fingerprint
from ombuds.store import open_database
from ombuds.years import Year

YEAR = Year.parse("2023-24")


@pytest.fixture
def database(tmp_path):
    (tmp_path / "first").mkdir()
    cases = Cases(tmp_path / "first", "C")
    for name in ("Stevenage", "Hertfordshire"):
        cases.decided(name, "2023-10-01", {"Upheld": 2, "Not Upheld": 3})
    database = open_database(f"sqlite:///{tmp_path / 'cache.db'}")
    import_files(database, cases.files(), scheme=LGSCO)
    yield database
    database.close()


def letters(database, out: Path, output_format: str, cache: Path | None, demo_settings) -> dict[str, bytes]:
    """Stevenage's and Hertfordshire's letters as `ombuds letters` writes them, by file name."""
    jobs = [job for job in letter_jobs(database, YEAR, shipped_edition(YEAR), out, output_format,
                                       profile=demo_settings.profile, scheme=demo_settings.scheme,
                                       allow_missing_contacts=True, cache=cache)
            if job.authority.name in ("Stevenage Borough Council", "Hertfordshire County Council")]
    return {w.path.name: w.path.read_bytes() for w in render_letters(jobs, workers=1)}


def refuse_to_render(monkeypatch) -> None:
    def refused(*args, **kwargs):
        raise AssertionError("rendered, not taken from the cache")
    monkeypatch.setattr(letters_render.Renderer, "render", refused)


@pytest.mark.parametrize("output_format", ["pdf", "html"])
def test_a_cached_letter_is_the_bytes_of_a_fresh_render(database, tmp_path, monkeypatch, demo_settings,
                                                          output_format):
    cache = tmp_path / "letters-cache"
    fresh = letters(database, tmp_path / "fresh", output_format, None, demo_settings)
    assert not cache.exists()
    first = letters(database, tmp_path / "first", output_format, cache, demo_settings)
    assert first == fresh
    assert len(list(cache.glob(f"??/*.{output_format}"))) == 2
    refuse_to_render(monkeypatch)
    assert letters(database, tmp_path / "again", output_format, cache, demo_settings) == fresh


def test_a_changed_figure_is_a_different_letter(database, tmp_path, demo_settings):
    cache = tmp_path / "letters-cache"
    before = letters(database, tmp_path / "before", "pdf", cache, demo_settings)
    (tmp_path / "more").mkdir()
    more = Cases(tmp_path / "more", "D")
    more.decided("Stevenage", "2023-11-01", {"Upheld": 1})
    import_files(database, more.files(), scheme=LGSCO)
    after = letters(database, tmp_path / "after", "pdf", cache, demo_settings)
    stevenage = "stevenage-borough-council-2023-24.pdf"
    hertfordshire = "hertfordshire-county-council-2023-24.pdf"
    assert after[stevenage] != before[stevenage]
    assert after[hertfordshire] == before[hertfordshire]
    assert len(list(cache.glob("??/*.pdf"))) == 3  # Stevenage's two letters and Hertfordshire's one
    assert after == letters(database, tmp_path / "fresh", "pdf", None, demo_settings)


def test_the_fingerprint_covers_content_format_timestamp_and_images(tmp_path):
    logo = tmp_path / "logo.svg"
    logo.write_text("<svg/>", encoding="utf-8")
    content = {"letterhead": {"logo": str(logo)}, "signature": None, "rows": [["upheld", "67%"]]}
    base = letter_fingerprint(content, 1000, "pdf")
    assert base == letter_fingerprint({**content}, 1000, "pdf")
    assert base != letter_fingerprint({**content, "rows": [["upheld", "68%"]]}, 1000, "pdf")
    assert base != letter_fingerprint(content, 1000, "html")
    assert base != letter_fingerprint(content, 1001, "pdf")
    other = tmp_path / "other.svg"
    other.write_text("<svg><g/></svg>", encoding="utf-8")
    assert base != letter_fingerprint({**content, "letterhead": {"logo": str(other)}}, 1000, "pdf")


def test_the_fingerprint_is_the_hash_of_the_json_text_of_its_parts(tmp_path):
    """The content's JSON is written once for a letter's two formats; the fingerprints stay those of the whole list's
    JSON text, so letters kept by earlier versions are still found."""
    logo = tmp_path / "logo.svg"
    logo.write_bytes(b"<svg/>")
    content = {"letterhead": {"logo": str(logo), "name": "Ombudsman – Région"}, "signature": None,
               "statistics_json": {"year": "2023-24", "rate": 0.5, "date": date(2024, 7, 1)}, "rows": [["a", "b"]]}
    for output_format in ("pdf", "html"):  # the same object, one format after the other, as the site build asks
        parts = [renderer_fingerprint(), output_format, 1000, content,
                 [hashlib.sha256(b"<svg/>").hexdigest(), None]]
        whole = json.dumps(parts, sort_keys=True, default=str).encode("utf-8")
        assert letter_fingerprint(content, 1000, output_format) == hashlib.sha256(whole).hexdigest()


def test_the_site_build_takes_the_letters_that_ombuds_letters_made(database, tmp_path, monkeypatch, demo_settings):
    from ombuds.site import build

    two = ("stevenage-borough-council", "hertfordshire-county-council")
    only = [replace(kind, every=lambda site, every=kind.every: (p for p in every(site) if p["slug"] in two))
            for kind in build.kinds(LGSCO) if kind.name == "letter"]
    monkeypatch.setattr(build, "kinds", lambda scheme=None: only)
    cache = tmp_path / "letters-cache"
    made = {f: letters(database, tmp_path / "letters", f, cache, demo_settings) for f in ("pdf", "html")}
    refuse_to_render(monkeypatch)
    out = tmp_path / "site"
    build.build_site(database, out, replace(demo_settings, letter_cache=cache), workers=1)
    for output_format, files in made.items():
        for slug in two:
            written = out / f"councils/{slug}/2023-24/letter.{output_format}"
            assert written.read_bytes() == files[f"{slug}-2023-24.{output_format}"]


def test_trim_keeps_the_most_recently_used_letters_within_the_limit(tmp_path):
    cache = LetterCache(tmp_path / "cache", limit=250)
    for number, key in enumerate(("aa01", "bb02", "cc03")):
        cache.put(key, "pdf", b"x" * 100)
        os.utime(cache.path(key, "pdf"), ns=(number * 10**9, number * 10**9))
    assert cache.get("aa01", "pdf") == b"x" * 100  # used now: the most recent
    assert cache.trim() == 1
    assert cache.get("bb02", "pdf") is None
    assert cache.get("aa01", "pdf") is not None and cache.get("cc03", "pdf") is not None


def test_the_default_cache_is_beside_a_sqlite_file_and_none_elsewhere(tmp_path):
    assert default_location(f"sqlite:///{tmp_path / 'ombuds.db'}") == tmp_path / "ombuds.db.letters"
    assert default_location(str(tmp_path / "plain.db")) == tmp_path / "plain.db.letters"
    assert default_location("sqlite:///:memory:") is None
    assert default_location("postgresql://user@localhost/ombuds") is None


def test_the_command_line_keeps_letters_beside_the_database_unless_told_not_to(database, tmp_path):
    ombuds = str(Path(sys.executable).parent / "ombuds")
    db = str(tmp_path / "cache.db")
    command = ["letters", "--year", "2023-24", "--authority", "Stevenage", "--allow-missing-contacts"]
    subprocess.run([ombuds, "--db", db, "--letter-cache", "none", *command, "--out", str(tmp_path / "a")],
                   check=True, capture_output=True)
    assert not (tmp_path / "cache.db.letters").exists()
    subprocess.run([ombuds, "--db", db, *command, "--out", str(tmp_path / "b")], check=True, capture_output=True)
    [kept] = (tmp_path / "cache.db.letters").glob("??/*.pdf")
    assert kept.read_bytes() == (tmp_path / "b/stevenage-borough-council-2023-24.pdf").read_bytes()


def test_the_demo_s_site_build_compiles_no_letter_the_demo_wrote(tmp_path, monkeypatch, demo_settings):
    """`ombuds demo` marks its database as synthetic, so its letters and the site's say so alike and have the same
    fingerprints: after the demo's letters step the build compiles none of them again (it compiles only the letters
    the demo does not write, to councils abolished by the letter's date), and publishes the demo's bytes."""
    from ombuds.demo import render_demo_letters, run_demo
    from ombuds.site import build

    settings = replace(demo_settings, letter_cache=tmp_path / "letters-cache")
    database = open_database(f"sqlite:///{tmp_path / 'demo.db'}")
    run_demo(database, tmp_path / "demo", settings, years=1, documents=False, echo=lambda line: None)
    render_demo_letters(database, tmp_path / "demo" / "letters", settings, echo=lambda line: None)
    written = {p.name: p.read_bytes() for p in (tmp_path / "demo" / "letters" / "2024-25").glob("*-2024-25.*")}
    assert len(written) > 600
    letter_kinds = [kind for kind in build.kinds(LGSCO) if kind.name == "letter"]
    monkeypatch.setattr(build, "kinds", lambda scheme=None: letter_kinds)
    compiled: list[str] = []
    render = letters_render.Renderer.render

    def counting(self, content, created, output_format):
        compiled.append(output_format)
        return render(self, content, created, output_format)
    monkeypatch.setattr(letters_render.Renderer, "render", counting)
    out = tmp_path / "site"
    build.build_site(database, out, settings, workers=1)
    site_letters = sorted(out.glob("councils/*/2024-25/letter.*"))
    demo_named = {f"{p.parent.parent.name}-2024-25{p.suffix}" for p in site_letters} & set(written)
    assert len(demo_named) == len(written)  # every letter the demo wrote is on the site …
    for path in site_letters:
        name = f"{path.parent.parent.name}-2024-25{path.suffix}"
        if name in written:
            assert path.read_bytes() == written[name]  # … byte for byte, taken from the cache
    assert len(compiled) == len(site_letters) - len(written)  # only the abolished councils' letters compiled
    notice = "Synthetic demonstration letter"
    assert notice in (out / "councils/stevenage-borough-council/2024-25/letter.html").read_text(encoding="utf-8")
    database.close()

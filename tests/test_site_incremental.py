"""The incremental static build: a rebuild updates the previous build in place, keeping every page whose recorded
inputs (facts) and output hashes are unchanged and making the others; after one council's data change its result is
byte-identical to a full build from nothing, and only the pages that show that council's figures (or its type's
average that year) are made again: a council's page for a year shows that year and the years before it, so a change
to a year leaves every earlier year's page as it is. The manifest lives beside the output folder, never in it, a
tampered or deleted output file is made again, and a rebuild interrupted part-way is repaired by the next.

The letters are left out of these builds (their reuse has its own test in test_site_build.py): they are most of a
build's time and nothing here depends on them."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from pathlib import Path

import msgpack
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builders import Cases
from conftest import LGSCO, registry
from ombuds.ingest import import_files
from ombuds.site import build, incremental
from ombuds.site.build import build_site
from ombuds.store import open_database
from ombuds.years import Year

STEVENAGE = "stevenage-borough-council"


def files(folder: Path) -> dict[str, tuple[int, str]]:
    """Every file of a build: (inode, SHA-256) by path."""
    return {p.relative_to(folder).as_posix(): (os.stat(p).st_ino, hashlib.sha256(p.read_bytes()).hexdigest())
            for p in sorted(folder.rglob("*")) if p.is_file()}


def items(folder: Path) -> int:
    """The pages and files (each with its JSON twin) the manifest beside `site/` lists, the shards aside."""
    return sum(1 for key in msgpack.unpackb((folder / ".site.build.msgpack").read_bytes())["items"]
               if key.startswith("["))


@pytest.fixture(scope="module")
def builds(demo_settings, tmp_path_factory):
    """A build, the same rebuilt unchanged, then rebuilt after Stevenage's 2023-24 decisions change, and a build
    from nothing of the changed data: the files of each, and their reports."""
    folder = tmp_path_factory.mktemp("incremental")
    without_letters = [kind for kind in build.kinds(LGSCO) if kind.name != "letter"]
    cases = Cases(folder, "I")
    for name in ("Stevenage", "North Hertfordshire", "Hertfordshire", "Birmingham"):
        cases.decided(name, "2022-10-01", {"Upheld": 2, "Not Upheld": 2})
        cases.decided(name, "2023-10-01", {"Upheld": 1, "Not Upheld": 3})
    url = f"sqlite:///{folder / 'site.db'}"
    import_files(open_database(url), cases.files(), scheme=LGSCO)
    out, fresh = folder / "site", folder / "fresh"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(build, "kinds", lambda scheme=None: without_letters)
        first = build_site(open_database(url, read_only=True), out, demo_settings, workers=2)
        made = files(out)
        again = build_site(open_database(url, read_only=True), out, demo_settings, workers=2)
        unchanged = files(out)
        (folder / "late").mkdir()
        late = Cases(folder / "late", "J")
        late.decided("Stevenage", "2023-11-01", {"Upheld": 3})
        import_files(open_database(url), late.files(), scheme=LGSCO)
        changed = build_site(open_database(url, read_only=True), out, demo_settings, workers=2)
        rebuilt = files(out)
        build_site(open_database(url, read_only=True), fresh, demo_settings, workers=1)
    return {"folder": folder, "out": out, "first": first, "again": again, "changed": changed, "made": made,
            "unchanged": unchanged, "rebuilt": rebuilt, "fresh": files(fresh), "url": url}


def test_an_unchanged_rebuild_keeps_every_file_as_it_is(builds):
    first, again = builds["first"], builds["again"]
    assert again.reused == items(builds["folder"]) and first.reused == 0
    assert (again.pages, again.redirects, again.files) == (first.pages, first.redirects, first.files)
    # not one file written again (each has its inode still), the static assets, OpenAPI file and 404 page included
    assert builds["unchanged"] == builds["made"]


def test_after_one_council_changes_the_rebuild_is_byte_identical_to_a_full_build(builds):
    rebuilt = {p: h for p, (_, h) in builds["rebuilt"].items()}
    fresh = {p: h for p, (_, h) in builds["fresh"].items()}
    assert rebuilt == fresh
    assert rebuilt != {p: h for p, (_, h) in builds["made"].items()}  # the change shows


def _council_pages(before: dict, after: dict) -> list[str]:
    """The council pages (`councils/<slug>/<year>/index.html`) a rebuild wrote again (a new inode)."""
    return sorted(p for p, (inode, _) in after.items() if p.startswith("councils/") and p.count("/") == 3
                  and p.endswith("/index.html") and before.get(p, (None,))[0] != inode)


def _districts(year: str) -> set[str]:
    return {a.slug for a in registry() if a.type == "District" and a.current_in(Year.parse(year))}


def test_a_change_to_the_latest_year_leaves_every_older_years_page_untouched(builds):
    """Stevenage's 2023-24 (the latest year) changes: a page for a year shows that year and the years before it,
    so no 2022-23 file is written again, Stevenage's own 2022-23 page included; of 2023-24, Stevenage's pages and
    those of the other districts (their figures compare with the district average that moved, and their trend
    chart ends on it); no county's or metropolitan borough's."""
    before, after = builds["unchanged"], builds["rebuilt"]
    assert [p for p in after if "/2022-23" in p and before[p][0] != after[p][0]] == []
    pages = _council_pages(before, after)
    assert {p.split("/")[2] for p in pages} == {"2023-24"}
    assert {p.split("/")[1] for p in pages} == _districts("2023-24")
    rewritten = {p for p in after if p.startswith(f"councils/{STEVENAGE}/2023-24/") and before[p][0] != after[p][0]}
    assert {f"councils/{STEVENAGE}/2023-24/decisions/index.html",
            f"councils/{STEVENAGE}/2023-24/decisions/upheld/index.html"} <= rewritten
    print(f"council pages made again: {len(pages)}; {builds['changed'].reused} of "
          f"{builds['changed'].pages + builds['changed'].redirects} items reused")


def test_the_manifest_is_beside_the_output_never_in_it(builds):
    out = builds["out"]
    assert (builds["folder"] / ".site.build.msgpack").is_file()
    assert not list(out.rglob("*build.msgpack")) and not list(out.rglob("*build.json"))
    assert not (out / ".ombuds-build.json").exists()


def test_a_tampered_or_deleted_output_file_is_made_again(builds, demo_settings):
    out = builds["out"]
    page = out / "councils" / STEVENAGE / "2022-23" / "index.html"
    twin = out / "councils" / STEVENAGE / "2022-23.json"
    good = page.read_bytes(), twin.read_bytes()
    page.write_bytes(good[0].replace(b"Stevenage", b"Tampered"))
    twin.unlink()
    without_letters = [kind for kind in build.kinds(LGSCO) if kind.name != "letter"]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(build, "kinds", lambda scheme=None: without_letters)
        report = build_site(open_database(builds["url"], read_only=True), out, demo_settings, workers=1)
    assert (page.read_bytes(), twin.read_bytes()) == good
    assert report.reused == items(builds["folder"]) - 1  # every item but that page (with its JSON twin)


def _asked_in(monkeypatch) -> list[str]:
    """The questions a build in this process asks again of the data (`Facts._ask`), as they are asked."""
    asked: list[str] = []
    ask = incremental.Facts._ask

    def noting(self, key):
        asked.append(key)
        return ask(self, key)
    monkeypatch.setattr(incremental.Facts, "_ask", noting)
    return asked


def _rebuild(url, out, settings, workers=1):
    without_letters = [kind for kind in build.kinds(LGSCO) if kind.name != "letter"]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(build, "kinds", lambda scheme=None: without_letters)
        return build_site(open_database(url, read_only=True), out, settings, workers=workers)


def test_with_nothing_changed_no_question_is_asked_again(builds, demo_settings, monkeypatch):
    asked = _asked_in(monkeypatch)
    report = _rebuild(builds["url"], builds["out"], demo_settings)
    assert asked == [] and report.reused == items(builds["folder"])


def test_the_change_list_decides_which_questions_are_asked_again(builds, demo_settings, monkeypatch, tmp_path):
    """Birmingham's 2022-23 decisions change: of one body's rows in one year only Birmingham's 2022-23 are read
    again; the year's figures of 2022-23 and of 2023-24 (which compares with it) are asked again, and no question
    of any year before 2022-23; the council pages made again are the metropolitan boroughs' of 2022-23 (their
    type's average moved) and of 2023-24 (whose trend charts show 2022-23), and the result is the build from
    nothing of the changed data."""
    late = Cases(tmp_path, "K")
    late.decided("Birmingham", "2022-12-01", {"Upheld": 2})
    import_files(open_database(builds["url"]), late.files(), scheme=LGSCO)
    asked = _asked_in(monkeypatch)
    before = files(builds["out"])
    _rebuild(builds["url"], builds["out"], demo_settings)
    after = files(builds["out"])
    questions = [json.loads(key) for key in asked]
    one_body = [(args[0][1], args[1][1]) for name, args, _ in questions if name in incremental.BODY_YEAR]
    assert one_body and set(one_body) == {("E08000025", "2022-23")}
    years = {args[0][1] for name, args, _ in questions if name == "year_statistics"}
    assert years == {"2022-23", "2023-24"}
    assert not [q for q in questions if any(tag == "y" and value < "2022-23" for tag, value in q[1])]
    boroughs = {a.slug for a in registry() if a.type == "Metropolitan" and a.current_in(Year.parse("2022-23"))}
    pages = _council_pages(before, after)
    assert {p.split("/")[1] for p in pages} == boroughs
    assert {p.split("/")[2] for p in pages} == {"2022-23", "2023-24"}
    assert len(pages) == 2 * len(boroughs)
    fresh = builds["folder"] / "fresh-birmingham"
    _rebuild(builds["url"], fresh, demo_settings)
    assert {p: h for p, (_, h) in files(builds["out"]).items()} == {p: h for p, (_, h) in files(fresh).items()}


def test_a_change_the_change_list_cannot_name_asks_everything_again(builds, demo_settings, monkeypatch, tmp_path):
    """A population import says nothing of its reach (rates per head move): every question is asked again, and the
    rebuild is the build from nothing."""
    population = tmp_path / "population.csv"
    population.write_text("authority,year,population\nStevenage,2023-24,88000\n", encoding="utf-8")
    import_files(open_database(builds["url"]), [population], scheme=LGSCO)
    asked = _asked_in(monkeypatch)
    report = _rebuild(builds["url"], builds["out"], demo_settings)
    names = {json.loads(key)[0] for key in asked}
    assert {"all_decisions", "years_of", "record", "year_statistics"} <= names
    assert report.reused < items(builds["folder"])
    fresh = builds["folder"] / "fresh-population"
    _rebuild(builds["url"], fresh, demo_settings)
    assert {p: h for p, (_, h) in files(builds["out"]).items()} == {p: h for p, (_, h) in files(fresh).items()}


def test_a_profile_change_makes_everything_again(builds, demo_settings):
    changed = dataclasses.replace(demo_settings, profile=dataclasses.replace(
        demo_settings.profile, name="Another Complaints Ombudsman"))
    report = _rebuild(builds["url"], builds["out"], changed)
    assert report.reused == 0
    page = (builds["out"] / "councils" / STEVENAGE / "2023-24" / "index.html").read_text(encoding="utf-8")
    assert "Another Complaints Ombudsman" in page


def test_a_rebuild_interrupted_part_way_is_repaired_by_the_next(builds, demo_settings, monkeypatch, tmp_path):
    """An update in place that stops part-way (here the 30th file it writes fails after its rename, as a kill would
    stop it) leaves some files replaced and the previous build's manifest; a killed build may also leave a temporary
    file, and a page the data no longer has may lie in the folder. The next build's folder is a build from nothing's,
    byte for byte, with no file more or less."""
    _rebuild(builds["url"], builds["out"], demo_settings)  # in the settings' profile again (the test before's isn't)
    late = Cases(tmp_path, "M")
    late.decided("Stevenage", "2022-11-01", {"Upheld": 4})
    late.decided("Hertfordshire", "2023-12-01", {"Not Upheld": 2})
    import_files(open_database(builds["url"]), late.files(), scheme=LGSCO)
    out, manifest = builds["out"], builds["folder"] / ".site.build.msgpack"
    before, written = files(out), manifest.read_bytes()
    record, calls = build.file_record, []

    def stopping(*args):
        calls.append(args)
        if len(calls) == 30:
            raise KeyboardInterrupt
        return record(*args)
    monkeypatch.setattr(build, "file_record", stopping)
    with pytest.raises(KeyboardInterrupt):
        _rebuild(builds["url"], out, demo_settings)
    monkeypatch.undo()
    stopped = files(out)
    assert manifest.read_bytes() == written
    assert len([p for p in before if stopped[p] != before[p]]) == 30  # replaced by the build that stopped
    page = out / "councils" / STEVENAGE / "2022-23" / "index.html"
    (page.parent / ".index.html.tmp-999999").write_bytes(b"half a page")
    (out / "councils" / "gone-council" / "2023-24").mkdir(parents=True)
    (out / "councils" / "gone-council" / "2023-24" / "index.html").write_bytes(b"<html>a page of old data</html>")
    repaired = _rebuild(builds["url"], out, demo_settings)
    fresh = builds["folder"] / "fresh-interrupted"
    _rebuild(builds["url"], fresh, demo_settings)
    assert {p: h for p, (_, h) in files(out).items()} == {p: h for p, (_, h) in files(fresh).items()}
    assert not (out / "councils" / "gone-council").exists()
    assert 0 < repaired.reused < items(builds["folder"])


# The build machinery's parts, each on its own.

def _as_json(name: str, args: tuple, kwargs: dict) -> str:
    """A question as `json.dumps` writes it: what `fact_key` must give, character for character."""
    def encoded(value):
        if isinstance(value, incremental.Authority):
            return ["a", value.code]
        if isinstance(value, Year):
            return ["y", value.label]
        if isinstance(value, list):
            return ["l", [encoded(v) for v in value]]
        return ["v", value]
    return json.dumps([name, [encoded(a) for a in args], {k: encoded(v) for k, v in kwargs.items()}],
                      separators=(",", ":"), sort_keys=True)


def test_a_question_is_written_as_its_json():
    stevenage = registry().by_code["E07000243"]
    assert incremental.fact_key("all_decisions", (stevenage, Year(2024)), {}) == \
        '["all_decisions",[["a","E07000243"],["y","2024-25"]],{}]'
    assert incremental.fact_key("x:y", ('q"\\é\t', None, True, -3, [Year(2017), "s"]), {"z": 1, "a": [False]}) == \
        '["x:y",[["v","q\\"\\\\\\u00e9\\t"],["v",null],["v",true],["v",-3],["l",[["y","2017-18"],["v","s"]]]],' \
        '{"a":["l",[["v",false]]],"z":["v",1]}]'
    assert incremental.fact_key("record", (1.5,), {}) is None
    assert incremental.fact_key("record", ([stevenage, {"a": 1}],), {}) is None
    assert incremental.fact_key("record", (), {"year": object()}) is None


@given(st.text(max_size=12), st.lists(st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8),
                                                 st.builds(Year, st.integers(1990, 2090)),
                                                 st.lists(st.text(max_size=4), max_size=3)), max_size=4),
       st.dictionaries(st.text(max_size=6), st.one_of(st.integers(), st.text(max_size=6)), max_size=3))
@settings(max_examples=300, deadline=None)
def test_every_question_is_written_as_json_dumps_writes_it(name, args, kwargs):
    assert incremental.fact_key(name, tuple(args), kwargs) == _as_json(name, tuple(args), kwargs)


def test_an_answer_is_digested_by_its_canonical_form():
    assert incremental.digest({"b": 1, "a": {2, 1}}) == incremental.digest({"a": {1, 2}, "b": 1})
    assert incremental.digest([1, 2]) == incremental.digest((1, 2)) != incremental.digest([2, 1])
    assert incremental.digest(1.0) != incremental.digest(1) != incremental.digest("1")
    # the blake2b of the canonical form's MessagePack: the same in every process
    assert incremental.digest({"a": [Year(2024), None]}) == hashlib.blake2b(
        msgpack.packb([["a", [["year", "2024-25"], None]]]), digest_size=16).hexdigest()
    assert incremental.digest(2 ** 70) == hashlib.blake2b(b"1180591620717411303424", digest_size=16).hexdigest()
    assert incremental.digest(object()) == incremental.OPAQUE


def test_the_manifest_reads_back_as_written_and_a_damaged_one_as_none(tmp_path):
    out = tmp_path / "site"
    out.mkdir()
    entries = {'["council",{"slug":"s"}]': {"facts": {'["years",[],{}]': "d1", '["year",[["v","2024-25"]],{}]': "d2"},
                                            "outputs": {"councils/s/index.html": ["ab" * 32, 10, 1796462175820200911,
                                                                                  2745865]},
                                            "tally": [1, 0, 0]},
               "openapi document": {"facts": {'["years",[],{}]': "d1"}, "outputs": {}, "tally": [0, 0, 1],
                                    "fingerprint": None}}
    state = incremental.DataState("token", 7, "2026-12-05", ("2023-24", "2024-25"), ("2024-25",))
    inner = {'["m:f",[],{}]': ['["years",[],{}]'], '["m:g",[],{}]': []}
    written = incremental.write_manifest(out, "digest", entries, state, inner)
    written.replace(incremental.manifest_path(out))
    assert incremental.manifest_path(out) == tmp_path / ".site.build.msgpack"
    read = incremental.Manifest.read(out, "digest")
    assert (read.items, read.state, read.inner) == (entries, state, {})  # no item asked a derived fact
    assert incremental.Manifest.read(out, "another build").state is None
    incremental.manifest_path(out).write_bytes(incremental.manifest_path(out).read_bytes()[:-20])
    assert incremental.Manifest.read(out, "digest") == incremental.Manifest(out, "digest")


def test_the_files_a_build_does_not_name_are_deleted_and_the_folders_left_empty(tmp_path):
    for path in ("a/keep.html", "a/b/gone.html", "f/.index.html.tmp-1", "d/e/gone.json", "g/h/keep.json"):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(b"x")
    (tmp_path / "c").mkdir()
    (tmp_path / "d" / "empty").mkdir()
    listed = build._Listing(tmp_path).result()
    assert sorted(listed[0]) == ["a/b/gone.html", "a/keep.html", "d/e/gone.json", "f/.index.html.tmp-1",
                                 "g/h/keep.json"]
    assert listed[1].index("a") < listed[1].index("a/b") and listed[1].index("d") < listed[1].index("d/e")
    (tmp_path / "d" / "e" / "gone.json").unlink()  # gone since it was listed (a temporary file renamed)
    build._delete_unnamed(tmp_path, {"a/keep.html", "g/h/keep.json"}, *listed)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == [
        "a", "a/keep.html", "g", "g/h", "g/h/keep.json"]


def test_a_file_written_in_place_is_recorded_as_a_fresh_look_at_it_finds_it(tmp_path, monkeypatch):
    monkeypatch.setitem(build._worker, "in_place", True)
    body = b"<html>a page</html>"
    record = build._write(tmp_path, "councils/s/index.html", body)
    path = tmp_path / "councils" / "s" / "index.html"
    assert path.read_bytes() == body and [p.name for p in path.parent.iterdir()] == ["index.html"]
    assert record == incremental.file_record(path, hashlib.sha256(body).hexdigest())
    monkeypatch.setitem(build._worker, "in_place", False)
    assert build._write(tmp_path, "other.html", body) == incremental.file_record(
        tmp_path / "other.html", hashlib.sha256(body).hexdigest())


def test_whole_years_are_read_only_for_many_items():
    few = build._tasks(incremental.Reach(None), [(0, {"n": n}, None) for n in range(100)], 2, None)
    many = build._tasks(incremental.Reach(None), [(0, {"n": n}, None) for n in range(build.WHOLE_YEARS)], 2, None)
    assert {chunk.whole_years for chunk in few} == {False} and {chunk.whole_years for chunk in many} == {True}
    assert sum(len(chunk.items) for chunk in many) == build.WHOLE_YEARS


class _Site:
    """Site data that counts the questions asked of it."""

    def __init__(self):
        self.asked: list[str] = []

    def years(self) -> list[Year]:
        self.asked.append("years")
        return [Year(2023), Year(2024)]


@incremental.fact
def _year_count(site) -> int:
    return len(site.years())


def test_a_derived_fact_asked_by_several_pages_is_worked_out_once_a_process():
    site = _Site()
    facts = incremental.Facts(site)
    pages = [incremental.Recorder(facts) for _ in range(3)]
    assert [_year_count(page) for page in pages] == [2, 2, 2]
    assert site.asked == ["years"]
    key = f'["{__name__}:_year_count",[],{{}}]'
    assert [page.facts for page in pages] == [{key: incremental.digest(2)}] * 3
    assert facts.inner == {key: ['["years",[],{}]']}
    assert _year_count(site) == 2 and site.asked == ["years", "years"]  # outside a build, asked each time

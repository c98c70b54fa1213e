"""Search that finds the right council: exact names and known short forms first, existing councils before abolished
ones (with their successors), several candidates listed when unsure, close spellings suggested; the A to Z by the
name people use. Live (the server answers) through the app; the browser's ranking is checked in
tests/e2e/test_search_browser.py against the same cases."""

from __future__ import annotations

import re

import pytest

from builders import Cases, live_client

ABOLISHED = ("South Bucks", "Northampton", "Northamptonshire", "Buckinghamshire County", "East Northamptonshire")
EXISTING = ("Hertfordshire", "Hertsmere", "North Hertfordshire", "Stevenage", "Buckinghamshire",
            "West Northamptonshire", "North Northamptonshire", "E08000021", "Newcastle-under-Lyme",
            "E47000011", "Camden", "Cambridge")

# query → (redirect target, or the listed names in order with their notes)
CASES = {
    "Herts": "/councils/hertfordshire-county-council/2023-24/",
    "herts": "/councils/hertfordshire-county-council/2023-24/",
    "North Herts": "/councils/north-hertfordshire-district-council/2023-24/",
    "Bucks": "/councils/buckinghamshire-council/2023-24/",
    "Stevenage": "/councils/stevenage-borough-council/2023-24/",
    "Northampton": [
        "West Northamptonshire Council",
        "Northampton Borough Council (abolished 1 April 2021; now West Northamptonshire Council)",
        "North Northamptonshire Council",
        "Northamptonshire County Council (abolished 1 April 2021; now North Northamptonshire Council and West "
        "Northamptonshire Council)",
        "East Northamptonshire Council (abolished 1 April 2021; now North Northamptonshire Council)",
    ],
    "Newcastle": ["Newcastle-under-Lyme Borough Council", "Newcastle City Council",
                  "North of Tyne Combined Authority"],
}


def ranking_cases(folder) -> Cases:
    """Each council with figures in the year it last existed in: the abolished ones in 2019-20, others in 2023-24."""
    cases = Cases(folder, "R")
    for name in ABOLISHED:
        cases.decided(name, "2019-10-01", {"Upheld": 1})
    for name in EXISTING:
        cases.decided(name, "2023-10-01", {"Upheld": 1})
    return cases


@pytest.fixture(scope="module")
def client(demo_settings, tmp_path_factory):
    folder = tmp_path_factory.mktemp("ranking")
    with live_client(folder, ranking_cases(folder), demo_settings) as client:
        yield client


def listed(html: str) -> list[str]:
    """The result list as read: each link's text and its note."""
    block = html.split('id="search-results"')[1].split("</div>")[0]
    items = re.findall(r"<li><a [^>]*>([^<]*)</a>(?: <span [^>]*>([^<]*)</span>)?</li>", block)
    return [f"{name} {note}".strip().replace("&amp;", "&") for name, note in items]


@pytest.mark.parametrize("query", list(CASES))
def test_the_right_council_or_a_ranked_list(client, query):
    answer = client.get("/search/", params={"q": query}, follow_redirects=False)
    expected = CASES[query]
    if isinstance(expected, str):
        assert (answer.status_code, answer.headers.get("location")) == (307, expected)
    else:
        assert answer.status_code == 200
        assert listed(answer.text)[:len(expected)] == expected
        assert f"councils match “{query}”, the closest first." in answer.text


def test_close_spellings_are_suggested(client):
    answer = client.get("/search/", params={"q": "stevnage"}, follow_redirects=False)
    assert answer.status_code == 200 and "No council matches “stevnage”." in answer.text
    assert "Did you mean:" in answer.text and listed(answer.text) == ["Stevenage Borough Council"]


def test_the_names_index_carries_the_ranking(client):
    entries = {e["code"]: e for e in client.get("/search/names.json").json()}
    northampton = entries["E07000154"]
    assert northampton["main"] == ["northampton borough council", "northampton"]
    assert northampton["existing"] is False and northampton["successors"] == ["E06000062"]
    assert northampton["note"] == "abolished 1 April 2021; now West Northamptonshire Council"
    assert entries["E10000015"]["main"] == ["hertfordshire county council", "hertfordshire", "herts county council",
                                            "herts"]
    assert "north herts" in entries["E07000099"]["main"]
    assert entries["E10000015"]["note"] is None and entries["E47000011"]["other_body"] is True


def test_the_a_to_z_sorts_by_the_name_people_use(client):
    page = client.get("/councils/").text
    names = re.findall(r'<li><a class="govuk-link" href="[^"]*">([^<]*)</a>', page)
    assert names.index("Cambridge City Council") < names.index("London Borough of Camden") < names.index(
        "Hertfordshire County Council")
    c_section = page.split('id="letter-C"')[1].split('<h2 ')[0]
    assert "London Borough of Camden" in c_section
    l_section = page.split('id="letter-L"')[1].split('<h2 ')[0]
    assert "London Borough of Camden" not in l_section and "London Borough of Lambeth" in l_section

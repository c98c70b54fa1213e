"""Round trip: ombuds' own letters, rendered for a sample of demo authorities in every edition, parsed back, say
exactly what `ombuds stats` says, as each edition shows it. (`make bench` does every authority.)"""

from __future__ import annotations

import json

import pytest

from conftest import LGSCO, demo, demo_database, shipped_edition, snapshot
from ombuds.ingest.published import import_published
from ombuds.letters.batch import letter_jobs, render_letters
from ombuds.parse import parse_document, parse_files
from ombuds.parse.documents import PUBLISHED
from ombuds.parse.roundtrip import differences, shown
from ombuds.stats import statistics_service, year_statistics, years_held
from ombuds.store import open_database
from ombuds.years import Year
from test_parse import EXAMPLES, SEEDS


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    with demo_database(tmp_path_factory.mktemp("roundtrip"), seed=11) as (_, database):
        yield database


def test_every_edition_round_trips_through_pdf_and_html(demo_db, tmp_path):
    checked = zeros = 0
    for year in years_held(demo_db, LGSCO):
        edition = shipped_edition(year)
        records = year_statistics(demo_db, LGSCO, year)
        nothing = [next((s for s in records if not s.dealt_with), None),  # said in plain words, read back
                   next((s for s in records if s.dealt_with and not s.investigated), None)]
        sample = {s.authority.code: s for s in [*records[::45], *filter(None, nothing)]}
        for output_format in ("pdf", "html"):
            jobs = [j for j in letter_jobs(demo_db, year, edition, tmp_path / year.label, output_format,
                                            profile=demo().profile, scheme=LGSCO)
                    if j.authority.code in sample]
            for written in render_letters(jobs, workers=1):
                parsed = parse_document(written.path)
                s = sample[written.authority.code]
                assert parsed["edition"] == edition.layout
                assert differences(parsed, shown(s, edition.layout)) == [], written.path
                assert parsed["letter"]["salutation"].startswith("Dear ")
                checked += 1
                zeros += not s.investigated
    assert checked >= 8 * 2 * 7 and zeros >= 8 * 2


def test_published_figures_bootstrap_years_without_case_records(demo_db, tmp_path):
    results = parse_files([*sorted(SEEDS.iterdir()), *sorted(EXAMPLES.iterdir())])
    before = snapshot(demo_db)
    report = import_published(demo_db, results.documents, PUBLISHED)
    assert snapshot(demo_db) == before  # case-level tables untouched
    assert len(report.imported) == 0 and len(report.skipped) == 8  # the demo holds case records for 2017-25
    empty = open_database(f"sqlite:///{tmp_path / 'history.db'}")
    report = import_published(empty, results.documents, PUBLISHED)
    assert len(report.imported) == 8
    published = statistics_service(empty, LGSCO).year(Year.parse("2018-19"))
    assert published.published
    [stevenage] = [r.to_json() for r in published.records]
    assert stevenage["from"] == "published letter"
    assert stevenage["source"].endswith("000_6c9469a8adbda29b.txt")
    assert stevenage["received"]["total"] == 10 and stevenage["uphold_rate"] == 0.0
    again = import_published(empty, results.documents, PUBLISHED)  # the same documents again replace, never duplicate
    assert len(again.imported) == 8
    assert len(statistics_service(empty, LGSCO).year(Year.parse("2019-20")).records) == 3
    assert json.dumps([r.to_json() for r in statistics_service(empty, LGSCO).year(Year.parse("2024-25")).records])
    assert statistics_service(empty, LGSCO).years() == [Year(2017), Year(2018), Year(2019), Year(2022), Year(2023),
                                                        Year(2024)]
    assert not statistics_service(demo_db, LGSCO).year(Year.parse("2018-19")).published

"""The statistics service: a year computed once per data version and reused; published-only years served alike."""

from __future__ import annotations

import pytest

from builders import Cases
from conftest import LGSCO, registry
from ombuds.errors import OmbudsError
from ombuds.ingest import import_files
from ombuds.ingest.published import import_published
from ombuds.parse.documents import PUBLISHED
from ombuds.stats import statistics_service
from ombuds.stats.record import StatisticsRecord
from ombuds.store import open_database
from ombuds.store.queries import data_version
from ombuds.years import Year

Y = Year.parse("2019-20")


def _import(db, tmp_path, prefix: str, upheld: int) -> None:
    cases = Cases(tmp_path / prefix, prefix)
    (tmp_path / prefix).mkdir()
    cases.decided("Stevenage", "2019-10-01", {"Upheld": upheld, "Not Upheld": 1})
    import_files(db, cases.files(), scheme=LGSCO)


def test_a_year_is_computed_once_and_recomputed_after_an_import(db, tmp_path):
    _import(db, tmp_path, "A", 1)
    service = statistics_service(db, LGSCO)
    first = service.year(Y)
    assert service.year(Y) is first  # the same object: nothing re-read
    assert statistics_service(db, LGSCO) is service
    assert first.get("E07000243").upheld == 1
    before = service.data_version()
    _import(db, tmp_path, "B", 2)
    assert service.data_version() == before + 1
    second = service.year(Y)
    assert second is not first and second.get("E07000243").upheld == 3
    assert service.year(Y, "mean") is not second and service.year(Y, "mean").method == "mean"


def test_unchanged_reimport_and_failed_import_keep_the_cache(db, tmp_path):
    cases = Cases(tmp_path, "A")
    cases.decided("Stevenage", "2019-10-01", {"Upheld": 1})
    files = cases.files()
    import_files(db, files, scheme=LGSCO)
    service = statistics_service(db, LGSCO)
    first = service.year(Y)
    import_files(db, files, scheme=LGSCO)  # nothing new: the data version stays
    assert service.year(Y) is first


def test_migration_bumps_the_data_version(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.db'}"
    old = open_database(url, migrate=False)
    old.migrate("0006")
    with old.read() as connection:
        at_0006 = data_version(connection)
    old.close()
    assert at_0006 == 2  # created at 1, bumped by the migration that made it


def test_every_record_is_the_typed_spec_object(db, tmp_path):
    _import(db, tmp_path, "A", 1)
    record = statistics_service(db, LGSCO).authority(Y, registry().get("E07000243"))
    assert isinstance(record, StatisticsRecord)
    assert record.to_json()["decided"] == {"Incomplete or Invalid": 0, "Advice Given": 0,
                                           "Referred back for Local Resolution": 0,
                                           "Closed After Initial Enquiries": 0, "Not Upheld": 1, "Upheld": 1,
                                           "total": 2}
    assert record.uphold_rate == 0.5 and record.average.method == "pooled"
    for built in statistics_service(db, LGSCO).year(Y).records:  # built without validation: each one must pass it
        assert StatisticsRecord.model_validate(built.model_dump()).to_json() == built.to_json()


def test_published_only_years_are_listed_and_served(db, tmp_path):
    _import(db, tmp_path, "A", 1)
    document = {
        "authority": {"code": "E07000243", "name": "Stevenage Borough Council", "type": "District"},
        "year": "2018-19", "received": {"Housing": 4, "total": 10}, "decided": {"Upheld": 1, "total": 12},
        "investigated": 2, "upheld": 1, "uphold_rate": 0.5, "satisfactory_remedies": 0,
        "satisfactory_remedy_rate": 0.0, "remedied_by_ombudsman": None,
        "compliance": {"recorded": 0}, "compliance_rate": None, "population": None, "upheld_per_100k": None,
        "average": {}, "overview": None, "source": "letter.pdf", "edition": "appendix-2018-19", "letter": None,
        "from": "published letter",
    }
    import_published(db, [document], PUBLISHED)  # as `parse --import` stores it: counts keyed by label id
    service = statistics_service(db, LGSCO)
    assert service.years() == [Year(2018), Y]
    assert service.case_years() == [Y]
    held = service.year(Year(2018))
    assert held.published and held.get("E07000243").to_json()["from"] == "published letter"
    assert (held.get("E07000243").to_json()["received"], held.get("E07000243").to_json()["decided"]) == (
        {"Housing": 4, "total": 10}, {"Upheld": 1, "total": 12})  # stored by id, read back in the scheme's words
    assert [r.authority.code for r in service.history("E07000243")] == ["E07000243", "E07000243"]
    with pytest.raises(OmbudsError, match=r"no figures for 2016-17: the database holds figures for 2018-19, 2019-20"):
        service.year(Year(2016))


def test_read_only_database_refuses_writes_and_is_never_created(tmp_path):
    with pytest.raises(OmbudsError, match="no database at"):
        open_database(f"sqlite:///{tmp_path / 'absent.db'}", read_only=True)
    assert not (tmp_path / "absent.db").exists()
    url = f"sqlite:///{tmp_path / 'ro.db'}"
    open_database(url).close()
    ro = open_database(url, read_only=True)
    assert statistics_service(ro, LGSCO).years() == []
    with pytest.raises(OmbudsError, match="the database: attempt to write a readonly database"), \
            ro.transaction() as connection:
        connection.exec_driver_sql("UPDATE data_version SET version = 9")

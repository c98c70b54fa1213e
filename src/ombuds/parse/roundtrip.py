"""What a document of a given layout shows of an authority's statistics, read back as `parse` would read it.

Used to prove that ombuds' own letters say what its data says: render, parse, compare with this.
"""

from __future__ import annotations

from ombuds.labels import ASSESSED_AND_CLOSED_IDS, UPHELD_ID
from ombuds.parse.documents import PUBLISHED, PUBLISHED_SCHEME, _decimal, _rate, empty_figures
from ombuds.stats import format as fmt
from ombuds.stats import layouts
from ombuds.stats.record import StatisticsRecord


def shown(s: StatisticsRecord, layout_id: str) -> dict:
    """The SPEC 2.3 figures as the layout displays them: rounded as shown, unshown figures None."""
    layout = layouts.layout(layout_id, PUBLISHED_SCHEME)
    d = s.to_json()
    figures = empty_figures()
    figures["authority"], figures["year"] = d["authority"], d["year"]

    def rate(name: str) -> float | None:
        return _rate(layout.rate(s, name))

    def average(name: str) -> float | None:
        return _rate(fmt.average(getattr(s.average, name)))

    if layout.id in (layouts.APPENDIX_2017, layouts.APPENDIX_2018):
        figures.update(received=d["received"], decided=d["decided"], investigated=d["investigated"],
                       upheld=d["upheld"], uphold_rate=rate("uphold_rate"),
                       satisfactory_remedies=d["satisfactory_remedies"])
        if layout.id == layouts.APPENDIX_2017:
            figures["remedied_by_ombudsman"] = d["remedied_by_ombudsman"]
        else:
            figures.update(satisfactory_remedy_rate=rate("satisfactory_remedy_rate"), compliance=d["compliance"],
                           compliance_rate=rate("compliance_rate"))
        return figures
    def panel_rate(name: str, base: int) -> float | None:
        """A panel shows no rate where its base is zero (it says so in words instead)."""
        return rate(name) if base else None

    figures.update(investigated=d["investigated"], upheld=d["upheld"],
                   uphold_rate=panel_rate("uphold_rate", s.investigated),
                   satisfactory_remedies=d["satisfactory_remedies"],
                   satisfactory_remedy_rate=panel_rate("satisfactory_remedy_rate", s.upheld),
                   compliance_rate=panel_rate("compliance_rate", s.compliance.recorded))
    figures["decided"][PUBLISHED.outcome(UPHELD_ID)] = d["upheld"]
    figures["compliance"]["recorded"] = d["compliance"]["recorded"]
    figures["average"].update(uphold_rate=average("uphold_rate"), compliance_rate=average("compliance_rate"),
                              satisfactory_remedy_rate=average("satisfactory_remedy_rate"))
    if layout.per_100k:
        figures["upheld_per_100k"] = _decimal(fmt.per_100k(s.upheld_per_100k)) if s.population else None
        figures["average"]["upheld_per_100k"] = _decimal(fmt.per_100k(s.average.upheld_per_100k))
    if layout.overview:
        figures["overview"] = {"dealt_with": s.dealt_with, "not_for_us": s.not_for_us(PUBLISHED),
                               "assessed_and_closed": s.assessed_and_closed(PUBLISHED), "investigated": s.investigated}
        figures["decided"]["total"] = s.dealt_with
        figures["decided"][PUBLISHED.outcome(ASSESSED_AND_CLOSED_IDS[0])] = s.assessed_and_closed(PUBLISHED)
    return figures


def differences(parsed: dict, expected: dict, path: str = "") -> list[str]:
    """Every figure where the parsed document and the expectation differ, as `path: parsed != expected`."""
    found = []
    for key, want in expected.items():
        got = parsed.get(key)
        where = f"{path}{key}"
        if isinstance(want, dict) and isinstance(got, dict):
            found += differences(got, want, where + ".")
        elif got != want:
            found.append(f"{where}: {got!r} != {want!r}")
    return found

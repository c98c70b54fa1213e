"""Map classes from the year's figures: the largest class as small as the ties allow, darker meaning more fault,
small bases left uncoloured."""

from __future__ import annotations

from types import SimpleNamespace

from ombuds.stats.bands import banding, cut


def test_cut_keeps_the_largest_class_as_small_as_it_can():
    assert cut((1, 1, 1, 1, 1, 1, 1, 1, 1, 1)) == (0, 2, 4, 6, 8)
    assert cut((5, 1, 1, 1)) == (0, 1, 2, 3)
    assert cut((2, 2)) == (0, 1)
    assert cut(()) == ()


def _record(upheld: int, investigated: int, recorded: int = 0, complied: int = 0):
    compliance = SimpleNamespace(on_time=complied, late=0, recorded=recorded)
    return SimpleNamespace(upheld=upheld, investigated=investigated, satisfactory_remedies=0,
                           compliance=compliance, uphold_rate=upheld / investigated if investigated else None,
                           compliance_rate=complied / recorded if recorded else None)


def test_uphold_classes_from_the_distribution_with_small_bases_apart():
    records = {f"C{i}": _record(10 + i, 30) for i in range(15)}
    records |= {"FEW": _record(1, 1), "NONE": _record(0, 0)}
    b = banding("uphold_rate", records)
    assert [(x.label, x.count) for x in b.legend] == [
        ("33% to 40%", 3), ("43% to 50%", 3), ("53% to 60%", 3), ("63% to 70%", 3), ("73% to 80%", 3),
        ("Fewer than 10 cases: too few to colour (marked with a dot)", 1), ("No figure", 1)]
    assert b.of("C0").css_class == "band-1" and b.of("C14").css_class == "band-5"
    assert b.of("FEW").css_class == "band-few" and b.of("FEW").shown == "100%"
    assert b.of("NONE").css_class == "band-none"


def test_lower_compliance_is_darker():
    records = {"ALL": _record(0, 0, 20, 20), "MOST": _record(0, 0, 20, 18), "HALF": _record(0, 0, 20, 10)}
    b = banding("compliance_rate", records)
    assert [b.of(c).css_class for c in ("ALL", "MOST", "HALF")] == ["band-1", "band-2", "band-3"]
    assert [x.label for x in b.legend] == ["100%", "90%", "50%", "No figure"]

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
    assert [b.of(c).css_class for c in ("ALL", "MOST", "HALF")] == ["band-1", "band-4", "band-5"]
    assert [x.label for x in b.legend] == ["All recommendations complied with", "90%", "50%", "No figure"]


def test_councils_that_complied_with_everything_are_a_class_of_their_own():
    """With most councils at 100% no cut keeps a class to a third: the councils that complied with every
    recommendation are class 1, named in words, and the others are cut among themselves into classes 2 to 5."""
    records = {f"ALL{i}": _record(0, 0, 20, 20) for i in range(30)}
    records |= {f"P{i}": _record(0, 0, 20, 19 - i) for i in range(8)}  # 95%, 90%, ... 60%
    records |= {"ROUNDS": _record(0, 0, 400, 399), "FEW": _record(0, 0, 2, 1)}
    b = banding("compliance_rate", records)
    assert [(x.css_class, x.label, x.count) for x in b.legend] == [
        ("band-1", "All recommendations complied with", 30), ("band-2", "just under 100%", 1),
        ("band-3", "90% to 95%", 2), ("band-4", "75% to 85%", 3), ("band-5", "60% to 70%", 3),
        ("band-few", "Fewer than 10 cases: too few to colour (marked with a dot)", 1), ("band-none", "No figure", 0)]
    assert b.all_complied == 30 and b.coloured == 39
    assert b.of("ALL0").css_class == "band-1" and b.of("ROUNDS").css_class == "band-2"
    assert b.of("P7").css_class == "band-5" and b.of("FEW").css_class == "band-few"
    assert banding("uphold_rate", records).all_complied is None


def test_the_few_councils_below_full_compliance_take_the_darkest_classes():
    records = {f"ALL{i}": _record(0, 0, 20, 20) for i in range(30)}
    records |= {"MOST": _record(0, 0, 20, 19), "HALF": _record(0, 0, 20, 10)}
    b = banding("compliance_rate", records)
    assert [(x.css_class, x.label, x.count) for x in b.legend] == [
        ("band-1", "All recommendations complied with", 30), ("band-4", "95%", 1), ("band-5", "50%", 1),
        ("band-none", "No figure", 0)]

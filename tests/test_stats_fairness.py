"""Fair comparison statistics, checked against values worked out independently here (by hand or written out again)."""

from __future__ import annotations

import math
from fractions import Fraction
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binom, chi2, norm

from ombuds.stats.fairness import (
    INNER,
    OUTER,
    ChangeTest,
    FunnelPoint,
    Overdispersion,
    binomial_limits,
    change_test,
    classify,
    funnel_curve,
    funnel_limits,
    overdispersion,
    reliable,
    wilson_interval,
)

TIGHT = 1e-12

# Twenty councils (upheld, decided), counted by hand to be over-dispersed: one very low (30/100) and one very high
# (142/150) council, and a spread of rates around the pooled average 765/1136.
COUNCILS = [(2, 2), (5, 12), (9, 15), (14, 20), (10, 24), (20, 30), (22, 35), (25, 40), (21, 44), (38, 50),
            (33, 55), (40, 60), (36, 64), (55, 70), (50, 75), (48, 80), (70, 90), (30, 100), (95, 120), (142, 150)]
POOLED = 765 / 1136


# Wilson --------------------------------------------------------------------------------------------------------------

def wilson_by_quadratic(k: int, n: int, confidence: float) -> tuple[float, float]:
    """The interval's ends are the roots in p of (k/n − p)² = z² p(1 − p)/n."""
    z = norm.ppf(0.5 + confidence / 2)
    phat = k / n
    a, b, c = 1 + z * z / n, -(2 * phat + z * z / n), phat * phat
    root = math.sqrt(b * b - 4 * a * c)
    return (-b - root) / (2 * a), (-b + root) / (2 * a)


@pytest.mark.parametrize(("k", "n", "published"), [
    (0, 1, (0.0, 0.7935)),
    (1, 1, (0.2065, 1.0)),
    (2, 2, (0.3424, 1.0)),
    (16, 20, (0.5840, 0.9193)),
    (0, 10, (0.0, 0.2775)),
    (4500, 10000, (0.4403, 0.4598)),
])
def test_wilson_known_values(k, n, published):
    interval = wilson_interval(k, n)
    assert interval == pytest.approx(published, abs=5e-5)
    assert interval == pytest.approx(wilson_by_quadratic(k, n, 0.95), rel=TIGHT, abs=TIGHT)


def test_wilson_two_of_two_to_full_precision():
    z = norm.ppf(0.975)
    lower = (1 + z * z / 4 - z * math.sqrt(z * z / 16)) / (1 + z * z / 2)
    assert lower == pytest.approx(0.342380227506653, rel=1e-12)
    assert wilson_interval(2, 2) == pytest.approx((lower, 1.0), rel=TIGHT)


def test_wilson_other_confidence():
    assert wilson_interval(7, 30, 0.99) == pytest.approx(wilson_by_quadratic(7, 30, 0.99), rel=TIGHT)
    assert wilson_interval(7, 30, 0.99)[1] > wilson_interval(7, 30)[1]


def test_wilson_no_trials():
    assert wilson_interval(0, 0) is None


@pytest.mark.parametrize(("k", "n", "confidence"), [(3, 2, 0.95), (-1, 2, 0.95), (1, -2, 0.95), (1, 2, 1.0),
                                                    (1, 2, 0.0)])
def test_wilson_rejects_impossible_arguments(k, n, confidence):
    with pytest.raises(ValueError):
        wilson_interval(k, n, confidence)


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 5000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_brackets_the_proportion(counts):
    k, n = counts
    lower, upper = wilson_interval(k, n)
    assert 0 <= lower <= k / n <= upper <= 1


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 500).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))), st.integers(2, 20))
def test_wilson_narrows_as_numbers_grow(counts, times):
    k, n = counts
    small, large = wilson_interval(k, n), wilson_interval(k * times, n * times)
    assert large[1] - large[0] < small[1] - small[0]


# Exact binomial funnel limits ----------------------------------------------------------------------------------------

def spiegelhalter_limit(p: float, n: int, p0: float) -> float:
    """Spiegelhalter (2005), Appendix, written out again: (r_p − α)/n, clipped to [0, 1]."""
    r = binom.ppf(p, n, p0)
    alpha = (binom.cdf(r, n, p0) - p) / (binom.cdf(r, n, p0) - binom.cdf(r - 1, n, p0))
    return min(1.0, max(0.0, (r - alpha) / n))


@pytest.mark.parametrize(("p0", "n"), [(0.7, 10), (0.7, 50), (0.7, 200), (0.99, 30), (0.45, 2), (0.45, 333)])
@pytest.mark.parametrize(("coverage", "tail"), [(0.95, 0.025), (0.998, 0.001)])
def test_binomial_limits_match_spiegelhalter(p0, n, coverage, tail):
    expected = (spiegelhalter_limit(tail, n, p0), spiegelhalter_limit(1 - tail, n, p0))
    assert binomial_limits(p0, n, coverage) == pytest.approx(expected, rel=1e-10, abs=1e-12)


def test_binomial_limits_by_hand():
    # Binomial(2, 0.45): F(0) = 0.3025, F(1) = 0.7975. Upper 97.5%: r = 2, α = 0.025 / 0.2025, (2 − α)/2 = 76/81.
    # Lower 2.5%: r = 0, α = 0.2775 / 0.3025, (0 − α)/2 < 0, clipped to 0.
    assert binomial_limits(0.45, 2, 0.95) == pytest.approx((0.0, float(Fraction(76, 81))), rel=TIGHT)
    # Upper 99.9%: α = 0.001 / 0.2025, (2 − α)/2 = 1 − 1/405.
    assert binomial_limits(0.45, 2, 0.998)[1] == pytest.approx(1 - 1 / 405, rel=TIGHT)


def test_binomial_limits_p0_99_n_30_by_hand():
    # F(27) = 1 − P(28) − P(29) − P(30), from binomial coefficients; lower 2.5% has r = 28.
    pmf = [math.comb(30, r) * 0.99**r * 0.01 ** (30 - r) for r in range(31)]
    f27, f28 = sum(pmf[:28]), sum(pmf[:29])
    assert f27 < 0.025 <= f28
    expected = (28 - (f28 - 0.025) / (f28 - f27)) / 30
    assert binomial_limits(0.99, 30, 0.95)[0] == pytest.approx(expected, rel=1e-10)
    assert binomial_limits(0.99, 30, 0.95)[0] == pytest.approx(0.92201, abs=5e-6)


def test_limit_never_on_the_wrong_side_of_the_target():
    # p0 = 1/64, n = 1: F(0) = 63/64 ≥ 0.975, so r = 0 and the formula's upper 95% limit is (0 − α)/1 ≤ 0, below
    # the target. 1 of 1 is flagged either way (P(R ≥ 1) = 1/64 ≤ 0.025); 0 of 1 is not.
    assert spiegelhalter_limit(0.975, 1, 1 / 64) == 0.0
    assert binomial_limits(1 / 64, 1, INNER) == (0.0, 1 / 64)
    assert classify(1, 1, 1 / 64) == "above_95"
    assert classify(0, 1, 1 / 64) == "within"


def test_binomial_limits_edges():
    assert binomial_limits(0.45, 0, 0.95) is None
    assert binomial_limits(0.0, 25, 0.95) == (0.0, 0.0)
    assert binomial_limits(1.0, 25, 0.998) == (1.0, 1.0)
    with pytest.raises(ValueError):
        binomial_limits(1.2, 10, 0.95)
    with pytest.raises(ValueError):
        binomial_limits(0.5, 10, 95)
    with pytest.raises(ValueError):
        binomial_limits(0.5, -1, 0.95)


@pytest.mark.parametrize("p0", [0.05, 0.45, 0.7, 0.99])
@pytest.mark.parametrize("coverage", [INNER, OUTER])
def test_funnel_narrows_with_n(p0, coverage):
    """The lower limit never falls as n grows, and the funnel is narrower at 2n than at n (n ≥ 2). The upper limit
    itself has a small saw-tooth from the discreteness (e.g. p0 = 0.7, 95%: n = 31 → 32 rises by 5e-6)."""
    limits = {n: binomial_limits(p0, n, coverage) for n in range(1, 401)}
    lowers = [limits[n][0] for n in range(1, 401)]
    assert lowers == sorted(lowers)
    for n in range(2, 201):
        assert limits[2 * n][1] - limits[2 * n][0] <= limits[n][1] - limits[n][0]


@settings(max_examples=200, deadline=None)
@given(st.floats(0.0, 1.0), st.integers(1, 2000))
def test_limits_bracket_the_target_and_nest(p0, n):
    inner, outer = binomial_limits(p0, n, INNER), binomial_limits(p0, n, OUTER)
    assert 0 <= outer[0] <= inner[0] <= p0 <= inner[1] <= outer[1] <= 1


# Over-dispersion: the worked example, step by step -----------------------------------------------------------------

def test_worked_example_overdispersion():
    assert sum(k for k, _ in COUNCILS) / sum(n for _, n in COUNCILS) == POOLED
    centre = math.asin(math.sqrt(POOLED))
    z = [(math.asin(math.sqrt(k / n)) - centre) / (1 / (2 * math.sqrt(n))) for k, n in COUNCILS]
    assert z[17] == pytest.approx(-7.6571, abs=5e-5)   # 30/100, the low outlier
    assert z[19] == pytest.approx(9.1919, abs=5e-5)    # 142/150, the high outlier
    assert z[0] == pytest.approx(1.7205, abs=5e-5)     # 2/2: 100%, yet only the fifth-highest z-score

    ordered = sorted(z)
    # 10th and 90th percentiles with 20 values: positions 0.1 × 19 = 1.9 and 0.9 × 19 = 17.1 (counting from 0).
    low = ordered[1] + 0.9 * (ordered[2] - ordered[1])
    high = ordered[17] + 0.1 * (ordered[18] - ordered[17])
    assert (low, high) == pytest.approx(tuple(np.quantile(z, [0.1, 0.9])), rel=TIGHT)
    assert (low, high) == pytest.approx((-2.5651, 2.2994), abs=5e-5)
    winsorised = [min(max(v, low), high) for v in z]
    assert sum(v != w for v, w in zip(z, winsorised, strict=True)) == 4   # two pulled in at each end

    phi = sum(w * w for w in winsorised) / 20
    weights = [4 * n for _, n in COUNCILS]   # 1/s² with s = 1/(2√n)
    tau2 = (20 * phi - 19) / (sum(weights) - sum(w * w for w in weights) / sum(weights))
    assert phi == pytest.approx(2.775235861, rel=1e-9)
    assert tau2 == pytest.approx(0.008651417536, rel=1e-9)

    result = overdispersion(COUNCILS, POOLED)
    assert result == Overdispersion(
        phi=pytest.approx(phi, rel=TIGHT), tau2=pytest.approx(tau2, rel=TIGHT), n_units=20, winsorise=0.1,
        statistic=pytest.approx(20 * phi, rel=TIGHT), critical_value=pytest.approx(chi2.ppf(0.95, 19), rel=TIGHT),
        p_value=pytest.approx(chi2.sf(20 * phi, 19), rel=1e-9), overdispersed=True, method=result.method)
    assert result.critical_value == pytest.approx(30.1435, abs=5e-5)
    assert result.statistic == pytest.approx(55.5047, abs=5e-5)


def test_overdispersion_without_winsorising():
    centre = math.asin(math.sqrt(POOLED))
    phi = sum(((math.asin(math.sqrt(k / n)) - centre) * 2 * math.sqrt(n)) ** 2 for k, n in COUNCILS) / 20
    assert overdispersion(COUNCILS, POOLED, winsorise=0).phi == pytest.approx(phi, rel=TIGHT)
    assert phi > overdispersion(COUNCILS, POOLED).phi


def test_overdispersion_leaves_out_zero_denominators():
    assert overdispersion([*COUNCILS, (0, 0)], POOLED) == overdispersion(COUNCILS, POOLED)


def test_no_overdispersion_when_units_agree():
    result = overdispersion([(5, 10), (10, 20), (25, 50), (50, 100)], 0.5)
    assert (result.phi, result.tau2, result.overdispersed) == (0.0, 0.0, False)


def test_mild_variation_is_not_overdispersion():
    # z-scores of about ±1: φ near 1, N·φ well under χ²(N − 1) at 95%, and τ² floored at 0 when N·φ < N − 1.
    units = [(55, 100), (45, 100), (50, 100), (52, 100), (48, 100), (50, 100)]
    result = overdispersion(units, 0.5)
    assert not result.overdispersed
    assert result.statistic < result.n_units - 1
    assert result.tau2 == 0.0


def test_phi_above_one_is_not_enough():
    # Six councils of 100 around 50%: φ ≈ 1.58 > 1, and τ² > 0, but N·φ ≈ 9.47 is below χ²(5) at 95% (11.07),
    # so chance can still explain the spread (p ≈ 0.09) and the exact binomial limits stand.
    units = [(62, 100), (38, 100), (50, 100), (56, 100), (44, 100), (50, 100)]
    result = overdispersion(units, 0.5)
    assert result.phi == pytest.approx(1.578315, abs=5e-7)
    assert result.tau2 > 0
    assert result.critical_value == pytest.approx(chi2.ppf(0.95, 5), rel=TIGHT) == pytest.approx(11.0705, abs=5e-5)
    assert result.p_value == pytest.approx(chi2.sf(6 * result.phi, 5), rel=TIGHT)
    assert not result.overdispersed
    assert funnel_limits(0.5, 100, INNER, result) == binomial_limits(0.5, 100, INNER)


def test_overdispersion_needs_two_units():
    assert overdispersion([(3, 10)], 0.3) is None
    assert overdispersion([(3, 10), (0, 0)], 0.3) is None
    with pytest.raises(ValueError):
        overdispersion(COUNCILS, POOLED, winsorise=0.5)
    with pytest.raises(ValueError):
        overdispersion([(11, 10), (3, 10)], 0.3)


def random_effects_limits(p0: float, n: int, coverage: float, tau2: float) -> tuple[float, float]:
    reach = norm.ppf(0.5 + coverage / 2) * math.sqrt(1 / (4 * n) + tau2)
    centre = math.asin(math.sqrt(p0))
    return (math.sin(max(0.0, centre - reach)) ** 2, math.sin(min(math.pi / 2, centre + reach)) ** 2)


@pytest.mark.parametrize("n", [30, 100, 150, 1000])
@pytest.mark.parametrize("coverage", [INNER, OUTER])
def test_overdispersed_limits(n, coverage):
    dispersion = overdispersion(COUNCILS, POOLED)
    expected = random_effects_limits(POOLED, n, coverage, dispersion.tau2)
    assert funnel_limits(POOLED, n, coverage, dispersion) == pytest.approx(expected, rel=TIGHT)
    assert funnel_limits(POOLED, n, coverage, None) == binomial_limits(POOLED, n, coverage)


def test_overdispersed_limits_at_150_by_value():
    assert funnel_limits(POOLED, 150, OUTER, overdispersion(COUNCILS, POOLED)) == pytest.approx(
        (0.364896, 0.915802), abs=5e-7)


def test_overdispersion_only_widens_the_funnel():
    dispersion = overdispersion(COUNCILS, POOLED)
    for coverage in (INNER, OUTER):
        for n in range(1, 201):
            exact, adjusted = binomial_limits(POOLED, n, coverage), funnel_limits(POOLED, n, coverage, dispersion)
            assert adjusted[0] <= exact[0] and exact[1] <= adjusted[1]
    # At n = 2 the arcsine approximation's upper 95% limit is above 1 before clamping, so the limit is 1.
    assert funnel_limits(POOLED, 2, INNER, dispersion)[1] == 1.0


def test_limits_ignore_dispersion_that_was_not_detected():
    calm = overdispersion([(5, 10), (10, 20), (25, 50)], 0.5)
    assert funnel_limits(0.5, 40, OUTER, calm) == binomial_limits(0.5, 40, OUTER)


# The curve for plotting ----------------------------------------------------------------------------------------------

def test_funnel_curve_every_denominator_when_few():
    curve = funnel_curve(0.45, INNER, 12)
    assert [p.n for p in curve] == list(range(1, 13))
    assert curve[1] == FunnelPoint(2, *binomial_limits(0.45, 2, INNER))


def test_funnel_curve_log_grid():
    dispersion = overdispersion(COUNCILS, POOLED)
    curve = funnel_curve(POOLED, OUTER, 5000, points=50, dispersion=dispersion)
    ns = [p.n for p in curve]
    assert ns[0] == 1 and ns[-1] == 5000 and len(ns) <= 50
    assert ns == sorted(set(ns))
    assert ns[:5] == [1, 2, 3, 4, 5]
    assert all(b / a < 1.25 for a, b in pairwise(ns[10:]))
    assert all((p.lower, p.upper) == funnel_limits(POOLED, p.n, OUTER, dispersion) for p in curve)


def test_funnel_curve_rejects_empty_ranges():
    with pytest.raises(ValueError):
        funnel_curve(0.5, INNER, 0)
    with pytest.raises(ValueError):
        funnel_curve(0.5, INNER, 100, points=1)


# Classification ------------------------------------------------------------------------------------------------------

def tail_probabilities(k: int, n: int, p0: float) -> tuple[Fraction, Fraction]:
    """P(R ≥ k) and P(R ≤ k) in exact rational arithmetic (p0 read as the decimal it was written as)."""
    p = Fraction(str(p0))
    pmf = [math.comb(n, r) * p**r * (1 - p) ** (n - r) for r in range(n + 1)]
    return sum(pmf[k:]), sum(pmf[: k + 1])


def expected_class(k: int, n: int, p0: float) -> str:
    upper_tail, lower_tail = tail_probabilities(k, n, p0)
    for tail, (high, low) in ((Fraction(1, 1000), ("above", "below")), (Fraction(1, 40), ("above_95", "below_95"))):
        if upper_tail <= tail:
            return high
        if lower_tail <= tail:
            return low
    return "within"


def test_small_numbers_do_not_mislead():
    # 2 of 2 happens with probability 0.45² = 0.2025 when the average is 45%, although 100% lies above the smoothed
    # upper 99.8% line (1 − 1/405).
    assert binomial_limits(0.45, 2, OUTER)[1] < 1.0
    assert classify(2, 2, 0.45) == "within"
    assert classify(2, 2, POOLED, overdispersion(COUNCILS, POOLED)) == "within"


def test_large_numbers_do_count():
    assert classify(100, 100, 0.45) == "above"
    assert classify(0, 100, 0.45) == "below"
    assert classify(56, 100, 0.45) == "above_95"
    assert classify(34, 100, 0.45) == "below_95"
    assert classify(45, 100, 0.45) == "within"


def test_no_denominator():
    assert classify(0, 0, 0.45) is None
    assert classify(0, 0, 0.45, overdispersion(COUNCILS, POOLED)) is None


@pytest.mark.parametrize("p0", [0.45, 0.7, 0.93])
def test_classification_matches_exact_tail_probabilities(p0):
    for n in range(1, 31):
        for k in range(n + 1):
            assert classify(k, n, p0) == expected_class(k, n, p0), (k, n)


@pytest.mark.parametrize("p0", [0.45, 0.7, 0.93])
def test_flagged_units_lie_beyond_the_drawn_limits(p0):
    """Flagged below ⇔ strictly below the drawn lower limit; flagged above ⇒ strictly above the drawn upper limit."""
    for n in range(1, 41):
        inner, outer = binomial_limits(p0, n, INNER), binomial_limits(p0, n, OUTER)
        for k in range(n + 1):
            found = classify(k, n, p0)
            assert (found == "below") == (k / n < outer[0])
            assert (found in ("below", "below_95")) == (k / n < inner[0])
            if found == "above":
                assert k / n > outer[1]
            if found in ("above", "above_95"):
                assert k / n > inner[1]


def test_targets_of_nothing_and_everything():
    assert classify(0, 10, 0.0) == "within"
    assert classify(1, 10, 0.0) == "above"
    assert classify(10, 10, 1.0) == "within"
    assert classify(9, 10, 1.0) == "below"


def test_worked_example_classes():
    dispersion = overdispersion(COUNCILS, POOLED)
    plain = {unit: classify(*unit, POOLED) for unit in COUNCILS}
    adjusted = {unit: classify(*unit, POOLED, dispersion) for unit in COUNCILS}
    assert {u: c for u, c in plain.items() if c != "within"} == {
        (10, 24): "below_95", (21, 44): "below_95", (70, 90): "above_95", (30, 100): "below",
        (95, 120): "above_95", (142, 150): "above"}
    assert {u: c for u, c in adjusted.items() if c != "within"} == {(30, 100): "below", (142, 150): "above"}
    # By hand on the arcsine scale: 142/150 is (asin √0.9467 − asin √(765/1136)) / √(1/600 + τ²) ≈ 3.69 > 3.09.
    reach = math.sqrt(1 / 600 + dispersion.tau2)
    z = (math.asin(math.sqrt(142 / 150)) - math.asin(math.sqrt(POOLED))) / reach
    assert z == pytest.approx(3.6943, abs=5e-5)


def test_adjusted_class_needs_both_tests():
    # 78/100 against 0.6: exact upper tail P(R ≥ 78) ≈ 0.00011, outside the 99.8% limits. On the arcsine scale,
    # z = (asin √0.78 − asin √0.6) / √(1/400 + τ²): with τ² = 0.002, z ≈ 2.93, outside 95% but inside 99.8%;
    # with τ² = 0.01, z ≈ 1.76, inside both.
    def dispersion(tau2: float) -> Overdispersion:
        return Overdispersion(phi=3.0, tau2=tau2, n_units=20, winsorise=0.1, statistic=60.0, critical_value=30.14,
                              p_value=1e-5, overdispersed=True)

    assert binom.sf(77, 100, 0.6) == pytest.approx(0.000107, abs=5e-7)
    z = [(math.asin(math.sqrt(0.78)) - math.asin(math.sqrt(0.6))) / math.sqrt(1 / 400 + t) for t in (0.002, 0.01)]
    assert z == pytest.approx([2.9295, 1.7577], abs=5e-5)
    assert classify(78, 100, 0.6) == "above"
    assert classify(78, 100, 0.6, dispersion(0.002)) == "above_95"
    assert classify(78, 100, 0.6, dispersion(0.01)) == "within"
    assert classify(78, 100, 0.6, Overdispersion(phi=0.9, tau2=0.0, n_units=20, winsorise=0.1, statistic=18.0,
                                                 critical_value=30.14, p_value=0.5, overdispersed=False)) == "above"


# Tested change -------------------------------------------------------------------------------------------------------

def test_change_by_two_proportion_z():
    # 30/100 then 45/100: pooled 0.375, se = √(0.375 × 0.625 × (1/100 + 1/100)), z = 0.15/se ≈ 2.191.
    se = math.sqrt(0.375 * 0.625 * 0.02)
    p_value = 2 * norm.sf(0.15 / se)
    assert p_value == pytest.approx(0.028460, abs=5e-7)
    assert change_test(30, 100, 45, 100) == ChangeTest(pytest.approx(p_value, rel=1e-10), "two-proportion z", True,
                                                       "up")
    assert change_test(45, 100, 30, 100) == ChangeTest(pytest.approx(p_value, rel=1e-10), "two-proportion z", True,
                                                       "down")
    assert change_test(30, 100, 45, 100, alpha=0.01).direction == "none"


def test_change_by_fisher_by_hand():
    # 1/3 then 3/3: margins 3, 3 and 4, 2 of 6. P(top-left = a) = C(3, a) C(3, 4 − a) / C(6, 4): a = 1, 2, 3 give
    # 3/15, 9/15, 3/15. The observed table (a = 1) has probability 0.2; two-sided sums tables no more likely: 0.4.
    result = change_test(1, 3, 3, 3)
    assert result == ChangeTest(pytest.approx(0.4, rel=1e-12), "fisher", False, "none")
    # 0/5 then 5/5: only the observed table and its mirror have probability 1/C(10, 5) = 1/252.
    assert change_test(0, 5, 5, 5) == ChangeTest(pytest.approx(2 / 252, rel=1e-12), "fisher", True, "up")


def test_which_test_is_used():
    # 4/10 then 6/10: every expected cell is 10 × 10 / 20 = 5, not below 5, so the z-test.
    assert change_test(4, 10, 6, 10).test == "two-proportion z"
    # 4/9 then 5/9: expected cells 9 × 9 / 18 = 4.5.
    assert change_test(4, 9, 5, 9).test == "fisher"
    # Nothing upheld in either year: an expected cell of 0.
    assert change_test(0, 50, 0, 60) == ChangeTest(1.0, "fisher", False, "none")


def test_change_needs_both_denominators():
    assert change_test(0, 0, 3, 10) is None
    assert change_test(3, 10, 0, 0) is None
    with pytest.raises(ValueError):
        change_test(3, 10, 4, 10, alpha=1.5)


# Minimum numbers -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("denominator", "minimum", "expected"), [
    (0, None, True), (0, 0, True), (9, 10, False), (10, 10, True), (250, 10, True), (0, 1, False)])
def test_reliable(denominator, minimum, expected):
    assert reliable(denominator, minimum) is expected


def test_reliable_rejects_negative_minimum():
    with pytest.raises(ValueError):
        reliable(10, -1)


def test_fast_binomial_and_fisher_agree_with_scipy():
    """The hot paths that replace scipy.stats' per-call machinery give scipy's own numbers."""
    from scipy.stats import binom, fisher_exact

    from ombuds.stats import fairness

    for n in (1, 2, 7, 40, 333):
        for p in (0.001, 0.17, 0.5, 0.93):
            for k in (-1, 0, 1, n // 3, n - 1, n):
                assert fairness._binom_cdf(k, n, p) == pytest.approx(float(binom.cdf(k, n, p)), rel=1e-12, abs=0)
                assert fairness._binom_sf(k, n, p) == pytest.approx(float(binom.sf(k, n, p)), rel=1e-12, abs=1e-300)
            for q in (0.001, 0.025, 0.975, 0.999):
                assert fairness._binom_ppf(q, n, p) == float(binom.ppf(q, n, p))
    for k1, n1, k2, n2 in [(0, 5, 5, 5), (1, 3, 2, 4), (4, 9, 5, 9), (0, 50, 0, 60), (3, 40, 11, 42), (7, 7, 0, 1)]:
        expected = float(fisher_exact([[k1, n1 - k1], [k2, n2 - k2]], alternative="two-sided").pvalue)
        assert fairness._fisher_two_sided(k1, n1, k2, n2) == pytest.approx(expected, rel=1e-9)


@given(n=st.integers(1, 3000), p=st.floats(0.001, 0.999), q=st.floats(0.0005, 0.9995))
@settings(max_examples=300, deadline=None)
def test_the_binomial_functions_are_scipy_stats_binoms_from_the_public_api(n, p, q):
    from ombuds.stats import fairness

    k = int(binom.ppf(q, n, p))
    tie = any(math.isclose(binom.cdf(j, n, p), q, rel_tol=1e-9) for j in (k - 1, k))
    if not tie:  # at an exact tie scipy's Boost quantile rounds either way; ours takes the smaller k
        assert fairness._binom_ppf(q, n, p) == k
    assert fairness._binom_ppf(0.5, 11, 0.5) == 5 and fairness._binom_ppf(0.5, 35, 0.5) == 17
    assert fairness._binom_cdf(k, n, p) == pytest.approx(binom.cdf(k, n, p), rel=1e-9, abs=1e-300)
    assert fairness._binom_sf(k, n, p) == pytest.approx(binom.sf(k, n, p), rel=1e-9, abs=1e-300)
    assert "_ufuncs" not in Path(fairness.__file__).read_text(encoding="utf-8")

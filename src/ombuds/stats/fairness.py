"""Fair comparison of proportions: Wilson intervals, funnel limits, over-dispersion and tested change.

Numbers in, numbers out: nothing here reads a database or formats a figure. A zero denominator is not an error, it is
a unit with nothing to compare, so the functions that need a denominator return None for it. Arguments that cannot be
right (a negative count, a numerator above its denominator, a target or coverage outside its range) raise ValueError:
they are mistakes in the calling code, not problems a user can act on.

scipy is imported inside the functions that use it, so importing this module stays cheap.

Methods and references: docs/methods-fair-comparison.md.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from statistics import NormalDist
from typing import Literal

INNER = 0.95
"""Coverage of the inner funnel limits (2.5% in each tail)."""
OUTER = 0.998
"""Coverage of the outer funnel limits (0.1% in each tail)."""
OVERDISPERSION_LEVEL = 0.95
"""No over-dispersion is assumed unless N·φ exceeds this quantile of χ² with N − 1 degrees of freedom."""
WINSORISE = 0.1
"""Share of z-scores pulled in at each end before φ is estimated."""

Classification = Literal["within", "above", "below", "above_95", "below_95"]


@dataclass(frozen=True)
class Overdispersion:
    """How much more the units vary than chance alone allows, estimated on the arcsine-square-root scale.

    phi is the mean squared winsorised z-score (1 when the units vary as the binomial says); tau2 is the
    DerSimonian–Laird between-unit variance on the arcsine scale, added to each unit's own variance when
    over-dispersion is detected. statistic = n_units · phi is compared with critical_value, the 95th percentile of
    χ² with n_units − 1 degrees of freedom; p_value is the chance of a statistic at least that large.
    """

    phi: float
    tau2: float
    n_units: int
    winsorise: float
    statistic: float
    critical_value: float
    p_value: float
    overdispersed: bool
    method: str = "additive random effects (DerSimonian-Laird) on the arcsine-square-root scale"


@dataclass(frozen=True)
class FunnelPoint:
    """The funnel limits at one denominator."""

    n: int
    lower: float
    upper: float


@dataclass(frozen=True)
class ChangeTest:
    """Whether a proportion changed between two periods by more than chance would explain."""

    p_value: float
    test: Literal["fisher", "two-proportion z"]
    significant: bool
    direction: Literal["up", "down", "none"]


def wilson_interval(successes: int, trials: int, confidence: float = 0.95) -> tuple[float, float] | None:
    """Wilson's score interval for successes/trials; None when there are no trials.

    Unlike the textbook p ± z·se interval it never leaves [0, 1] and is not zero-width at 0% or 100%, which is what
    small councils need: 2 of 2 upheld gives roughly 34% to 100%, not 100% to 100%.
    """
    _check_counts(successes, trials)
    z = _two_sided_z(confidence, "confidence")
    if trials == 0:
        return None
    p = successes / trials
    z2n = z * z / trials
    centre = (p + z2n / 2) / (1 + z2n)
    half = z / (1 + z2n) * math.sqrt(p * (1 - p) / trials + z2n / (4 * trials))
    lower = 0.0 if successes == 0 else max(0.0, centre - half)
    upper = 1.0 if successes == trials else min(1.0, centre + half)
    return lower, upper


def binomial_limits(target: float, n: int, coverage: float) -> tuple[float, float] | None:
    """Exact binomial funnel limits for a proportion with denominator n around target; None when n is 0.

    Spiegelhalter (2005), Appendix: for each tail probability p, r_p is the binomial p-quantile and the limit is
    (r_p − α)/n with α = (F(r_p) − p) / (F(r_p) − F(r_p − 1)), which smooths the step function of the discrete
    quantile. Limits are clipped to [0, 1]. When the expected count is below about one case the formula can put a
    limit on the wrong side of the target (p0 = 1/64, n = 1: upper 95% limit 0); such a limit is moved to the target,
    which changes no classification, since no observable proportion lies between them that the exact test flags.
    A target of exactly 0 or 1 allows no variation at all, so both limits equal the target (the formula itself would
    put them inside (0, 1) for a target of 1).

    The smoothed limits are drawn, not tested against: see classify for why.
    """
    _check_n(n)
    _check_proportion(target)
    tail = (1 - _check_level(coverage, "coverage")) / 2
    if n == 0:
        return None
    if target in (0.0, 1.0):
        return float(target), float(target)
    lower, upper = _interpolated_quantile(tail, n, target), _interpolated_quantile(1 - tail, n, target)
    return min(lower, target), max(upper, target)


def overdispersion(units: Iterable[tuple[int, int]], target: float,
                   winsorise: float = WINSORISE) -> Overdispersion | None:
    """Estimate over-dispersion among (numerator, denominator) units around target (the pooled type average).

    z-scores are on the arcsine-square-root scale, z = (asin √y − asin √target) / s with s = 1/(2√n), as FunnelPlotR
    does for proportions: there a unit's standard error depends on n alone, so one between-unit variance τ² means the
    same thing for every unit, and the scale stays well behaved for rates near 0% or 100% (compliance), where
    p0(1 − p0)/n collapses. z-scores below the `winsorise` quantile and above the 1 − `winsorise` quantile (linear
    interpolation between order statistics, R's default) are set to those quantiles, so a few extreme units cannot
    inflate φ; φ is the mean squared winsorised z-score, and τ² = max(0, (Nφ − (N − 1)) / (Σw − Σw²/Σw)) with
    w = 1/s² = 4n.

    Units with a zero denominator are left out. Returns None when fewer than two units remain: one unit cannot show
    variation between units.
    """
    if not 0 <= winsorise < 0.5:
        raise ValueError(f"winsorise must be at least 0 and below 0.5, not {winsorise}")
    _check_proportion(target)
    counted = []
    for numerator, denominator in units:
        _check_counts(numerator, denominator)
        if denominator:
            counted.append((numerator, denominator))
    if len(counted) < 2:
        return None
    centre = _arcsine(target)
    z = [(_arcsine(k / n) - centre) * 2 * math.sqrt(n) for k, n in counted]
    low, high = _quantile(z, winsorise), _quantile(z, 1 - winsorise)
    n_units = len(counted)
    phi = sum(min(max(v, low), high) ** 2 for v in z) / n_units
    weights = [4 * n for _, n in counted]
    spread = sum(weights) - sum(w * w for w in weights) / sum(weights)
    tau2 = max(0.0, (n_units * phi - (n_units - 1)) / spread)
    from scipy.special import chdtrc, chdtri  # the χ² functions behind scipy.stats.chi2, without importing it

    statistic = n_units * phi
    critical = float(chdtri(n_units - 1, 1 - OVERDISPERSION_LEVEL))
    return Overdispersion(phi=phi, tau2=tau2, n_units=n_units, winsorise=winsorise, statistic=statistic,
                          critical_value=critical, p_value=float(chdtrc(n_units - 1, statistic)),
                          overdispersed=statistic > critical)


def funnel_limits(target: float, n: int, coverage: float,
                  dispersion: Overdispersion | None = None) -> tuple[float, float] | None:
    """The funnel limits at denominator n; None when n is 0.

    Without detected over-dispersion these are the exact binomial limits. With it, the additive random-effects limits
    sin²(asin √target ± z·√(s² + τ²)) that FunnelPlotR draws by default (Spiegelhalter 2005, random effects): τ² is
    the same for every unit, so small units, whose own chance variation dwarfs τ², keep nearly their binomial
    limits while large units get the room the real differences between councils need. (A multiplicative √φ
    inflation would instead widen the large units' limits hardly at all in absolute terms and flag most of them.)
    Over-dispersion only ever widens the funnel: at tiny n, where the normal approximation on the arcsine scale can
    be narrower than the exact limits, the exact limit is kept.
    """
    exact = binomial_limits(target, n, coverage)
    if exact is None or not _adjusts(dispersion):
        return exact
    lower, upper = _random_effects_limits(target, n, coverage, dispersion.tau2)
    return min(exact[0], lower), max(exact[1], upper)


def funnel_curve(target: float, coverage: float, n_max: int, points: int = 200,
                 dispersion: Overdispersion | None = None) -> tuple[FunnelPoint, ...]:
    """The limits for plotting, from n = 1 to n_max.

    Every denominator when n_max ≤ points; otherwise at most `points` whole denominators spaced evenly on a log
    scale (the funnel changes fastest at small n), always including 1 and n_max.
    """
    if n_max < 1:
        raise ValueError(f"n_max must be at least 1, not {n_max}")
    if points < 2:
        raise ValueError(f"points must be at least 2, not {points}")
    return tuple(FunnelPoint(n, *funnel_limits(target, n, coverage, dispersion)) for n in _grid(n_max, points))


def classify(numerator: int, denominator: int, target: float,
             dispersion: Overdispersion | None = None) -> Classification | None:
    """Where a unit falls on the funnel: "above"/"below" outside the 99.8% limits, "above_95"/"below_95" outside the
    95% limits only, otherwise "within"; None when the denominator is 0 (nothing to compare).

    The test is the exact binomial tail probability: "above" at a coverage means P(R ≥ numerator) ≤ (1 − coverage)/2
    for R ~ Binomial(denominator, target), and "below" means P(R ≤ numerator) ≤ (1 − coverage)/2. This agrees with
    the drawn lower limit exactly, but the smoothed upper limit can sit up to one case below the exact cut-off, so
    comparing the point with the line would flag counts that chance explains easily: 2 of 2 against an average of
    45% happens one time in five, yet lies above the smoothed 99.8% line (99.75%). With detected over-dispersion a
    unit must also lie outside the random-effects limits.
    """
    _check_counts(numerator, denominator)
    _check_proportion(target)
    if denominator == 0:
        return None
    for coverage, (high, low) in ((OUTER, ("above", "below")), (INNER, ("above_95", "below_95"))):
        side = _outside(numerator, denominator, target, coverage, dispersion)
        if side:
            return high if side > 0 else low
    return "within"


def change_test(k1: int, n1: int, k2: int, n2: int, alpha: float = 0.05) -> ChangeTest | None:
    """Test whether k2/n2 differs from k1/n1 (two-sided); None when either denominator is 0.

    Fisher's exact test when any expected cell of the 2×2 table is below 5 (where the normal approximation is
    unreliable), otherwise the two-proportion z-test with the pooled standard error.
    """
    _check_counts(k1, n1)
    _check_counts(k2, n2)
    _check_level(alpha, "alpha")
    if n1 == 0 or n2 == 0:
        return None
    total, successes = n1 + n2, k1 + k2
    if min(n1, n2) * min(successes, total - successes) / total < 5:  # the smallest expected cell
        test, p_value = "fisher", _fisher_two_sided(k1, n1, k2, n2)
    else:
        pooled = successes / total
        z = (k2 / n2 - k1 / n1) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        test, p_value = "two-proportion z", math.erfc(abs(z) / math.sqrt(2))
    significant = p_value < alpha
    direction = "none"
    if significant:
        direction = "up" if k2 / n2 > k1 / n1 else "down"
    return ChangeTest(p_value=p_value, test=test, significant=significant, direction=direction)


def reliable(denominator: int, minimum: int | None) -> bool:
    """Whether a denominator meets the minimum number of cases for its rate to count as reliable; no minimum (None or
    0) means always."""
    if minimum is not None and minimum < 0:
        raise ValueError(f"minimum must not be negative, not {minimum}")
    return not minimum or denominator >= minimum


def _fisher_two_sided(k1: int, n1: int, k2: int, n2: int) -> float:
    """Fisher's exact two-sided p-value for [[k1, n1 − k1], [k2, n2 − k2]]: the probability, given the margins, of
    every table no more likely than the one seen (relative tolerance 1e-7, as scipy.stats.fisher_exact). Written out
    with log-gamma over the whole support because fisher_exact's per-call overhead made it most of a year's
    statistics; tests pin it to fisher_exact."""
    import numpy as np
    from scipy.special import gammaln

    total, successes = n1 + n2, k1 + k2
    x = np.arange(max(0, n1 - (total - successes)), min(n1, successes) + 1)
    if len(x) == 1:
        return 1.0  # the margins allow one table only (a row or column of zeros)
    log_pmf = (gammaln(successes + 1) - gammaln(x + 1) - gammaln(successes - x + 1)
               + gammaln(total - successes + 1) - gammaln(n1 - x + 1) - gammaln(total - successes - n1 + x + 1)
               - gammaln(total + 1) + gammaln(n1 + 1) + gammaln(total - n1 + 1))
    pmf = np.exp(log_pmf)
    seen = pmf[k1 - x[0]]
    return min(1.0, float(pmf[pmf <= seen * (1 + 1e-7)].sum()))


@cache
def _binomial():
    """Binomial cdf and sf from scipy.special's public functions (bdtr, bdtrc), without scipy.stats.binom's
    per-call argument handling, which cost a quarter of a millisecond a call. Tests pin them to scipy.stats.binom."""
    from scipy.special import bdtr, bdtrc

    return bdtr, bdtrc


def _binom_cdf(k: float, n: int, p: float) -> float:
    if k < 0:
        return 0.0
    return 1.0 if k >= n else float(_binomial()[0](math.floor(k), n, p))


def _binom_sf(k: float, n: int, p: float) -> float:
    """P(R > k)."""
    if k < 0:
        return 1.0
    return 0.0 if k >= n else float(_binomial()[1](math.floor(k), n, p))


def _binom_ppf(q: float, n: int, p: float) -> float:
    """The smallest k with P(R ≤ k) ≥ q, found by bisection on the cdf; a cdf within rounding (1e-12, relative) of q
    counts as reaching it, so an exact tie such as P(R ≤ 5) = 0.5 for 11 trials at 0.5 gives 5."""
    low, high = 0, n
    while low < high:
        middle = (low + high) // 2
        if _binom_cdf(middle, n, p) >= q * (1 - 1e-12):
            high = middle
        else:
            low = middle + 1
    return float(low)


def _interpolated_quantile(p: float, n: int, target: float) -> float:
    r = _binom_ppf(p, n, target)
    at, before = _binom_cdf(r, n, target), _binom_cdf(r - 1, n, target)
    alpha = (at - p) / (at - before)
    return min(1.0, max(0.0, (r - alpha) / n))


def _random_effects_limits(target: float, n: int, coverage: float, tau2: float) -> tuple[float, float]:
    centre = _arcsine(target)
    reach = _two_sided_z(coverage, "coverage") * math.sqrt(1 / (4 * n) + tau2)
    return _from_arcsine(centre - reach), _from_arcsine(centre + reach)


def _outside(k: int, n: int, target: float, coverage: float, dispersion: Overdispersion | None) -> int:
    """+1 above the limits, −1 below, 0 within."""
    tail = (1 - coverage) / 2
    side = 0
    if _binom_sf(k - 1, n, target) <= tail:
        side = 1
    elif _binom_cdf(k, n, target) <= tail:
        side = -1
    if side == 0 or not _adjusts(dispersion):
        return side
    z = (_arcsine(k / n) - _arcsine(target)) / math.sqrt(1 / (4 * n) + dispersion.tau2)
    return side if side * z > _two_sided_z(coverage, "coverage") else 0


def _adjusts(dispersion: Overdispersion | None) -> bool:
    return dispersion is not None and dispersion.overdispersed


def _arcsine(p: float) -> float:
    return math.asin(math.sqrt(p))


def _from_arcsine(x: float) -> float:
    """Back from the arcsine scale; clamped first, because sin² folds values beyond 0 or π/2 back into range."""
    return math.sin(min(max(x, 0.0), math.pi / 2)) ** 2


def _quantile(values: list[float], q: float) -> float:
    """The q-quantile by linear interpolation between order statistics (R type 7, numpy's default)."""
    ordered = sorted(values)
    h = (len(ordered) - 1) * q
    i = math.floor(h)
    if i + 1 >= len(ordered):
        return ordered[-1]
    return ordered[i] + (h - i) * (ordered[i + 1] - ordered[i])


def _grid(n_max: int, points: int) -> list[int]:
    if n_max <= points:
        return list(range(1, n_max + 1))
    step = n_max ** (1 / (points - 1))
    return sorted({min(n_max, round(step**i)) for i in range(points)} | {1, n_max})


def _two_sided_z(level: float, name: str) -> float:
    return NormalDist().inv_cdf(0.5 + _check_level(level, name) / 2)


def _check_level(level: float, name: str) -> float:
    if not 0 < level < 1:
        raise ValueError(f"{name} must be between 0 and 1, not {level}")
    return level


def _check_proportion(target: float) -> None:
    if not 0 <= target <= 1:
        raise ValueError(f"target must be a proportion between 0 and 1, not {target}")


def _check_n(n: int) -> None:
    if operator.index(n) < 0:
        raise ValueError(f"a denominator must not be negative, not {n}")


def _check_counts(numerator: int, denominator: int) -> None:
    _check_n(denominator)
    if not 0 <= operator.index(numerator) <= denominator:
        raise ValueError(f"a numerator must be between 0 and its denominator: {numerator} of {denominator}")

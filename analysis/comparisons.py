"""Comparisons: Welch's t with Hedges' g, Fisher's exact test, an exact rate test, and BH.

The primitives test one pair of samples. The views (:func:`compare_means_to_rest`,
:func:`compare_shares_to_rest`, :func:`compare_rates_to_rest`) compare every group of a wave
with the rest of the school and control the false discovery rate with Benjamini–Hochberg
*within the view*: the family is one measure across the groups of one school wave. Survey
views go through :mod:`analysis.privacy` (groups under k are pooled, the result is guarded);
incident views describe registered incidents, not answers, so no k applies to them.

References
----------
Welch, B. L. (1947). The generalization of "Student's" problem when several different population
variances are involved. *Biometrika*, 34(1–2), 28–35.
Hedges, L. V., & Olkin, I. (1985). *Statistical Methods for Meta-Analysis*. Academic Press.
Borenstein, M., Hedges, L. V., Higgins, J. P. T., & Rothstein, H. R. (2009). *Introduction to
Meta-Analysis*, ch. 4. Wiley.
Fisher, R. A. (1935). The logic of inductive inference. *JRSS*, 98(1), 39–82.
Przyborowski, J., & Wileński, H. (1940). Homogeneity of results in testing samples from Poisson
series. *Biometrika*, 31(3/4), 313–323 (the conditional binomial test of two Poisson rates).
Benjamini, Y., & Hochberg, Y. (1995). Controlling the false discovery rate. *JRSS B*, 57(1),
289–300.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import special

from analysis.description import _finite, wilson_interval
from analysis.privacy import DEFAULT_K, Cell, Protection, check_k, guard, protect

__all__ = [
    "ALTERNATIVES",
    "EffectSize",
    "FisherResult",
    "RateResult",
    "RestComparison",
    "RestView",
    "WelchResult",
    "benjamini_hochberg",
    "compare_means_to_rest",
    "compare_rates_to_rest",
    "compare_shares_to_rest",
    "fisher_shares",
    "hedges_g",
    "hedges_g_from_stats",
    "poisson_rate_test",
    "welch_t",
    "welch_t_from_stats",
]

#: The alternatives every test takes, as in SciPy: first sample vs second.
ALTERNATIVES = ("two-sided", "less", "greater")


def _check_alternative(alternative: str) -> str:
    if alternative not in ALTERNATIVES:
        raise ValueError(f"alternative must be one of {ALTERNATIVES}, got {alternative!r}")
    return alternative


@dataclass(frozen=True)
class WelchResult:
    """Welch's unequal-variances t-test of ``mean_x - mean_y``."""

    t: float
    df: float
    p: float
    mean_x: float
    mean_y: float
    n_x: int
    n_y: int
    alternative: str


def welch_t(
    x: Sequence[float] | np.ndarray,
    y: Sequence[float] | np.ndarray,
    alternative: str = "two-sided",
) -> WelchResult:
    """Welch's t-test (NaN left out), as ``scipy.stats.ttest_ind(x, y, equal_var=False)``.

    .. math:: t = \\frac{\\bar x - \\bar y}{\\sqrt{s_x^2/n_x + s_y^2/n_y}}, \\qquad
              \\nu = \\frac{(s_x^2/n_x + s_y^2/n_y)^2}
              {\\frac{(s_x^2/n_x)^2}{n_x-1} + \\frac{(s_y^2/n_y)^2}{n_y-1}}

    Returns NaN statistics when either sample has fewer than two values or both have zero
    variance.
    """
    a, b = _finite(x), _finite(y)
    nan = math.nan
    return welch_t_from_stats(
        float(a.mean()) if len(a) else nan,
        float(a.var(ddof=1)) if len(a) > 1 else nan,
        len(a),
        float(b.mean()) if len(b) else nan,
        float(b.var(ddof=1)) if len(b) > 1 else nan,
        len(b),
        alternative,
    )


def welch_t_from_stats(
    mean1: float,
    var1: float,
    n1: int,
    mean2: float,
    var2: float,
    n2: int,
    alternative: str = "two-sided",
) -> WelchResult:
    """Welch's t-test from means, sample variances (ddof = 1) and sizes; see :func:`welch_t`."""
    alternative = _check_alternative(alternative)
    nan = math.nan
    if n1 < 2 or n2 < 2:
        return WelchResult(nan, nan, nan, mean1, mean2, n1, n2, alternative)
    va, vb = var1 / n1, var2 / n2
    se2 = va + vb
    if not se2 > 0:
        return WelchResult(nan, nan, nan, mean1, mean2, n1, n2, alternative)
    t = (mean1 - mean2) / math.sqrt(se2)
    df = se2**2 / (va**2 / (n1 - 1) + vb**2 / (n2 - 1))
    # special.stdtr is Student's t CDF (what stats.t.cdf calls, without its overhead)
    if alternative == "less":
        p = float(special.stdtr(df, t))
    elif alternative == "greater":
        p = float(special.stdtr(df, -t))
    else:
        p = float(min(1.0, 2 * special.stdtr(df, -abs(t))))
    return WelchResult(float(t), float(df), p, mean1, mean2, n1, n2, alternative)


@dataclass(frozen=True)
class EffectSize:
    """Hedges' g with its normal-theory confidence interval."""

    g: float
    ci_low: float
    ci_high: float
    se: float
    d: float


def hedges_g_from_stats(
    mean1: float,
    sd1: float,
    n1: int,
    mean2: float,
    sd2: float,
    n2: int,
    confidence: float = 0.95,
) -> EffectSize:
    """Hedges' g from summary statistics (Borenstein et al. 2009, eqs. 4.18–4.24).

    .. math::
        s_p = \\sqrt{\\frac{(n_1-1)s_1^2 + (n_2-1)s_2^2}{n_1+n_2-2}}, \\quad
        d = \\frac{\\bar x_1 - \\bar x_2}{s_p}, \\quad
        J = 1 - \\frac{3}{4(n_1+n_2-2) - 1}, \\quad g = J d

        V_d = \\frac{n_1+n_2}{n_1 n_2} + \\frac{d^2}{2(n_1+n_2)}, \\quad
        SE_g = J\\sqrt{V_d}, \\quad g \\pm z_{(1+c)/2}\\, SE_g

    Borenstein's worked example (means 103 and 100, SDs 5.5 and 4.5, n = 50 each) gives
    d = 0.5970, g = 0.5924, SE_g = 0.2028.
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie between 0 and 1, got {confidence}")
    nan = math.nan
    if n1 < 2 or n2 < 2:
        return EffectSize(nan, nan, nan, nan, nan)
    pooled = math.sqrt(((n1 - 1) * sd1**2 + (n2 - 1) * sd2**2) / (n1 + n2 - 2))
    if pooled == 0 or not math.isfinite(pooled):
        return EffectSize(nan, nan, nan, nan, nan)
    d = (mean1 - mean2) / pooled
    j = 1 - 3 / (4 * (n1 + n2 - 2) - 1)
    se = j * math.sqrt((n1 + n2) / (n1 * n2) + d * d / (2 * (n1 + n2)))
    z = float(special.ndtri((1 + confidence) / 2))
    g = j * d
    return EffectSize(g, g - z * se, g + z * se, se, d)


def hedges_g(
    x: Sequence[float] | np.ndarray,
    y: Sequence[float] | np.ndarray,
    confidence: float = 0.95,
) -> EffectSize:
    """Hedges' g of ``x`` against ``y`` (NaN left out); see :func:`hedges_g_from_stats`."""
    a, b = _finite(x), _finite(y)
    if len(a) < 2 or len(b) < 2:
        return hedges_g_from_stats(0, 0, len(a), 0, 0, len(b), confidence)
    return hedges_g_from_stats(
        float(a.mean()),
        float(a.std(ddof=1)),
        len(a),
        float(b.mean()),
        float(b.std(ddof=1)),
        len(b),
        confidence,
    )


@dataclass(frozen=True)
class FisherResult:
    """Fisher's exact test of two shares: ``count1/n1`` against ``count2/n2``."""

    share1: float
    share2: float
    difference: float
    odds_ratio: float
    p: float
    alternative: str


def fisher_shares(
    count1: int, n1: int, count2: int, n2: int, alternative: str = "two-sided"
) -> FisherResult:
    """Fisher's exact test on the 2×2 table ``[[count1, n1-count1], [count2, n2-count2]]``.

    The p-value is the hypergeometric tail (two-sided: the sum of the probabilities of all
    tables at most as likely as the observed one), exactly as ``scipy.stats.fisher_exact`` and
    R's ``fisher.test``; the odds ratio is the sample (unconditional) one,
    :math:`\\frac{c_1 (n_2-c_2)}{(n_1-c_1) c_2}`. ``"greater"`` asks whether share 1 is higher.
    """
    alternative = _check_alternative(alternative)
    for count, n in ((count1, n1), (count2, n2)):
        if n < 1 or not 0 <= count <= n:
            raise ValueError(f"a share needs 0 ≤ count ≤ n and n ≥ 1, got {count} of {n}")
    if 0 in (count1 + count2, n1 + n2 - count1 - count2):  # an empty column: as scipy
        odds, p = math.nan, 1.0
    elif alternative == "two-sided":
        odds = _sample_odds_ratio(count1, n1, count2, n2)
        p = _hypergeom_two_sided(count1, n1, count2, n2)
    else:
        # one-sided: a hypergeometric tail, summed directly (scipy's fisher_exact does the same
        # through scipy.stats.hypergeom, at many times the cost inside the simulations)
        odds = _sample_odds_ratio(count1, n1, count2, n2)
        p = _hypergeom_tail(count1, n1, count2, n2, upper=alternative == "greater")
    share1, share2 = count1 / n1, count2 / n2
    return FisherResult(share1, share2, share1 - share2, float(odds), float(p), alternative)


def _sample_odds_ratio(c1: int, n1: int, c2: int, n2: int) -> float:
    a, b, c, d = c1, n1 - c1, c2, n2 - c2
    if b * c == 0:
        return math.inf if a * d > 0 else math.nan
    return a * d / (b * c)


#: Tables (or outcomes) whose probability is within this factor of the observed one's count
#: as "at most as likely" in a two-sided exact test (R's fisher.test and binom.test, and
#: scipy's binomtest, use the same relative tolerance).
RELATIVE_TOLERANCE = 1 + 1e-7


def _hypergeom_tail(c1: int, n1: int, c2: int, n2: int, *, upper: bool) -> float:
    # X = 1s in sample 1 given the margins: X ~ Hypergeometric(N = n1 + n2, K = c1 + c2, n1)
    successes = c1 + c2
    lo, hi = max(0, successes - n2), min(successes, n1)
    support = np.arange(c1, hi + 1) if upper else np.arange(lo, c1 + 1)
    return float(min(1.0, _hypergeom_pmf(support, c1, n1, c2, n2).sum()))


def _hypergeom_two_sided(c1: int, n1: int, c2: int, n2: int) -> float:
    """The probability of every table with these margins at most as likely as the observed one
    (what ``scipy.stats.fisher_exact`` and R's ``fisher.test`` give, two-sided)."""
    successes = c1 + c2
    support = np.arange(max(0, successes - n2), min(successes, n1) + 1)
    pmf = _hypergeom_pmf(support, c1, n1, c2, n2)
    observed = pmf[c1 - support[0]]
    return float(min(1.0, pmf[pmf <= observed * RELATIVE_TOLERANCE].sum()))


def _hypergeom_pmf(support: np.ndarray, c1: int, n1: int, c2: int, n2: int) -> np.ndarray:
    total, successes = n1 + n2, c1 + c2
    log_pmf = (
        special.gammaln(successes + 1)
        - special.gammaln(support + 1)
        - special.gammaln(successes - support + 1)
        + special.gammaln(total - successes + 1)
        - special.gammaln(n1 - support + 1)
        - special.gammaln(total - successes - n1 + support + 1)
        - special.gammaln(total + 1)
        + special.gammaln(n1 + 1)
        + special.gammaln(total - n1 + 1)
    )
    return np.exp(log_pmf)


def _binomial_two_sided(x: int, n: int, p: float) -> float:
    """Two-sided exact binomial p-value: the probability of every outcome at most as likely as
    ``x`` (R's ``binom.test``, scipy's ``binomtest``)."""
    if x == p * n:
        return 1.0
    support = np.arange(n + 1)
    log_pmf = (special.gammaln(n + 1) - special.gammaln(support + 1)
               - special.gammaln(n - support + 1) + special.xlogy(support, p)
               + special.xlog1py(n - support, -p))
    pmf = np.exp(log_pmf)
    return float(min(1.0, pmf[pmf <= pmf[x] * RELATIVE_TOLERANCE].sum()))


@dataclass(frozen=True)
class RateResult:
    """An exact comparison of two Poisson rates (events per unit of exposure)."""

    count1: int
    exposure1: float
    count2: int
    exposure2: float
    rate1: float
    rate2: float
    rate_ratio: float
    ci_low: float
    ci_high: float
    expected1: float
    p: float
    alternative: str


def poisson_rate_test(
    count1: int,
    exposure1: float,
    count2: int,
    exposure2: float,
    alternative: str = "two-sided",
    confidence: float = 0.95,
) -> RateResult:
    """Exact conditional test of two Poisson rates, as R's ``poisson.test(c(x1, x2), c(T1, T2))``.

    Given the total :math:`N = x_1 + x_2`, under equal rates
    :math:`x_1 \\sim \\mathrm{Binomial}(N,\\ \\pi_0)` with :math:`\\pi_0 = T_1 / (T_1 + T_2)`,
    so the p-value is that of the exact binomial test ``scipy.stats.binomtest(x1, N, π0)``
    (Przyborowski & Wileński 1940). The rate ratio
    :math:`\\rho = \\frac{x_1/T_1}{x_2/T_2}` relates to the binomial proportion as
    :math:`\\rho = \\frac{\\pi}{1-\\pi}\\frac{T_2}{T_1}`, which maps the Clopper–Pearson
    interval of :math:`\\pi` onto an exact interval for :math:`\\rho`.

    Here the exposure is the number of enrolled pupils, so a rate is incidents per pupil per
    school year. R's documented example ``poisson.test(c(11, 21), c(800, 3011))`` gives
    p = 0.07967, rate ratio 1.971488, 95% CI 0.8584264–4.2772659.
    """
    alternative = _check_alternative(alternative)
    for count in (count1, count2):
        if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or count < 0:
            raise ValueError(f"incident counts must be integers ≥ 0, got {count!r}")
    if not exposure1 > 0 or not exposure2 > 0:
        raise ValueError(f"exposures must be positive, got {exposure1} and {exposure2}")
    total = count1 + count2
    pi0 = exposure1 / (exposure1 + exposure2)
    rate1, rate2 = count1 / exposure1, count2 / exposure2
    nan = math.nan
    if total == 0:
        return RateResult(
            count1, exposure1, count2, exposure2, rate1, rate2, nan, nan, nan, 0.0, 1.0, alternative
        )
    x, n = int(count1), int(total)
    # one-sided tails straight from the binomial CDF (special.bdtr(k, n, p) = P(X <= k));
    # two-sided: the outcomes no more likely than x, like R's binom.test and scipy's binomtest
    if alternative == "greater":
        p_value = 1.0 if x == 0 else float(special.bdtrc(x - 1, n, pi0))
    elif alternative == "less":
        p_value = float(special.bdtr(x, n, pi0))
    else:
        p_value = _binomial_two_sided(x, n, pi0)
    # Clopper–Pearson limits as beta quantiles (as R's binom.test), one-sided to match
    tail = 1 - confidence if alternative != "two-sided" else (1 - confidence) / 2
    low = 0.0 if x == 0 or alternative == "less" else float(special.betaincinv(x, n - x + 1, tail))
    high = (
        1.0
        if x == n or alternative == "greater"
        else float(special.betaincinv(x + 1, n - x, 1 - tail))
    )
    scale = exposure2 / exposure1

    def to_ratio(pi: float) -> float:
        return math.inf if pi >= 1 else pi / (1 - pi) * scale

    ratio = rate1 / rate2 if rate2 > 0 else math.inf
    return RateResult(
        count1,
        exposure1,
        count2,
        exposure2,
        rate1,
        rate2,
        ratio,
        to_ratio(low),
        to_ratio(high),
        total * pi0,
        min(1.0, p_value),
        alternative,
    )


def benjamini_hochberg(pvalues: Sequence[float] | np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (q-values); NaN entries stay NaN and do not count.

    .. math:: q_{(i)} = \\min_{j \\ge i} \\min\\left(1, \\frac{m}{j} p_{(j)}\\right)

    for the sorted p-values :math:`p_{(1)} \\le \\dots \\le p_{(m)}` of the ``m`` tests in the
    family. Equal to ``scipy.stats.false_discovery_control(p, method="bh")`` and R's
    ``p.adjust(p, "BH")``. Rejecting where q < α controls the false discovery rate at α.
    """
    p = np.asarray(pvalues, dtype=float)
    if p.ndim != 1:
        raise ValueError("benjamini_hochberg takes a one-dimensional sequence of p-values")
    present = ~np.isnan(p)
    if ((p[present] < 0) | (p[present] > 1)).any():
        raise ValueError("p-values must lie within [0, 1]")
    q = np.full(p.shape, np.nan)
    m = int(present.sum())
    if m == 0:
        return q
    values = p[present]
    order = np.argsort(values, kind="mergesort")
    ranked = values[order] * m / np.arange(1, m + 1)
    adjusted = np.minimum.accumulate(ranked[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(adjusted, 1.0)
    q[present] = out
    return q


@dataclass(frozen=True)
class RestComparison:
    """One unit (group or protected pool) against the rest of the school.

    ``value`` and ``reference`` are the unit's and the rest's mean (means), share (shares) or
    incidents per pupil (rates); ``n`` and ``rest_n`` are respondents (means, shares) or
    enrolled pupils (rates); ``count`` and ``rest_count`` are the 1s (shares) or incidents
    (rates), ``None`` for means. ``effect`` is Hedges' g (means), the difference in shares
    (shares) or the rate ratio (rates), with its interval where one is defined.
    ``statistic`` is Welch's t, the odds ratio, or the expected incident count.
    """

    label: str
    members: tuple[str, ...]
    protected: bool
    n: int
    value: float
    rest_n: int
    reference: float
    statistic: float
    df: float
    p: float
    q: float
    effect: float
    effect_ci_low: float
    effect_ci_high: float
    count: int | None = None
    rest_count: int | None = None


@dataclass(frozen=True)
class RestView:
    """Every unit of one wave against the rest of the school for one measure, BH within.

    ``kind`` is ``"mean"``, ``"share"`` or ``"rate"``; ``protection`` is ``None`` for rates
    (incidents are not survey answers).
    """

    measure: str
    kind: str
    alternative: str
    k: int | None
    rows: tuple[RestComparison, ...]
    protection: Protection | None

    def row(self, label: str) -> RestComparison | None:
        """The row of the unit called ``label``, if any."""
        return next((r for r in self.rows if r.label == label), None)

    def cells(self) -> tuple[Cell, ...]:
        """The released figures (unit and rest of each row) for the privacy guard."""
        if self.kind == "rate":
            return ()
        cells = []
        for row in self.rows:
            cells.append(Cell(self.measure, frozenset(row.members), row.n))
            rest = self.protection.rest(self.protection.unit_of(row.members[0]))
            cells.append(Cell(self.measure, rest, row.rest_n))
        return tuple(cells)


def _units_and_rests(values: Mapping[str, np.ndarray], k: int):
    clean = {g: _finite(v) for g, v in values.items()}
    counts = {g: len(v) for g, v in clean.items()}
    protection = protect(counts, k)
    pairs = []
    for unit in protection.units:
        inside = np.concatenate([clean[g] for g in unit.members])
        rest_groups = protection.rest(unit)
        rest_parts = [clean[g] for g in protection.members if g in rest_groups]
        outside = np.concatenate(rest_parts) if rest_parts else np.empty(0)
        pairs.append((unit, inside, outside))
    return protection, counts, pairs


def compare_means_to_rest(
    values: Mapping[str, Sequence[float] | np.ndarray],
    *,
    measure: str = "veiligheid",
    alternative: str = "less",
    k: int = DEFAULT_K,
    confidence: float = 0.95,
) -> RestView:
    """Each unit's mean against the rest of the school: Welch's t, BH q, Hedges' g.

    Parameters
    ----------
    values : mapping of str to array
        Group name → scores (common metric; NaN left out), in display order.
    measure : str
        The construct, for labels and the privacy check.
    alternative : {"less", "greater", "two-sided"}
        Default ``"less"``: is the unit's mean *below* the rest's (the attention rule).
    k : int
        Small-group threshold; groups under k are pooled (:func:`analysis.privacy.protect`),
        and the rest of the school is every other unit, so the pool counts in the rest.
    """
    k = check_k(k)
    alternative = _check_alternative(alternative)
    protection, counts, pairs = _units_and_rests(values, k)
    # each unit's n, mean and sum of squared deviations once; the rest's by pooling them
    summary = [
        (len(inside), float(inside.mean()), float(((inside - inside.mean()) ** 2).sum()))
        for _, inside, _ in pairs
    ]
    raw = []
    for i, (unit, inside, outside) in enumerate(pairs):
        n1, m1, ss1 = summary[i]
        others = [summary[j] for j in range(len(pairs)) if j != i]
        n2 = sum(n for n, _, _ in others)
        m2 = sum(n * m for n, m, _ in others) / n2 if n2 else math.nan
        ss2 = sum(ss + n * (m - m2) ** 2 for n, m, ss in others) if n2 else math.nan
        v1 = ss1 / (n1 - 1) if n1 > 1 else math.nan
        v2 = ss2 / (n2 - 1) if n2 > 1 else math.nan
        welch = welch_t_from_stats(m1, v1, n1, m2, v2, n2, alternative)
        sd1 = math.sqrt(v1) if n1 > 1 else 0.0
        sd2 = math.sqrt(v2) if n2 > 1 else 0.0
        effect = hedges_g_from_stats(m1, sd1, n1, m2, sd2, n2, confidence)
        raw.append((unit, inside, outside, welch, effect))
    q = benjamini_hochberg([r[3].p for r in raw]) if raw else np.empty(0)
    rows = tuple(
        RestComparison(
            label=unit.label,
            members=unit.members,
            protected=unit.protected,
            n=len(inside),
            value=welch.mean_x,
            rest_n=len(outside),
            reference=welch.mean_y,
            statistic=welch.t,
            df=welch.df,
            p=welch.p,
            q=float(qi),
            effect=effect.g,
            effect_ci_low=effect.ci_low,
            effect_ci_high=effect.ci_high,
        )
        for (unit, inside, outside, welch, effect), qi in zip(raw, q, strict=True)
    )
    view = RestView(measure, "mean", alternative, k, rows, protection)
    guard(view.cells(), {measure: counts}, k)
    return view


def compare_shares_to_rest(
    values: Mapping[str, Sequence[float] | np.ndarray],
    *,
    measure: str = "gepest",
    alternative: str = "greater",
    k: int = DEFAULT_K,
) -> RestView:
    """Each unit's share of 1s against the rest of the school: Fisher's exact test, BH q.

    ``effect`` is the difference in shares (unit minus rest), with the Newcombe (1998,
    method 10) hybrid score interval built from the two Wilson intervals.
    """
    k = check_k(k)
    alternative = _check_alternative(alternative)
    protection, counts, pairs = _units_and_rests(values, k)
    raw = []
    for unit, inside, outside in pairs:
        c1, n1 = int(inside.sum()), len(inside)
        c2, n2 = int(outside.sum()), len(outside)
        if n2 == 0:
            raw.append((unit, c1, n1, c2, n2, None))
            continue
        raw.append((unit, c1, n1, c2, n2, fisher_shares(c1, n1, c2, n2, alternative)))
    q = benjamini_hochberg([r[5].p if r[5] else math.nan for r in raw]) if raw else []
    rows = []
    for (unit, c1, n1, c2, n2, test), qi in zip(raw, q, strict=True):
        nan = math.nan
        if test is None:
            rows.append(
                RestComparison(
                    label=unit.label,
                    members=unit.members,
                    protected=unit.protected,
                    n=n1,
                    value=c1 / n1,
                    rest_n=0,
                    reference=nan,
                    statistic=nan,
                    df=nan,
                    p=nan,
                    q=nan,
                    effect=nan,
                    effect_ci_low=nan,
                    effect_ci_high=nan,
                    count=c1,
                    rest_count=0,
                )
            )
            continue
        l1, u1 = wilson_interval(c1, n1)
        l2, u2 = wilson_interval(c2, n2)
        diff = test.difference
        low = diff - math.sqrt((test.share1 - l1) ** 2 + (u2 - test.share2) ** 2)
        high = diff + math.sqrt((u1 - test.share1) ** 2 + (test.share2 - l2) ** 2)
        rows.append(
            RestComparison(
                label=unit.label,
                members=unit.members,
                protected=unit.protected,
                n=n1,
                value=test.share1,
                rest_n=n2,
                reference=test.share2,
                statistic=test.odds_ratio,
                df=nan,
                p=test.p,
                q=float(qi),
                effect=diff,
                effect_ci_low=low,
                effect_ci_high=high,
                count=c1,
                rest_count=c2,
            )
        )
    view = RestView(measure, "share", alternative, k, tuple(rows), protection)
    guard(view.cells(), {measure: counts}, k)
    return view


def compare_rates_to_rest(
    counts: Mapping[str, int],
    exposures: Mapping[str, int],
    *,
    measure: str = "incidents",
    alternative: str = "greater",
    confidence: float = 0.95,
) -> RestView:
    """Each group's incidents per pupil against the rest of the school, exact test, BH q.

    Parameters
    ----------
    counts : mapping of str to int
        Group name → incidents in the school year.
    exposures : mapping of str to int
        Group name → enrolled pupils. Groups with no pupils are left out.
    alternative : {"greater", "less", "two-sided"}
        Default ``"greater"``: does the group have *more* incidents per pupil.

    Notes
    -----
    Registered incidents are not pupils' answers, so no k applies and the result has no
    privacy cells; the attention list decides separately which groups it may describe.
    """
    alternative = _check_alternative(alternative)
    groups = [g for g in exposures if exposures[g] > 0]
    total_count = sum(int(counts.get(g, 0)) for g in groups)
    total_exposure = sum(exposures[g] for g in groups)
    raw = []
    for g in groups:
        x1, t1 = int(counts.get(g, 0)), exposures[g]
        x2, t2 = total_count - x1, total_exposure - t1
        test = poisson_rate_test(x1, t1, x2, t2, alternative, confidence) if t2 > 0 else None
        raw.append((g, x1, t1, x2, t2, test))
    q = benjamini_hochberg([r[5].p if r[5] else math.nan for r in raw]) if raw else []
    rows = []
    nan = math.nan
    for (g, x1, t1, x2, t2, test), qi in zip(raw, q, strict=True):
        rows.append(
            RestComparison(
                label=g,
                members=(g,),
                protected=False,
                n=t1,
                value=x1 / t1,
                rest_n=t2,
                reference=x2 / t2 if t2 else nan,
                statistic=test.expected1 if test else nan,
                df=nan,
                p=test.p if test else nan,
                q=float(qi),
                effect=test.rate_ratio if test else nan,
                effect_ci_low=test.ci_low if test else nan,
                effect_ci_high=test.ci_high if test else nan,
                count=x1,
                rest_count=x2,
            )
        )
    return RestView(measure, "rate", alternative, None, tuple(rows), None)

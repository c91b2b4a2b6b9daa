"""Tests for analysis.comparisons against SciPy, R's documented results and Borenstein (2009)."""

import math

import numpy as np
import pytest
from scipy import stats

from analysis.comparisons import (
    benjamini_hochberg,
    compare_means_to_rest,
    compare_rates_to_rest,
    compare_shares_to_rest,
    fisher_shares,
    hedges_g,
    hedges_g_from_stats,
    poisson_rate_test,
    welch_t,
    welch_t_from_stats,
)
from analysis.privacy import audit

RNG = np.random.default_rng(20260901)
SAMPLES = [
    (RNG.normal(3.0, 0.5, 24), RNG.normal(3.2, 0.6, 150)),
    (RNG.normal(2.5, 0.8, 7), RNG.normal(3.1, 0.4, 30)),
    (RNG.normal(3.3, 0.3, 40), RNG.normal(3.3, 0.9, 41)),
]


@pytest.mark.parametrize(("x", "y"), SAMPLES)
@pytest.mark.parametrize("alternative", ["two-sided", "less", "greater"])
def test_welch_matches_scipy(x, y, alternative):
    ours = welch_t(x, y, alternative)
    ref = stats.ttest_ind(x, y, equal_var=False, alternative=alternative)
    assert round(ours.t, 3) == round(float(ref.statistic), 3)
    assert round(ours.df, 3) == round(float(ref.df), 3)
    assert round(ours.p, 3) == round(float(ref.pvalue), 3)
    assert ours.p == pytest.approx(float(ref.pvalue), rel=1e-9)


def test_welch_from_stats_matches_scipy():
    ours = welch_t_from_stats(2.61, 0.52**2, 24, 3.18, 0.47**2, 176, "less")
    ref = stats.ttest_ind_from_stats(2.61, 0.52, 24, 3.18, 0.47, 176, equal_var=False)
    assert round(ours.t, 3) == round(float(ref.statistic), 3)
    assert round(ours.p, 6) == round(float(ref.pvalue) / 2, 6)  # one-sided: half, t < 0


def test_welch_degenerate_inputs():
    assert math.isnan(welch_t([3.0], [2.0, 3.0]).p)
    assert math.isnan(welch_t([3.0, 3.0], [2.0, 2.0]).p)
    assert welch_t([3.0, np.nan, 2.0], [1.0, 2.0]).n_x == 2
    with pytest.raises(ValueError, match="alternative"):
        welch_t([1, 2], [1, 2], "smaller")


def test_hedges_g_matches_borenstein_worked_example():
    # Borenstein, Hedges, Higgins & Rothstein (2009), Introduction to Meta-Analysis, ch. 4:
    # d = 0.5970, V_d = 0.0418, J = 0.9923, g = 0.5924, V_g = 0.0411, SE_g = 0.2028
    es = hedges_g_from_stats(103, 5.5, 50, 100, 4.5, 50)
    assert round(es.d, 4) == 0.5970
    assert round(es.g, 4) == 0.5924
    assert round(es.se**2, 4) == 0.0411
    assert round(es.se, 4) == 0.2028
    assert es.ci_low == pytest.approx(0.5924 - 1.959964 * 0.2028, abs=1e-3)
    assert es.ci_high == pytest.approx(0.5924 + 1.959964 * 0.2028, abs=1e-3)


@pytest.mark.parametrize(("x", "y"), SAMPLES)
def test_hedges_g_from_data_is_cohens_d_times_j(x, y):
    n1, n2 = len(x), len(y)
    pooled = np.sqrt(((n1 - 1) * x.var(ddof=1) + (n2 - 1) * y.var(ddof=1)) / (n1 + n2 - 2))
    # the exact correction factor Γ(df/2) / (sqrt(df/2) Γ((df-1)/2)) agrees to 3 decimals
    df = n1 + n2 - 2
    j_exact = math.exp(math.lgamma(df / 2) - math.lgamma((df - 1) / 2)) / math.sqrt(df / 2)
    expected = (x.mean() - y.mean()) / pooled * j_exact
    assert round(hedges_g(x, y).g, 3) == round(expected, 3)


@pytest.mark.parametrize(
    ("c1", "n1", "c2", "n2"),
    [
        (5, 24, 11, 176),
        (0, 12, 3, 40),
        (8, 20, 8, 20),
        (3, 5, 1, 30),
        (12, 25, 20, 150),
        (7, 7, 0, 30),
        (0, 10, 0, 10),
    ],
)
@pytest.mark.parametrize("alternative", ["two-sided", "less", "greater"])
def test_fisher_matches_scipy(c1, n1, c2, n2, alternative):
    ours = fisher_shares(c1, n1, c2, n2, alternative)
    ref = stats.fisher_exact([[c1, n1 - c1], [c2, n2 - c2]], alternative=alternative)
    assert round(ours.p, 3) == round(float(ref.pvalue), 3)
    assert ours.odds_ratio == pytest.approx(float(ref.statistic), nan_ok=True)


def test_fisher_tea_tasting():
    # Fisher's lady tasting tea (R's fisher.test example): p = 0.4857, one-sided "greater"
    ours = fisher_shares(3, 4, 1, 4, "greater")
    assert round(ours.p, 4) == 0.2429
    assert round(fisher_shares(3, 4, 1, 4).p, 4) == 0.4857
    with pytest.raises(ValueError):
        fisher_shares(5, 4, 1, 4)


def test_poisson_rate_matches_r_documented_example():
    # R: poisson.test(c(11, 6 + 8 + 7), c(800, 1083 + 1050 + 878)) (eba1977, Fredericia):
    # expected count1 = 6.7174, p-value = 0.07967, CI 0.8584264 4.2772659, ratio 1.971488
    r = poisson_rate_test(11, 800, 21, 3011)
    assert round(r.expected1, 4) == 6.7174
    assert round(r.p, 5) == 0.07967
    assert round(r.rate_ratio, 6) == 1.971488
    assert round(r.ci_low, 6) == 0.858426
    assert round(r.ci_high, 6) == 4.277266


@pytest.mark.parametrize(
    ("x1", "t1", "x2", "t2"), [(7, 24, 9, 176), (0, 25, 12, 175), (3, 5, 1, 195)]
)
@pytest.mark.parametrize("alternative", ["two-sided", "greater", "less"])
def test_poisson_rate_is_the_conditional_binomial_test(x1, t1, x2, t2, alternative):
    ours = poisson_rate_test(x1, t1, x2, t2, alternative)
    ref = stats.binomtest(x1, x1 + x2, t1 / (t1 + t2), alternative=alternative)
    assert round(ours.p, 3) == round(ref.pvalue, 3)


def test_poisson_rate_edge_cases():
    assert poisson_rate_test(0, 20, 0, 100).p == 1.0
    with pytest.raises(ValueError):
        poisson_rate_test(-1, 20, 0, 100)
    with pytest.raises(ValueError):
        poisson_rate_test(1, 0, 0, 100)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_bh_matches_scipy(seed):
    p = np.random.default_rng(seed).uniform(0, 0.2, 9) ** 2
    ours = benjamini_hochberg(p)
    ref = stats.false_discovery_control(p, method="bh")
    np.testing.assert_allclose(np.round(ours, 3), np.round(ref, 3))
    np.testing.assert_allclose(ours, ref, rtol=1e-12)


def test_bh_known_values_and_nan():
    # R: p.adjust(c(0.01, 0.02, 0.03, 0.04, 0.05), "BH") -> all 0.05
    np.testing.assert_allclose(benjamini_hochberg([0.01, 0.02, 0.03, 0.04, 0.05]), [0.05] * 5)
    q = benjamini_hochberg([0.01, np.nan, 0.04])
    assert math.isnan(q[1])
    np.testing.assert_allclose(q[[0, 2]], stats.false_discovery_control([0.01, 0.04]))
    assert benjamini_hochberg([]).size == 0
    with pytest.raises(ValueError):
        benjamini_hochberg([1.2])


def school(sizes, shift=None, seed=0):
    rng = np.random.default_rng(seed)
    shift = shift or {}
    return {
        f"Groep {i + 1}": np.clip(rng.normal(3.1 + shift.get(i, 0.0), 0.5, n), 1, 4)
        for i, n in enumerate(sizes)
    }


def test_compare_means_to_rest():
    values = school([25, 25, 25, 25], shift={0: -0.6})
    view = compare_means_to_rest(values)
    first = view.row("Groep 1")
    rest = np.concatenate([values[g] for g in ("Groep 2", "Groep 3", "Groep 4")])
    ref = stats.ttest_ind(values["Groep 1"], rest, equal_var=False, alternative="less")
    assert first.p == pytest.approx(float(ref.pvalue))
    assert first.reference == pytest.approx(rest.mean())
    ps = [r.p for r in view.rows]
    np.testing.assert_allclose([r.q for r in view.rows], stats.false_discovery_control(ps))
    assert first.effect < -0.5 and first.q < 0.05


def test_compare_means_pools_a_small_group_and_keeps_it_in_the_rest():
    values = school([3, 12, 25, 25])
    view = compare_means_to_rest(values)
    assert [r.label for r in view.rows] == ["Groep 1 + Groep 2", "Groep 3", "Groep 4"]
    assert view.row("Groep 3").rest_n == 3 + 12 + 25
    counts = {"veiligheid": {g: len(v) for g, v in values.items()}}
    assert audit(view.cells(), counts) == []


def test_compare_shares_to_rest():
    values = {"a": np.array([1.0] * 6 + [0.0] * 14), "b": np.array([1.0] * 2 + [0.0] * 38)}
    view = compare_shares_to_rest(values)
    a = view.row("a")
    assert (a.count, a.n, a.rest_count, a.rest_n) == (6, 20, 2, 40)
    assert a.p == pytest.approx(stats.fisher_exact([[6, 14], [2, 38]], alternative="greater")[1])
    assert a.effect == pytest.approx(0.3 - 0.05)
    assert a.effect_ci_low < a.effect < a.effect_ci_high


def test_compare_rates_to_rest():
    view = compare_rates_to_rest({"a": 8, "b": 1, "c": 2}, {"a": 25, "b": 25, "c": 0})
    assert [r.label for r in view.rows] == ["a", "b"]  # no pupils, no rate
    a = view.row("a")
    assert a.p == pytest.approx(stats.binomtest(8, 9, 0.5, alternative="greater").pvalue)
    assert a.value == pytest.approx(8 / 25) and a.effect == pytest.approx(8.0)
    assert view.cells() == ()

"""Tests for analysis.reliability: Cronbach's alpha against pingouin/R and the ICC identity."""

import math

import numpy as np
import pytest
from scipy import stats

from analysis.reliability import cronbach_alpha

# pingouin's dataset "cronbach_wide_missing" (from www.real-statistics.com): 12 × 11 binary
WIDE_MISSING = """
1,1,1,1,1,1,1,1,1,1,1
1,1,1,1,1,1,1,1,0,1,0
,0,1,1,,1,1,1,1,0,0
1,1,1,0,1,1,0,1,1,0,0
1,1,1,1,1,0,0,0,1,0,0
0,1,,0,1,1,1,1,0,0,0
1,1,1,1,0,0,1,0,0,0,0
1,1,1,1,1,0,0,0,0,0,0
0,1,0,1,1,0,0,0,0,1,0
1,0,0,1,0,1,0,0,,0,0
1,1,1,0,0,0,0,0,0,0,0
1,0,0,1,0,0,0,0,0,0,0
"""


def wide_missing():
    rows = [line.split(",") for line in WIDE_MISSING.split()]
    return np.array([[float(v) if v else np.nan for v in row] for row in rows])


def test_pairwise_matches_pingouin_and_psych():
    # pingouin docs: cronbach_alpha(data) -> (0.732661, [0.435, 0.909]);
    # in R: psych::alpha(data, use = "pairwise")
    result = cronbach_alpha(wide_missing())
    assert round(result.alpha, 3) == 0.733
    assert (round(result.ci_low, 3), round(result.ci_high, 3)) == (0.435, 0.909)
    assert (result.n, result.n_items) == (12, 11)


def test_median_imputed_matches_pingouin():
    # pingouin docs: cronbach_alpha(data.fillna(data.median())) -> (0.738019, [0.447, 0.911])
    x = wide_missing()
    filled = np.where(np.isnan(x), np.nanmedian(x, axis=0), x)
    result = cronbach_alpha(filled)
    assert round(result.alpha, 3) == 0.738
    assert (round(result.ci_low, 3), round(result.ci_high, 3)) == (0.447, 0.911)


def test_listwise_matches_pingouin_alpha_with_honest_df():
    # pingouin docs: nan_policy="listwise" -> alpha 0.801695 (psych: use = "complete.obs");
    # pingouin's interval [0.581, 0.933] keeps n = 12 rows; 9 rows are complete.
    result = cronbach_alpha(wide_missing(), nan_policy="listwise")
    assert round(result.alpha, 3) == 0.802
    assert result.n == 9
    f_hi, f_lo = stats.f.isf([0.025, 0.975], 8, 80)
    assert result.ci_low == pytest.approx(1 - (1 - 0.8016949) * f_hi, abs=1e-3)
    assert result.ci_high == pytest.approx(1 - (1 - 0.8016949) * f_lo, abs=1e-3)
    # with pingouin's n = 12 the same formula gives its published interval
    f_hi12, f_lo12 = stats.f.isf([0.025, 0.975], 11, 110)
    assert round(1 - (1 - result.alpha) * f_hi12, 3) == 0.581
    assert round(1 - (1 - result.alpha) * f_lo12, 3) == 0.933


def icc3k(x):
    """ICC(3,k) by a two-way ANOVA (Shrout & Fleiss 1979), with the McGraw & Wong interval."""
    n, m = x.shape
    grand = x.mean()
    ss_rows = m * ((x.mean(axis=1) - grand) ** 2).sum()
    ss_cols = n * ((x.mean(axis=0) - grand) ** 2).sum()
    ss_err = ((x - grand) ** 2).sum() - ss_rows - ss_cols
    ms_rows = ss_rows / (n - 1)
    ms_err = ss_err / ((n - 1) * (m - 1))
    icc = (ms_rows - ms_err) / ms_rows
    f_obs = ms_rows / ms_err
    df1, df2 = n - 1, (n - 1) * (m - 1)
    low = 1 - 1 / (f_obs / stats.f.ppf(0.975, df1, df2))
    high = 1 - 1 / (f_obs * stats.f.ppf(0.975, df2, df1))
    return icc, low, high


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_alpha_equals_icc3k_on_complete_data(seed):
    rng = np.random.default_rng(seed)
    latent = rng.normal(0, 1, 40)
    x = np.clip(np.round(2.5 + latent[:, None] + rng.normal(0, 0.9, (40, 5))), 1, 4)
    result = cronbach_alpha(x)
    icc, low, high = icc3k(x)
    assert round(result.alpha, 3) == round(icc, 3)
    assert round(result.ci_low, 3) == round(low, 3)
    assert round(result.ci_high, 3) == round(high, 3)
    # and the variance formula, written out
    m = x.shape[1]
    by_variance = m / (m - 1) * (1 - x.var(axis=0, ddof=1).sum() / x.sum(axis=1).var(ddof=1))
    assert round(result.alpha, 3) == round(by_variance, 3)


def test_small_samples_give_nan():
    assert math.isnan(cronbach_alpha([[1, 2], [2, 3], [3, 3], [4, 4]]).alpha)  # n = 4 < k
    assert math.isnan(cronbach_alpha([[2, 2]] * 6).alpha)  # no variance


def test_rows_with_nothing_answered_are_dropped():
    x = np.vstack([wide_missing(), [np.nan] * 11])
    assert cronbach_alpha(x).n == 12


def test_rejects_bad_input():
    with pytest.raises(ValueError, match="two items"):
        cronbach_alpha([[1], [2], [3], [4], [5]])
    with pytest.raises(ValueError, match="nan_policy"):
        cronbach_alpha(wide_missing(), nan_policy="omit")
    with pytest.raises(ValueError, match="2-D"):
        cronbach_alpha(np.ones(5))
    with pytest.raises(ValueError, match="at least 5"):
        cronbach_alpha(wide_missing(), k=3)

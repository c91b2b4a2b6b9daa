"""Reliability: Cronbach's alpha per construct, with Feldt's confidence interval.

The Inspectie asks for a *reliable* instrument; the yearly report shows alpha per construct per
wave for the whole school (DESIGN §7). Alpha is computed on the item answers (respondents ×
items) of one instrument version, since groep 3–4 and groep 5–8 answer different items.

References
----------
Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
*Psychometrika*, 16(3), 297–334.
Feldt, L. S., Woodruff, D. J., & Salih, F. A. (1987). Statistical inference for coefficient
alpha. *Applied Psychological Measurement*, 11(1), 93–103.
Vallat, R. (2018). Pingouin: statistics in Python. *JOSS*, 3(31), 1026 — ``cronbach_alpha``,
whose documented results (checked there against R's ``psych::alpha``) the tests reproduce.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import special

from analysis.privacy import DEFAULT_K, check_k

__all__ = ["AlphaResult", "cronbach_alpha"]

_NAN_POLICIES = ("pairwise", "listwise")


@dataclass(frozen=True)
class AlphaResult:
    """Cronbach's alpha with its confidence interval.

    Attributes
    ----------
    alpha : float
        The coefficient (NaN when it cannot be computed).
    ci_low, ci_high : float
        Feldt's interval.
    n : int
        Respondents used (all rows for ``"pairwise"``, complete rows for ``"listwise"``).
    n_items : int
        Items in the construct.
    """

    alpha: float
    ci_low: float
    ci_high: float
    n: int
    n_items: int


def _pairwise_cov(x: np.ndarray) -> np.ndarray:
    # covariance of each pair of columns over the rows where both are answered (ddof = 1),
    # as pandas.DataFrame.cov and R's cov(use = "pairwise") compute it
    m = x.shape[1]
    cov = np.full((m, m), np.nan)
    for i in range(m):
        for j in range(i, m):
            both = ~np.isnan(x[:, i]) & ~np.isnan(x[:, j])
            if both.sum() < 2:
                continue
            a, b = x[both, i], x[both, j]
            value = float(((a - a.mean()) * (b - b.mean())).sum() / (both.sum() - 1))
            cov[i, j] = cov[j, i] = value
    return cov


def cronbach_alpha(
    items: Sequence[Sequence[float | None]] | np.ndarray,
    *,
    nan_policy: str = "pairwise",
    confidence: float = 0.95,
    k: int = DEFAULT_K,
) -> AlphaResult:
    """Cronbach's alpha of a respondents × items matrix, with Feldt's interval.

    .. math:: \\alpha = \\frac{m}{m-1}\\left(1 - \\frac{\\sum_i \\sigma^2_i}{\\sigma^2_X}\\right)
              = \\frac{m}{m-1}\\left(1 - \\frac{\\operatorname{tr} C}{\\mathbf 1^\\top C
              \\mathbf 1}\\right)

    with ``m`` items and ``C`` the items' covariance matrix (so :math:`\\sigma^2_X`, the
    variance of the sum score, is the sum of all entries of ``C``). This equals the
    consistency intraclass correlation ICC(3,k) of a two-way ANOVA, respondents × items.

    The interval (Feldt, Woodruff & Salih 1987) uses that
    :math:`(1-\\alpha)/(1-\\hat\\alpha)` follows an F distribution with
    :math:`n-1` and :math:`(n-1)(m-1)` degrees of freedom:

    .. math:: \\left[\\,1 - (1-\\hat\\alpha)\\,F_{(1+c)/2},\\;
              1 - (1-\\hat\\alpha)\\,F_{(1-c)/2}\\,\\right]

    Parameters
    ----------
    items : array-like, shape (n, m)
        One row per respondent, one column per item; NaN or None = skipped. Reverse-scored
        items must be reversed already.
    nan_policy : {"pairwise", "listwise"}
        ``"pairwise"`` (default, like pingouin and ``psych::alpha(use = "pairwise")``):
        each covariance from the rows where both items are answered, and ``n`` = all rows.
        ``"listwise"``: only complete rows, and ``n`` = complete rows (pingouin keeps the
        number of rows before deletion in the interval's degrees of freedom; we use the
        respondents actually analysed, so our listwise interval is the wider, honest one).
    confidence : float
        Confidence level of the interval.
    k : int
        Small-group threshold: with fewer than ``k`` respondents the result is all NaN.

    Raises
    ------
    ValueError
        On fewer than two items, a non-2-D input, or an unknown ``nan_policy``.

    Examples
    --------
    >>> round(cronbach_alpha([[1, 2], [2, 3], [3, 3], [4, 4], [2, 2]]).alpha, 3)
    0.919
    """
    k = check_k(k)
    if nan_policy not in _NAN_POLICIES:
        raise ValueError(f"nan_policy must be one of {_NAN_POLICIES}, got {nan_policy!r}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie between 0 and 1, got {confidence}")
    if not isinstance(items, np.ndarray):
        items = [[np.nan if v is None else v for v in row] for row in items]
    x = np.array(items, dtype=float)
    if x.ndim != 2:
        raise ValueError("items must be a 2-D table: respondents × items")
    m = x.shape[1]
    if m < 2:
        raise ValueError(f"alpha needs at least two items, got {m}")
    x = x[~np.isnan(x).all(axis=1)]  # a respondent who skipped every item says nothing
    if nan_policy == "listwise":
        x = x[~np.isnan(x).any(axis=1)]
    n = x.shape[0]
    nan_result = AlphaResult(math.nan, math.nan, math.nan, n, m)
    if n < max(k, 2):
        return nan_result
    cov = np.cov(x, rowvar=False, ddof=1) if nan_policy == "listwise" else _pairwise_cov(x)
    total = float(np.nansum(cov)) if not np.isnan(cov).any() else math.nan
    if not math.isfinite(total) or total <= 0:
        return nan_result
    alpha = m / (m - 1) * (1 - float(np.trace(cov)) / total)
    df1 = n - 1
    df2 = df1 * (m - 1)
    # the F distribution's upper quantiles (scipy.stats.f.isf(q) is special.fdtri(1 - q))
    low = 1 - (1 - alpha) * special.fdtri(df1, df2, 1 - (1 - confidence) / 2)
    high = 1 - (1 - alpha) * special.fdtri(df1, df2, 1 - (1 + confidence) / 2)
    return AlphaResult(alpha, float(low), float(high), n, m)

"""Descriptive figures: n, mean, SD and 95% CI; shares with Wilson intervals; item distributions.

The primitives (:func:`describe_mean`, :func:`wilson_interval`, :func:`describe_share`) are
plain statistics on the numbers they are given. The *views* (:func:`group_table`,
:func:`item_table`) produce what a page shows — a row per group plus the school total — and
go through :mod:`analysis.privacy`: groups under k are merged into a protected row and the
result is checked with :func:`analysis.privacy.guard` before it is returned.

References
----------
Wilson, E. B. (1927). Probable inference, the law of succession, and statistical inference.
*Journal of the American Statistical Association*, 22(158), 209–212.
Newcombe, R. G. (1998). Two-sided confidence intervals for the single proportion: comparison
of seven methods. *Statistics in Medicine*, 17(8), 857–872.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import special

from analysis.data import WaveData, construct_kind
from analysis.privacy import DEFAULT_K, Cell, Protection, check_k, guard, protect
from analysis.scoring import UNSAFE_BELOW

__all__ = [
    "STATISTICS",
    "GroupRow",
    "GroupTable",
    "ItemDistribution",
    "ItemTable",
    "MeanSummary",
    "ShareSummary",
    "describe_mean",
    "describe_share",
    "group_table",
    "item_distribution",
    "item_table",
    "share_summary",
    "wilson_interval",
]

#: What a group table can show per row: a mean, the share of 1s, or the share below 2.5.
STATISTICS = ("mean", "share", "unsafe")


def _check_confidence(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie between 0 and 1, got {confidence}")
    return float(confidence)


def _finite(values: Sequence[float] | np.ndarray) -> np.ndarray:
    array = np.asarray(values, dtype=float).ravel()
    return array[~np.isnan(array)]


@dataclass(frozen=True)
class MeanSummary:
    """n, mean, SD and the t-based confidence interval of the mean."""

    n: int
    mean: float
    sd: float
    ci_low: float
    ci_high: float


def describe_mean(values: Sequence[float] | np.ndarray, confidence: float = 0.95) -> MeanSummary:
    """Summarise scores: n, mean, sample SD, and the confidence interval of the mean.

    .. math:: \\bar x \\pm t_{(1+c)/2,\\,n-1}\\; s / \\sqrt n,
              \\qquad s^2 = \\frac{1}{n-1}\\sum (x_i - \\bar x)^2

    NaN values are left out. With one value the SD and interval are NaN; with none,
    everything but ``n`` is NaN.
    """
    confidence = _check_confidence(confidence)
    x = _finite(values)
    n = len(x)
    if n == 0:
        return MeanSummary(0, math.nan, math.nan, math.nan, math.nan)
    mean = float(np.mean(x))
    if n == 1:
        return MeanSummary(1, mean, math.nan, math.nan, math.nan)
    sd = float(np.std(x, ddof=1))
    half = float(special.stdtrit(n - 1, (1 + confidence) / 2)) * sd / math.sqrt(n)
    return MeanSummary(n, mean, sd, mean - half, mean + half)


def wilson_interval(count: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """The Wilson score interval for a proportion (Wilson 1927; Newcombe 1998, method 3).

    .. math:: \\frac{\\hat p + \\frac{z^2}{2n} \\pm z\\sqrt{\\frac{\\hat p(1-\\hat p)}{n}
              + \\frac{z^2}{4n^2}}}{1 + \\frac{z^2}{n}}, \\qquad z = \\Phi^{-1}((1+c)/2)

    Equal to R's ``prop.test(count, n, correct = FALSE)$conf.int``. For 81 of 263 it gives
    0.2553–0.3662, as in the worked example of Newcombe (1998).

    Raises
    ------
    ValueError
        When ``n`` < 1 or ``count`` is not within ``0..n``.
    """
    confidence = _check_confidence(confidence)
    if n < 1:
        raise ValueError(f"a share needs n ≥ 1, got {n}")
    if not 0 <= count <= n:
        raise ValueError(f"count {count} must lie within 0..{n}")
    z = float(special.ndtri((1 + confidence) / 2))
    p = count / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class ShareSummary:
    """A share: how many of n, the proportion, and its Wilson interval."""

    n: int
    count: int
    share: float
    ci_low: float
    ci_high: float


def share_summary(count: int, n: int, confidence: float = 0.95) -> ShareSummary:
    """A :class:`ShareSummary` for ``count`` of ``n`` (NaN share and interval when n = 0)."""
    if n == 0:
        return ShareSummary(0, 0, math.nan, math.nan, math.nan)
    low, high = wilson_interval(count, n, confidence)
    return ShareSummary(n, count, count / n, low, high)


def describe_share(values: Sequence[float] | np.ndarray, confidence: float = 0.95) -> ShareSummary:
    """Summarise 0/1 values (NaN left out) as a share with its Wilson interval."""
    x = _finite(values)
    if not np.isin(x, (0.0, 1.0)).all():
        raise ValueError("describe_share takes 0/1 values")
    return share_summary(int(x.sum()), len(x), confidence)


@dataclass(frozen=True)
class ItemDistribution:
    """How often each answer option of one item was chosen."""

    n: int
    values: tuple[int, ...]
    counts: tuple[int, ...]

    @property
    def shares(self) -> tuple[float, ...]:
        """Each option's share of the answers (NaN when there are none)."""
        return tuple(c / self.n if self.n else math.nan for c in self.counts)


def item_distribution(
    answers: Sequence[float | None] | np.ndarray, scale_values: Sequence[int]
) -> ItemDistribution:
    """Count the answers per option of the scale; skipped answers (None/NaN) are left out.

    Raises
    ------
    ValueError
        When an answer is not one of ``scale_values``.
    """
    scale = tuple(int(v) for v in scale_values)
    x = _finite([np.nan if a is None else a for a in answers])
    unknown = sorted(set(x.tolist()) - set(scale))
    if unknown:
        raise ValueError(f"answers {unknown} are not on the scale {scale}")
    counts = tuple(int((x == v).sum()) for v in scale)
    return ItemDistribution(n=len(x), values=scale, counts=counts)


@dataclass(frozen=True)
class GroupRow:
    """One row of a group table: a group, a protected pool, or the school total.

    ``estimate`` is the mean (statistic ``"mean"``) or the share (``"share"``, ``"unsafe"``);
    ``count`` is the number of 1s for shares and ``None`` for means; ``sd`` is NaN for shares.
    """

    label: str
    members: tuple[str, ...]
    protected: bool
    n: int
    estimate: float
    ci_low: float
    ci_high: float
    sd: float = math.nan
    count: int | None = None


@dataclass(frozen=True)
class GroupTable:
    """A construct per group for one wave, with the school total, after small-group protection.

    Attributes
    ----------
    construct, statistic : str
        What the rows show.
    k : int
        The threshold applied.
    rows : tuple of GroupRow
        One per unit of the protection (groups alone, then possibly one protected pool).
    total : GroupRow or None
        The school (every unit together); ``None`` when the whole view is withheld.
    suppressed : tuple of str
        Groups with too few respondents to be shown alone (listed by name only).
    withheld : bool
        True when the school as a whole has too few respondents for any figure.
    """

    construct: str
    statistic: str
    k: int
    rows: tuple[GroupRow, ...]
    total: GroupRow | None
    suppressed: tuple[str, ...]
    withheld: bool

    def cells(self) -> tuple[Cell, ...]:
        """The released figures, for :func:`analysis.privacy.guard`."""
        rows = (*self.rows, self.total) if self.total is not None else self.rows
        return tuple(Cell(self.construct, frozenset(r.members), r.n) for r in rows)


def _row(
    label: str,
    members: tuple[str, ...],
    values: np.ndarray,
    statistic: str,
    protected: bool,
    confidence: float,
) -> GroupRow:
    if statistic == "mean":
        s = describe_mean(values, confidence)
        return GroupRow(label, members, protected, s.n, s.mean, s.ci_low, s.ci_high, sd=s.sd)
    flags = (values < UNSAFE_BELOW).astype(float) if statistic == "unsafe" else values
    s = describe_share(flags, confidence)
    return GroupRow(label, members, protected, s.n, s.share, s.ci_low, s.ci_high, count=s.count)


def group_table(
    wave: WaveData,
    construct: str,
    *,
    statistic: str | None = None,
    k: int = DEFAULT_K,
    confidence: float = 0.95,
) -> GroupTable:
    """Describe ``construct`` per group and for the school, protected for small groups.

    Parameters
    ----------
    wave : WaveData
        The wave to describe.
    construct : str
        A construct name (``"veiligheid"``, ``"gepest"`` ...).
    statistic : {"mean", "share", "unsafe"}, optional
        ``"mean"`` (default for mean constructs): n, mean, SD, t-interval. ``"share"``
        (default for ``gepest``): the share of 1s with a Wilson interval. ``"unsafe"``: the
        share of scores below :data:`analysis.scoring.UNSAFE_BELOW`, with a Wilson interval.
    k : int
        The small-group threshold (≥ 5).
    confidence : float
        Confidence level of the intervals.
    """
    k = check_k(k)
    if statistic is None:
        statistic = "share" if construct_kind(construct) == "share" else "mean"
    if statistic not in STATISTICS:
        raise ValueError(f"unknown statistic {statistic!r}; expected one of {STATISTICS}")
    if statistic == "share" and construct_kind(construct) != "share":
        raise ValueError(f"{construct!r} is a mean construct; use statistic 'mean' or 'unsafe'")
    if statistic != "share" and construct_kind(construct) == "share":
        raise ValueError(f"{construct!r} holds 0/1 scores; use statistic 'share'")
    counts = wave.counts(construct)
    protection = protect(counts, k)
    values = wave.values(construct)
    rows = tuple(
        _row(
            u.label,
            u.members,
            np.concatenate([values[g] for g in u.members if g in values]),
            statistic,
            u.protected,
            confidence,
        )
        for u in protection.units
    )
    total = None
    if protection.units:
        members = protection.members
        total = _row(
            "school",
            members,
            np.concatenate([values[g] for g in members if g in values]),
            statistic,
            False,
            confidence,
        )
    table = GroupTable(
        construct=construct,
        statistic=statistic,
        k=k,
        rows=rows,
        total=total,
        suppressed=protection.suppressed,
        withheld=protection.withheld,
    )
    guard(table.cells(), {construct: counts}, k)
    return table


@dataclass(frozen=True)
class ItemTable:
    """Answer distributions of one item per unit and for the school, after protection."""

    item: str
    k: int
    labels: tuple[str, ...]
    members: tuple[tuple[str, ...], ...]
    distributions: tuple[ItemDistribution, ...]
    total: ItemDistribution | None
    suppressed: tuple[str, ...]
    protection: Protection

    def cells(self) -> tuple[Cell, ...]:
        """The released figures, for :func:`analysis.privacy.guard`."""
        cells = [
            Cell(self.item, frozenset(m), d.n)
            for m, d in zip(self.members, self.distributions, strict=True)
        ]
        if self.total is not None:
            cells.append(Cell(self.item, frozenset(self.protection.members), self.total.n))
        return tuple(cells)


def item_table(
    item: str,
    answers_by_group: Mapping[str, Sequence[float | None] | np.ndarray],
    scale_values: Sequence[int],
    *,
    k: int = DEFAULT_K,
) -> ItemTable:
    """Item distributions per group and for the school, protected like :func:`group_table`.

    Parameters
    ----------
    item : str
        The item's key (names the measure for the privacy check).
    answers_by_group : mapping of str to sequence
        Group name → the answers to the item (None/NaN = skipped), in display order.
    scale_values : sequence of int
        The scale's values in display order.
    """
    k = check_k(k)
    dists = {g: item_distribution(a, scale_values) for g, a in answers_by_group.items()}
    counts = {g: d.n for g, d in dists.items()}
    protection = protect(counts, k)

    def merged(groups: Sequence[str]) -> ItemDistribution:
        parts = [dists[g] for g in groups]
        return ItemDistribution(
            n=sum(p.n for p in parts),
            values=tuple(int(v) for v in scale_values),
            counts=tuple(sum(col) for col in zip(*(p.counts for p in parts), strict=True)),
        )

    table = ItemTable(
        item=item,
        k=k,
        labels=tuple(u.label for u in protection.units),
        members=tuple(u.members for u in protection.units),
        distributions=tuple(merged(u.members) for u in protection.units),
        total=merged(protection.members) if protection.units else None,
        suppressed=protection.suppressed,
        protection=protection,
    )
    guard(table.cells(), {item: counts}, k)
    return table

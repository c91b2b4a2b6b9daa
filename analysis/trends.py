"""Trends: a group against the same grade last year, and against its own cohort last year.

Each summer pupils move up a grade, so "Groep 6 in 2026-2027" is mostly the cohort that was
"Groep 5 in 2025-2026" (the group's ``previous_group``). Two comparisons follow (DESIGN §7):

- **cohort**: this year's group against the group its pupils formed last year (the same
  children, a year older) — did things get worse *for these pupils*?
- **grade**: this year's group against last year's group with the same grades — is this
  grade doing worse than the grade did last year (different children, same teacher often)?

Responses are anonymous, so the two years are independent samples: Welch's t and Hedges' g
for means, Fisher's exact test for shares (:mod:`analysis.comparisons`). Benjamini–Hochberg
runs within each view (one construct, one kind of link, one wave).

Both years are protected separately (:func:`analysis.privacy.protect`): a group is compared
only when it is shown on its own in its year *and* the group it is compared with is shown on
its own in the previous year, so no trend row shows a figure the year's own tables withhold.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from analysis.comparisons import (
    benjamini_hochberg,
    fisher_shares,
    hedges_g,
    welch_t,
)
from analysis.data import GroupData, WaveData, construct_kind
from analysis.description import group_table
from analysis.privacy import DEFAULT_K, Cell, check_k, guard, protect

__all__ = [
    "LINKS",
    "SchoolSeries",
    "SeriesPoint",
    "TrendComparison",
    "TrendView",
    "cohort_trend",
    "grade_trend",
    "school_series",
    "trend_counts",
    "wave_history",
]

#: The two ways a group is linked to last year.
LINKS = ("cohort", "grade")


@dataclass(frozen=True)
class TrendComparison:
    """One group now against its linked group last year.

    ``value``/``previous_value`` are means or shares; ``difference`` is now minus then (a
    negative difference in safety is a decline). ``statistic`` is Welch's t (means) or the
    odds ratio (shares). ``effect`` is Hedges' g (means) or the difference in shares.
    ``count``/``previous_count`` are the 1s behind a share, ``None`` for means.
    """

    group: str
    previous_group: str
    n: int
    value: float
    previous_n: int
    previous_value: float
    difference: float
    statistic: float
    df: float
    p: float
    q: float
    effect: float
    effect_ci_low: float
    effect_ci_high: float
    count: int | None = None
    previous_count: int | None = None


@dataclass(frozen=True)
class TrendView:
    """Every linkable group of one wave against last year, for one construct and link."""

    measure: str
    kind: str
    link: str
    school_year: str
    previous_year: str
    alternative: str
    k: int
    rows: tuple[TrendComparison, ...]
    key_now: str = ""
    key_then: str = ""

    def row(self, group: str) -> TrendComparison | None:
        """The row of this year's group called ``group``, if it was compared."""
        return next((r for r in self.rows if r.group == group), None)

    def cells(self) -> tuple[Cell, ...]:
        """The released figures, named per wave (:meth:`analysis.data.WaveData.key`)."""
        now, then = self.key_now, self.key_then
        cells = []
        for row in self.rows:
            cells.append(Cell(now, frozenset({row.group}), row.n))
            cells.append(Cell(then, frozenset({row.previous_group}), row.previous_n))
        return tuple(cells)


def trend_counts(wave: WaveData, construct: str) -> dict[str, dict[str, int]]:
    """Counts per year-measure for auditing a :class:`TrendView` (this year and the last)."""
    counts = {wave.key(construct): wave.counts(construct)}
    if wave.previous is not None:
        counts[wave.previous.key(construct)] = wave.previous.counts(construct)
    return counts


def _linked(wave: WaveData, group: GroupData, link: str) -> GroupData | None:
    previous = wave.previous
    if previous is None:
        return None
    if link == "cohort":
        if group.previous_group is None:
            return None
        try:
            return previous.group(group.previous_group)
        except KeyError:
            return None
    same = [g for g in previous.groups if g.grades == group.grades]
    return same[0] if len(same) == 1 else None


def _trend(
    wave: WaveData, construct: str, link: str, alternative: str, k: int, confidence: float
) -> TrendView:
    k = check_k(k)
    kind = construct_kind(construct)
    previous = wave.previous
    previous_year = previous.school_year if previous is not None else ""
    pairs: list[tuple[GroupData, GroupData]] = []
    if previous is not None:
        now = protect(wave.counts(construct), k)
        then = protect(previous.counts(construct), k)
        for group in wave.groups:
            other = _linked(wave, group, link)
            if other is not None and now.alone(group.name) and then.alone(other.name):
                pairs.append((group, other))
    raw = []
    for group, other in pairs:
        x, y = group.values(construct), other.values(construct)
        if kind == "mean":
            test = welch_t(x, y, alternative)
            es = hedges_g(x, y, confidence)
            raw.append((group, other, x, y, test.t, test.df, test.p, es.g, es.ci_low, es.ci_high))
        else:
            test = fisher_shares(int(x.sum()), len(x), int(y.sum()), len(y), alternative)
            nan = math.nan
            raw.append(
                (group, other, x, y, test.odds_ratio, nan, test.p, test.difference, nan, nan)
            )
    q = benjamini_hochberg([r[6] for r in raw]) if raw else np.empty(0)
    rows = []
    for (group, other, x, y, stat, df, p, eff, low, high), qi in zip(raw, q, strict=True):
        rows.append(
            TrendComparison(
                group=group.name,
                previous_group=other.name,
                n=len(x),
                value=float(x.mean()),
                previous_n=len(y),
                previous_value=float(y.mean()),
                difference=float(x.mean() - y.mean()),
                statistic=stat,
                df=df,
                p=p,
                q=float(qi),
                effect=eff,
                effect_ci_low=low,
                effect_ci_high=high,
                count=int(x.sum()) if kind == "share" else None,
                previous_count=int(y.sum()) if kind == "share" else None,
            )
        )
    view = TrendView(
        construct,
        kind,
        link,
        wave.school_year,
        previous_year,
        alternative,
        k,
        tuple(rows),
        key_now=wave.key(construct),
        key_then=previous.key(construct) if previous is not None else "",
    )
    guard(view.cells(), trend_counts(wave, construct), k)
    return view


def cohort_trend(
    wave: WaveData,
    construct: str = "veiligheid",
    *,
    alternative: str = "less",
    k: int = DEFAULT_K,
    confidence: float = 0.95,
) -> TrendView:
    """Each group against the group its pupils formed last year (``previous_group``).

    Default ``alternative="less"`` asks whether the score fell (for ``gepest``, pass
    ``"greater"`` to ask whether bullying rose). Groups without a link, without last year's
    data, or not shown on their own in either year are left out.
    """
    return _trend(wave, construct, "cohort", alternative, k, confidence)


def grade_trend(
    wave: WaveData,
    construct: str = "veiligheid",
    *,
    alternative: str = "two-sided",
    k: int = DEFAULT_K,
    confidence: float = 0.95,
) -> TrendView:
    """Each group against last year's group with exactly the same grades.

    A group is left out when last year had no group, or more than one group, with the same
    grades (a split or merged year has no single counterpart).
    """
    return _trend(wave, construct, "grade", alternative, k, confidence)


def wave_history(wave: WaveData) -> list[WaveData]:
    """The chain ``wave.previous.previous ... wave``, oldest first."""
    chain = []
    current: WaveData | None = wave
    while current is not None:
        chain.append(current)
        current = current.previous
    return chain[::-1]


@dataclass(frozen=True)
class SeriesPoint:
    """The school's figure for one construct in one wave."""

    school_year: str
    wave: str
    n: int
    estimate: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True)
class SchoolSeries:
    """The school's figure for one construct over the years (for the trend chart).

    ``covers`` holds, per point, the groups behind it (for the privacy check); a year whose
    school total is withheld has no point.
    """

    construct: str
    statistic: str
    k: int
    points: tuple[SeriesPoint, ...]
    covers: tuple[frozenset[str], ...]

    def cells(self) -> tuple[Cell, ...]:
        """Each point is a figure of its own wave (``"veiligheid@2026-2027/najaar"``)."""
        return tuple(
            Cell(f"{self.construct}@{p.school_year}/{p.wave}", cover, p.n)
            for p, cover in zip(self.points, self.covers, strict=True)
        )


def school_series(
    waves: Sequence[WaveData],
    construct: str = "veiligheid",
    *,
    statistic: str | None = None,
    k: int = DEFAULT_K,
    confidence: float = 0.95,
) -> SchoolSeries:
    """The school total of ``construct`` per wave, oldest first (see :func:`wave_history`).

    Each point is the total row of :func:`analysis.description.group_table`, so it carries
    that function's protection; a wave whose school is below k is skipped.
    """
    k = check_k(k)
    points, covers = [], []
    used = None
    for wave in waves:
        table = group_table(wave, construct, statistic=statistic, k=k, confidence=confidence)
        used = table.statistic
        if table.total is None:
            continue
        total = table.total
        points.append(
            SeriesPoint(
                wave.school_year, wave.wave, total.n, total.estimate, total.ci_low, total.ci_high
            )
        )
        covers.append(frozenset(total.members))
    if used is None:
        used = statistic or ("share" if construct_kind(construct) == "share" else "mean")
    return SchoolSeries(construct, used, k, tuple(points), tuple(covers))

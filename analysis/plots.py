"""Charts: the data behind each chart as a small dataclass, and a matplotlib function to draw it.

Each chart comes in two halves, so the app can show the numbers next to the picture and the
tests can check exactly what a chart reveals:

=============================  =============================  ==========================
data (pure, privacy-guarded)   drawing (``ax=None`` → Axes)   what it shows
=============================  =============================  ==========================
:func:`group_profile_data`     :func:`plot_group_profile`     a group against the school,
                                                              per construct, with CIs
:func:`trend_data`             :func:`plot_trends`            the school over the years
:func:`heatmap_data`           :func:`plot_heatmap`           groups × constructs
:func:`incident_data`          :func:`plot_incidents`         incidents by category/year
=============================  =============================  ==========================

Survey data functions go through :mod:`analysis.privacy` (they build on
:func:`analysis.description.group_table` or a joint protection, and call ``guard``). Drawing
functions import matplotlib lazily and draw on an Agg-backed :class:`matplotlib.figure.Figure`
(no pyplot, so nothing global changes and threads do not share state); pass ``ax`` to draw
into an existing Axes. :func:`figure_to_svg` renders a figure to a deterministic SVG string
(no date, a fixed hash salt), so the app can cache it by the data it shows.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from analysis.data import (
    INCIDENT_CATEGORIES,
    INCIDENT_LABELS,
    MEAN_CONSTRUCTS,
    TEACHER_PREFIX,
    WaveData,
    construct_kind,
    construct_label,
)
from analysis.description import group_table
from analysis.privacy import DEFAULT_K, Cell, check_k, guard
from analysis.scoring import COMMON_MAX, COMMON_MIN
from analysis.trends import SchoolSeries, school_series

__all__ = [
    "Estimate",
    "GroupProfileData",
    "HeatmapData",
    "IncidentData",
    "ProfileRow",
    "TrendData",
    "figure_to_svg",
    "group_profile_data",
    "heatmap_data",
    "incident_data",
    "plot_group_profile",
    "plot_heatmap",
    "plot_incidents",
    "plot_trends",
    "trend_data",
]

_TEXT = {
    "nl": {
        "school": "school",
        "scale": "gemiddelde (1–4)",
        "share": "aandeel",
        "incidents": "incidenten",
        "year": "schooljaar",
        "protected": "samen getoond",
        "none": "te weinig antwoorden",
    },
    "en": {
        "school": "school",
        "scale": "mean (1–4)",
        "share": "share",
        "incidents": "incidents",
        "year": "school year",
        "protected": "shown together",
        "none": "too few answers",
    },
}


def _text(lang: str, key: str) -> str:
    if lang not in _TEXT:
        raise ValueError(f"lang must be one of {tuple(_TEXT)}, got {lang!r}")
    return _TEXT[lang][key]


def _new_axes(ax: Any, figsize: tuple[float, float]) -> Any:
    if ax is not None:
        return ax
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(figure)
    return figure.add_subplot()


def figure_to_svg(figure: Any) -> str:
    """Render a matplotlib figure to an SVG string.

    Two figures drawn from the same data render to the same string (no date in the metadata,
    a fixed hash salt for the ids), so the app can cache the SVG by the data it shows.
    """
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": "klasklimaat", "svg.fonttype": "none"}):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


# --- a group against the school -------------------------------------------------------------


@dataclass(frozen=True)
class Estimate:
    """A figure with its interval: who it covers, n, the estimate and its CI."""

    label: str
    members: tuple[str, ...]
    n: int
    estimate: float
    ci_low: float
    ci_high: float
    protected: bool = False


@dataclass(frozen=True)
class ProfileRow:
    """One construct of a group profile: the group (or its protected pool) and the school.

    ``group`` is ``None`` when the group has too few answers and sits in no pool; ``school``
    is ``None`` when the whole school is below k.
    """

    construct: str
    statistic: str
    group: Estimate | None
    school: Estimate | None


@dataclass(frozen=True)
class GroupProfileData:
    """A group against the school for several constructs (one wave)."""

    group: str
    school_year: str
    k: int
    rows: tuple[ProfileRow, ...]

    def cells(self) -> tuple[Cell, ...]:
        """The released figures (measure: the construct)."""
        cells = []
        for row in self.rows:
            for est in (row.group, row.school):
                if est is not None:
                    cells.append(Cell(row.construct, frozenset(est.members), est.n))
        return tuple(cells)


def _estimate(row: Any) -> Estimate:
    return Estimate(
        row.label, row.members, row.n, row.estimate, row.ci_low, row.ci_high, row.protected
    )


def group_profile_data(
    wave: WaveData,
    group: str,
    constructs: Sequence[str] | None = None,
    *,
    k: int = DEFAULT_K,
    confidence: float = 0.95,
) -> GroupProfileData:
    """The data of the "group against the school" chart.

    Each construct is the same view as its :func:`analysis.description.group_table`: the
    group's own row, or the protected pool it sits in (labelled so), and the school total.
    """
    k = check_k(k)
    wave.group(group)  # KeyError for an unknown group
    if constructs is None:
        constructs = [c for c in (*MEAN_CONSTRUCTS, "gepest") if c in wave.constructs]
    rows = []
    counts = {}
    for construct in constructs:
        table = group_table(wave, construct, k=k, confidence=confidence)
        counts[construct] = wave.counts(construct)
        mine = next((r for r in table.rows if group in r.members), None)
        rows.append(
            ProfileRow(
                construct,
                table.statistic,
                _estimate(mine) if mine is not None else None,
                _estimate(table.total) if table.total is not None else None,
            )
        )
    data = GroupProfileData(group, wave.school_year, k, tuple(rows))
    guard(data.cells(), counts, k)
    return data


def plot_group_profile(data: GroupProfileData, ax: Any = None, *, lang: str = "nl") -> Any:
    """Draw a group (and the school) per construct as points with interval bars.

    Mean constructs are drawn on the 1–4 metric. A share (``gepest``) does not belong on that
    axis, so it is written out in the title instead. Returns the Axes.
    """
    _text(lang, "school")
    ax = _new_axes(ax, (6.4, 0.6 + 0.7 * max(len(data.rows), 1)))
    mean_rows = [r for r in data.rows if r.statistic == "mean"]
    labels = []
    for i, row in enumerate(mean_rows):
        y = len(mean_rows) - 1 - i
        labels.append((y, construct_label(row.construct, lang)))
        for est, offset, colour, marker in (
            (row.school, -0.15, "#8c8c8c", "s"),
            (row.group, 0.15, "#1f6fb2", "o"),
        ):
            if est is None or not math.isfinite(est.estimate):
                continue
            err = None
            if math.isfinite(est.ci_low):
                err = [[est.estimate - est.ci_low], [est.ci_high - est.estimate]]
            ax.errorbar(est.estimate, y + offset, xerr=err, fmt=marker, color=colour, capsize=3)
        if row.group is None:
            ax.text(COMMON_MIN + 0.05, y + 0.15, _text(lang, "none"), va="center", fontsize=8)
    ax.set_xlim(COMMON_MIN, COMMON_MAX)
    ax.set_yticks([y for y, _ in labels], [label for _, label in labels])
    ax.set_xlabel(_text(lang, "scale"))
    group_label = data.group
    first = next((r.group for r in data.rows if r.group is not None), None)
    if first is not None and first.protected:
        group_label = f"{first.label} ({_text(lang, 'protected')})"
    shares = [r for r in data.rows if r.statistic != "mean"]
    notes = []
    for row in shares:
        if row.group is not None and row.school is not None:
            notes.append(
                f"{construct_label(row.construct, lang)}: {round(100 * row.group.estimate)}% "
                f"({_text(lang, 'school')} {round(100 * row.school.estimate)}%)"
            )
    title = group_label if not notes else f"{group_label} — " + "; ".join(notes)
    ax.set_title(title, fontsize=10)
    from matplotlib.lines import Line2D

    ax.legend(
        handles=[
            Line2D([], [], marker="o", color="#1f6fb2", linestyle="", label=group_label),
            Line2D([], [], marker="s", color="#8c8c8c", linestyle="", label=_text(lang, "school")),
        ],
        loc="lower left",
        fontsize=8,
    )
    return ax


# --- trends over the years -----------------------------------------------------------------


@dataclass(frozen=True)
class TrendData:
    """The school's figures over the years, one series per construct."""

    k: int
    series: tuple[SchoolSeries, ...]

    def cells(self) -> tuple[Cell, ...]:
        """The released figures, named per wave (:meth:`analysis.data.WaveData.key`)."""
        return tuple(c for s in self.series for c in s.cells())


def trend_data(
    waves: Sequence[WaveData],
    constructs: Sequence[str] = ("veiligheid", "welbevinden"),
    *,
    k: int = DEFAULT_K,
    confidence: float = 0.95,
) -> TrendData:
    """The data of the trend chart: :func:`analysis.trends.school_series` per construct.

    ``constructs`` may also be a single construct name.
    """
    k = check_k(k)
    if isinstance(constructs, str):
        constructs = (constructs,)
    series = tuple(school_series(waves, c, k=k, confidence=confidence) for c in constructs)
    data = TrendData(k, series)
    counts = {w.key(c): w.counts(c) for c in constructs for w in waves}
    guard(data.cells(), counts, k)
    return data


def plot_trends(data: TrendData, ax: Any = None, *, lang: str = "nl") -> Any:
    """Draw each construct's school figure per year with its interval as a band."""
    _text(lang, "school")  # validates lang
    ax = _new_axes(ax, (6.4, 3.6))
    years: list[str] = []
    for s in data.series:
        for p in s.points:
            label = p.school_year if p.wave in ("", None) else f"{p.school_year}\n{p.wave}"
            if label not in years:
                years.append(label)
    position = {label: i for i, label in enumerate(years)}
    for s in data.series:
        if not s.points or s.statistic != "mean":
            continue
        xs = [
            position[p.school_year if p.wave in ("", None) else f"{p.school_year}\n{p.wave}"]
            for p in s.points
        ]
        ys = [p.estimate for p in s.points]
        (line,) = ax.plot(xs, ys, marker="o", label=construct_label(s.construct, lang))
        low = [p.ci_low for p in s.points]
        high = [p.ci_high for p in s.points]
        ax.fill_between(xs, low, high, alpha=0.2, color=line.get_color())
    ax.set_xticks(range(len(years)), years)
    ax.set_ylim(COMMON_MIN, COMMON_MAX)
    ax.set_ylabel(_text(lang, "scale"))
    ax.set_xlabel(_text(lang, "year"))
    if any(s.points for s in data.series):
        ax.legend(fontsize=8, loc="lower left")
    return ax


# --- groups by construct ---------------------------------------------------------------------


@dataclass(frozen=True)
class HeatmapData:
    """Mean per group (rows) and construct (columns) on the 1–4 metric, plus the school row.

    Each column is protected like that construct's :func:`analysis.description.group_table`
    (the same partition, so the heat map and the tables never disagree about what is shown):
    a group shown on its own holds its own mean; a group in the protected pool holds the
    pool's mean, with ``pooled`` true and ``units`` naming the pool; a group without answers
    holds NaN. All tuples are row-major (groups × constructs).
    """

    school_year: str
    k: int
    constructs: tuple[str, ...]
    groups: tuple[str, ...]
    values: tuple[tuple[float, ...], ...]
    n: tuple[tuple[int, ...], ...]
    units: tuple[tuple[str, ...], ...]
    members: tuple[tuple[tuple[str, ...], ...], ...]
    pooled: tuple[tuple[bool, ...], ...]
    school: tuple[float, ...]
    school_n: tuple[int, ...]
    school_members: tuple[tuple[str, ...], ...]

    def cells(self) -> tuple[Cell, ...]:
        """The released figures: each distinct unit per column, and the school per column."""
        cells = set()
        for j, construct in enumerate(self.constructs):
            for i in range(len(self.groups)):
                if self.n[i][j] > 0:
                    cells.add(Cell(construct, frozenset(self.members[i][j]), self.n[i][j]))
            if self.school_n[j] > 0:
                cells.add(Cell(construct, frozenset(self.school_members[j]), self.school_n[j]))
        return tuple(sorted(cells, key=lambda c: (c.measure, sorted(c.cover))))


def heatmap_data(
    wave: WaveData, constructs: Sequence[str] | None = None, *, k: int = DEFAULT_K
) -> HeatmapData:
    """The data of the heat map of groups by construct (mean constructs only)."""
    k = check_k(k)
    if constructs is None:
        constructs = [
            c
            for c in wave.constructs
            if construct_kind(c) == "mean"
            and (c in MEAN_CONSTRUCTS or c.startswith(TEACHER_PREFIX))
        ]
        constructs.sort(key=lambda c: (c.startswith(TEACHER_PREFIX), c not in MEAN_CONSTRUCTS, c))
    for c in constructs:
        if construct_kind(c) != "mean":
            raise ValueError(f"the heat map shows mean constructs only, not {c!r}")
    tables = [group_table(wave, c, k=k) for c in constructs]
    groups = [g.name for g in wave.groups if any(g.count(c) for c in constructs)]
    values, ns, units, members, pooled = [], [], [], [], []
    for name in groups:
        rows = [next((r for r in t.rows if name in r.members), None) for t in tables]
        values.append(tuple(r.estimate if r else math.nan for r in rows))
        ns.append(tuple(r.n if r else 0 for r in rows))
        units.append(tuple(r.label if r else "" for r in rows))
        members.append(tuple(r.members if r else () for r in rows))
        pooled.append(tuple(bool(r and r.protected) for r in rows))
    data = HeatmapData(
        school_year=wave.school_year,
        k=k,
        constructs=tuple(constructs),
        groups=tuple(groups),
        values=tuple(values),
        n=tuple(ns),
        units=tuple(units),
        members=tuple(members),
        pooled=tuple(pooled),
        school=tuple(t.total.estimate if t.total else math.nan for t in tables),
        school_n=tuple(t.total.n if t.total else 0 for t in tables),
        school_members=tuple(t.total.members if t.total else () for t in tables),
    )
    guard(data.cells(), {c: wave.counts(c) for c in constructs}, k)
    return data


def plot_heatmap(data: HeatmapData, ax: Any = None, *, lang: str = "nl") -> Any:
    """Draw groups × constructs as coloured cells with the mean written in each.

    A value shared by a protected pool is marked with an asterisk; cells without a value are
    grey.
    """
    _text(lang, "school")  # validates lang
    rows = [*data.groups, _text(lang, "school")]
    matrix = np.array([*data.values, data.school], dtype=float).reshape(
        len(rows), len(data.constructs)
    )
    ax = _new_axes(ax, (3.0 + 1.1 * max(len(data.constructs), 1), 1.6 + 0.45 * len(rows)))
    masked = np.ma.masked_invalid(matrix)
    import matplotlib

    cmap = matplotlib.colormaps["RdYlGn"].with_extremes(bad="#dddddd")
    ax.imshow(masked, cmap=cmap, vmin=COMMON_MIN, vmax=COMMON_MAX, aspect="auto")
    decimal = "," if lang == "nl" else "."
    pooled = [*data.pooled, (False,) * len(data.constructs)]
    for i in range(matrix.shape[0]):
        for j in range(matrix.shape[1]):
            if math.isfinite(matrix[i, j]):
                label = f"{matrix[i, j]:.2f}".replace(".", decimal) + ("*" if pooled[i][j] else "")
                ax.text(j, i, label, ha="center", va="center", fontsize=8)
    ax.set_xticks(
        range(len(data.constructs)),
        [construct_label(c, lang) for c in data.constructs],
        rotation=30,
        ha="right",
    )
    ax.set_yticks(range(len(rows)), rows)
    if any(any(row) for row in data.pooled):
        ax.set_title(f"* {_text(lang, 'protected')}", fontsize=8, loc="left")
    return ax


# --- incidents by category and year ----------------------------------------------------------


@dataclass(frozen=True)
class IncidentData:
    """Registered incidents of the whole school per school year (rows) and category (columns).

    Incidents are registered by staff, not answered by pupils, so no k applies.
    """

    years: tuple[str, ...]
    categories: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]

    def cells(self) -> tuple[Cell, ...]:
        """No survey figures: an empty tuple."""
        return ()


def incident_data(waves: Sequence[WaveData], *, all_categories: bool = False) -> IncidentData:
    """Incidents per category per school year (one entry per school year, oldest first).

    Categories without any incident in any year are left out unless ``all_categories``.
    """
    years: list[str] = []
    rows: list[tuple[int, ...]] = []
    for wave in waves:
        if wave.school_year in years:
            continue  # a second wave in the same year carries the same incidents
        years.append(wave.school_year)
        rows.append(
            tuple(sum(g.incidents.get(c, 0) for g in wave.groups) for c in INCIDENT_CATEGORIES)
        )
    keep = [
        j for j in range(len(INCIDENT_CATEGORIES)) if all_categories or any(row[j] for row in rows)
    ]
    return IncidentData(
        tuple(years),
        tuple(INCIDENT_CATEGORIES[j] for j in keep),
        tuple(tuple(row[j] for j in keep) for row in rows),
    )


def plot_incidents(data: IncidentData, ax: Any = None, *, lang: str = "nl") -> Any:
    """Draw incidents as grouped horizontal bars: a bar per year within each category."""
    _text(lang, "school")  # validates lang
    ax = _new_axes(ax, (6.4, 0.8 + 0.5 * max(len(data.categories), 1)))
    n_years = max(len(data.years), 1)
    height = 0.8 / n_years
    for i, year in enumerate(data.years):
        ys = [j + (i - (n_years - 1) / 2) * height for j in range(len(data.categories))]
        ax.barh(ys, data.counts[i], height=height, label=year)
    ax.set_yticks(range(len(data.categories)), [INCIDENT_LABELS[c][lang] for c in data.categories])
    ax.invert_yaxis()
    ax.set_xlabel(_text(lang, "incidents"))
    ax.xaxis.get_major_locator().set_params(integer=True)
    if data.years:
        ax.legend(fontsize=8)
    return ax

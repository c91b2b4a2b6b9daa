"""Charts for the results pages (SVG) and the yearly report (PNG), cached by the data they show.

The drawing is :mod:`analysis.plots` (plus the stacked face bars of item answers, drawn here
because they need the instruments' answer labels). A chart is identified by a hash of its kind,
language, format and the full data it draws, so the same figures never get drawn twice and
changed figures never show a stale picture. Group names and item texts reach the SVG through
matplotlib's SVG backend, which escapes them.
"""

from __future__ import annotations

import base64
import hashlib
import io
import textwrap
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

from analysis import plots

#: Colours of the answer faces, from good to bad; a frequency scale runs the other way round,
#: which the faces in the instrument file already say.
FACE_COLOURS = {
    "happy": "#2e7d32",
    "content": "#8bc34a",
    "unsure": "#ffca28",
    "sad": "#ef6c00",
    "very_sad": "#c62828",
}
_DARK_FACES = {"happy", "very_sad"}

_CACHE: OrderedDict[str, str | bytes] = OrderedDict()
_CACHE_SIZE = 256
_LOCK = threading.Lock()


def plot_items(items: Sequence[Any], ax: Any = None, *, lang: str = "nl") -> Any:
    """Stacked horizontal bars, one per item: the share of each answer, coloured by its face.

    ``items`` are :class:`surveys.services.results.ItemResult` of one scale.
    """
    from matplotlib.patches import Patch

    if ax is None:
        ax = plots._new_axes(None, (7.2, 1.0 + 0.55 * max(len(items), 1)))
    first = items[0]
    labels = first.labels(lang)
    for row, item in enumerate(items):
        dist = item.distribution
        left = 0.0
        for index, (count, face) in enumerate(zip(dist.counts, item.faces, strict=True)):
            share = count / dist.n if dist.n else 0.0
            if share <= 0:
                continue
            ax.barh(row, share, left=left, color=FACE_COLOURS.get(face, "#999999"),
                    edgecolor="white", linewidth=0.8, height=0.7, label=labels[index])
            if share >= 0.08:
                colour = "white" if face in _DARK_FACES else "black"
                ax.text(left + share / 2, row, f"{round(100 * share)}%", ha="center",
                        va="center", fontsize=7.5, color=colour)
            left += share
    ax.set_yticks(range(len(items)),
                  [textwrap.fill(item.text(lang), 42) for item in items], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1], ["0%", "25%", "50%", "75%", "100%"], fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    handles = [Patch(color=FACE_COLOURS.get(face, "#999999"), label=label)
               for face, label in zip(first.faces, labels, strict=True)]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.12 if len(items) > 3
              else -0.3), ncol=min(len(handles), 3), fontsize=7.5, frameon=False)
    return ax


def plot_share_series(series: Any, ax: Any = None, *, lang: str = "nl") -> Any:
    """The school's share of bullied pupils per year, with its interval as a band."""
    ax = plots._new_axes(ax, (6.4, 2.8))
    labels = [p.school_year for p in series.points]
    xs = list(range(len(labels)))
    ys = [100 * p.estimate for p in series.points]
    ax.plot(xs, ys, marker="o", color="#c62828")
    ax.fill_between(xs, [100 * p.ci_low for p in series.points],
                    [100 * p.ci_high for p in series.points], alpha=0.2, color="#c62828")
    ax.set_xticks(xs, labels)
    top = max([100 * p.ci_high for p in series.points] + [20])
    ax.set_ylim(0, min(100, top * 1.15))
    ax.set_ylabel("% gepest" if lang == "nl" else "% bullied")
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def plot_incidents(data: Any, ax: Any = None, *, lang: str = "nl") -> Any:
    """:func:`analysis.plots.plot_incidents` with the long category names wrapped."""
    if ax is None:
        ax = plots._new_axes(None, (7.2, 1.0 + 0.55 * max(len(data.categories), 1)))
    ax = plots.plot_incidents(data, ax, lang=lang)
    ax.set_yticks(ax.get_yticks(), [textwrap.fill(t.get_text(), 28)
                                    for t in ax.get_yticklabels()], fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    return ax


DRAWERS: dict[str, Callable[..., Any]] = {
    "profile": plots.plot_group_profile,
    "trend": plots.plot_trends,
    "heatmap": plots.plot_heatmap,
    "incidents": plot_incidents,
    "items": plot_items,
    "bullied": plot_share_series,
}


def _key(kind: str, data: Any, lang: str, fmt: str) -> str:
    return hashlib.sha256(repr((kind, lang, fmt, data)).encode()).hexdigest()


def render(kind: str, data: Any, *, lang: str = "nl", fmt: str = "svg", dpi: int = 150
           ) -> str | bytes:
    """The chart of ``kind`` for ``data``: an SVG string, or PNG bytes with ``fmt="png"``."""
    key = _key(kind, data, lang, f"{fmt}{dpi}")
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    ax = DRAWERS[kind](data, lang=lang)
    figure = ax.figure
    if fmt == "svg":
        out: str | bytes = plots.figure_to_svg(figure)
    else:
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
        out = buffer.getvalue()
    with _LOCK:
        _CACHE[key] = out
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return out


def data_uri(svg: str) -> str:
    """An SVG as a ``data:`` URI for an ``<img>`` (the CSP allows images from data:)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def svg_uri(kind: str, data: Any, lang: str) -> str:
    return data_uri(str(render(kind, data, lang=lang)))


def cache_size() -> int:
    return len(_CACHE)


__all__ = ["FACE_COLOURS", "cache_size", "data_uri", "plot_items", "render", "svg_uri"]

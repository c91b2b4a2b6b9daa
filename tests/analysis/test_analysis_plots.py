"""Tests for analysis.plots: chart data, drawing into Axes, SVG, and lazy matplotlib."""

import math
import subprocess
import sys

import numpy as np
import pytest

from analysis.data import GroupData, WaveData
from analysis.plots import (
    figure_to_svg,
    group_profile_data,
    heatmap_data,
    incident_data,
    plot_group_profile,
    plot_heatmap,
    plot_incidents,
    plot_trends,
    trend_data,
)
from analysis.privacy import audit
from analysis.simulation import simulate_school
from analysis.trends import wave_history


@pytest.fixture(scope="module")
def wave():
    return simulate_school(
        np.random.default_rng(5), respondents={0: 3, 1: 9}, incident_spike={2: 4.0}
    )


def test_group_profile_data_shows_the_pool_for_a_merged_group(wave):
    data = group_profile_data(wave, "Groep 2b")
    safety = next(r for r in data.rows if r.construct == "veiligheid")
    assert safety.group.protected and safety.group.members == ("Groep 1b", "Groep 2b")
    assert safety.group.n == 12
    assert safety.school.n == 3 + 9 + 6 * 25
    mine = next(r for r in group_profile_data(wave, "Groep 4b").rows if r.construct == "gepest")
    values = wave.group("Groep 4b").values("gepest")
    assert mine.group.estimate == pytest.approx(values.mean())
    with pytest.raises(KeyError):
        group_profile_data(wave, "Groep 9b")


def test_heatmap_rows_share_their_pool(wave):
    data = heatmap_data(wave)
    assert data.constructs == ("veiligheid", "welbevinden")
    first, second = data.values[0], data.values[1]
    assert first == second and all(data.pooled[0])
    own = wave.group("Groep 5b").values("welbevinden").mean()
    assert data.values[4][1] == pytest.approx(own)
    counts = {c: wave.counts(c) for c in data.constructs}
    assert audit(data.cells(), counts) == []
    with pytest.raises(ValueError, match="mean constructs"):
        heatmap_data(wave, ["gepest"])


def test_incident_data_per_year(wave):
    data = incident_data(wave_history(wave))
    assert data.years == ("2025-2026", "2026-2027")
    assert data.categories == ("pesten",)
    assert data.counts[1][0] == sum(g.incidents.get("pesten", 0) for g in wave.groups)
    everything = incident_data(wave_history(wave), all_categories=True)
    assert len(everything.categories) == 11


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_plot_returns_its_axes_and_renders(wave, lang):
    history = wave_history(wave)

    def drawings():
        return [
            plot_group_profile(group_profile_data(wave, "Groep 4b"), lang=lang),
            plot_trends(trend_data(history), lang=lang),
            plot_heatmap(heatmap_data(wave), lang=lang),
            plot_incidents(incident_data(history), lang=lang),
        ]

    for first, again in zip(drawings(), drawings(), strict=True):
        svg = figure_to_svg(first.figure)
        assert svg.startswith("<?xml") and "</svg>" in svg
        assert svg == figure_to_svg(again.figure)  # same data, same SVG: cacheable


def test_plots_draw_into_a_given_axes(wave):
    from matplotlib.figure import Figure

    figure = Figure()
    axes = figure.subplots(1, 2)
    assert plot_heatmap(heatmap_data(wave), ax=axes[0]) is axes[0]
    assert plot_incidents(incident_data([wave]), ax=axes[1]) is axes[1]
    with pytest.raises(ValueError, match="lang"):
        plot_trends(trend_data([wave]), lang="fr")


def test_plots_cope_with_a_school_below_k():
    tiny = WaveData(
        "S",
        "2026-2027",
        "najaar",
        (GroupData("Groep 3", (3,), 5, scores={"veiligheid": [3.0, 2.0, 4.0]}),),
    )
    data = heatmap_data(tiny)
    assert all(math.isnan(v) for row in data.values for v in row)
    assert data.cells() == ()
    figure_to_svg(plot_heatmap(data).figure)
    assert trend_data([tiny]).series[0].points == ()
    figure_to_svg(plot_trends(trend_data([tiny])).figure)


def test_analysis_imports_no_matplotlib_flask_or_sqlalchemy():
    code = (
        "import sys, analysis.attention, analysis.plots, analysis.reliability, "
        "analysis.simulation\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('matplotlib', 'flask', 'sqlalchemy', 'surveys', 'instruments')]\n"
        "print(bad)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd="."
    )
    assert out.stdout.strip() == "[]"

"""Tests for analysis.trends: cohort and grade links, protection of both years, series."""

import numpy as np
import pytest
from scipy import stats

from analysis.data import GroupData, WaveData
from analysis.privacy import audit
from analysis.trends import cohort_trend, grade_trend, school_series, trend_counts, wave_history

RNG = np.random.default_rng(7)


def grp(name, grades, n, mean, previous=None):
    values = np.clip(RNG.normal(mean, 0.5, n), 1, 4)
    bullied = (RNG.random(n) < 0.2).astype(float)
    return GroupData(
        name, grades, n + 2, previous, scores={"veiligheid": values, "gepest": bullied}
    )


LAST = WaveData(
    "S",
    "2025-2026",
    "najaar",
    (
        grp("Groep 4", (4,), 24, 3.3),
        grp("Groep 5", (5,), 3, 3.3),  # too small last year
        grp("Groep 6", (6,), 25, 3.3),
        grp("Groep 7", (7,), 22, 3.3),
    ),
)
NOW = WaveData(
    "S",
    "2026-2027",
    "najaar",
    (
        grp("Groep 5", (5,), 24, 2.7, previous="Groep 4"),
        grp("Groep 6", (6,), 23, 3.3, previous="Groep 5"),
        grp("Groep 7", (7,), 25, 3.2, previous="Groep 6"),
        grp("Groep 8", (8,), 21, 3.3, previous="Groep 7"),
        grp("Groep 3/4", (3, 4), 20, 3.3),
    ),
    previous=LAST,
)


def test_cohort_trend_follows_previous_group():
    view = cohort_trend(NOW)
    # Groep 6 came from a group too small to show last year, and that group was pooled with
    # the next-smallest one, Groep 7, so Groep 8 has no figure of its own to compare with
    assert [(r.group, r.previous_group) for r in view.rows] == [
        ("Groep 5", "Groep 4"),
        ("Groep 7", "Groep 6"),
    ]
    row = view.row("Groep 5")
    x, y = NOW.group("Groep 5").values("veiligheid"), LAST.group("Groep 4").values("veiligheid")
    ref = stats.ttest_ind(x, y, equal_var=False, alternative="less")
    assert row.p == pytest.approx(float(ref.pvalue))
    assert row.difference == pytest.approx(x.mean() - y.mean())
    np.testing.assert_allclose(
        [r.q for r in view.rows], stats.false_discovery_control([r.p for r in view.rows])
    )
    assert audit(view.cells(), trend_counts(NOW, "veiligheid")) == []


def test_grade_trend_matches_same_grades():
    view = grade_trend(NOW)
    # Groep 5 and Groep 7 were pooled last year; 3/4 and 8 had no counterpart
    assert [(r.group, r.previous_group) for r in view.rows] == [("Groep 6", "Groep 6")]


def test_share_trend_uses_fisher():
    view = cohort_trend(NOW, "gepest", alternative="greater")
    row = view.row("Groep 5")
    x, y = NOW.group("Groep 5").values("gepest"), LAST.group("Groep 4").values("gepest")
    table = [[x.sum(), len(x) - x.sum()], [y.sum(), len(y) - y.sum()]]
    assert row.p == pytest.approx(stats.fisher_exact(table, alternative="greater")[1])
    assert row.count == int(x.sum())


def test_no_previous_wave_means_no_rows():
    alone = WaveData("S", "2026-2027", "najaar", NOW.groups)
    assert cohort_trend(alone).rows == ()


def test_school_series_over_history():
    history = wave_history(NOW)
    assert [w.school_year for w in history] == ["2025-2026", "2026-2027"]
    series = school_series(history)
    assert [p.school_year for p in series.points] == ["2025-2026", "2026-2027"]
    everyone = np.concatenate([g.values("veiligheid") for g in LAST.groups])
    assert series.points[0].estimate == pytest.approx(everyone.mean())
    assert series.points[0].n == len(everyone)

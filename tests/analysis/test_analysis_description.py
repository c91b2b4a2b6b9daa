"""Tests for analysis.description against reference values (SciPy, Newcombe 1998, R)."""

import math

import numpy as np
import pytest
from scipy import stats

from analysis.data import GroupData, WaveData
from analysis.description import (
    describe_mean,
    describe_share,
    group_table,
    item_distribution,
    item_table,
    share_summary,
    wilson_interval,
)
from analysis.privacy import audit


def test_describe_mean_matches_scipy():
    x = np.array([3.2, 2.8, 3.6, 4.0, 2.4, 3.0, np.nan, 3.4])
    s = describe_mean(x)
    finite = x[~np.isnan(x)]
    low, high = stats.t.interval(0.95, len(finite) - 1, loc=finite.mean(), scale=stats.sem(finite))
    assert s.n == 7
    assert s.mean == pytest.approx(finite.mean(), abs=1e-3)
    assert s.sd == pytest.approx(np.std(finite, ddof=1), abs=1e-3)
    assert (round(s.ci_low, 3), round(s.ci_high, 3)) == (round(low, 3), round(high, 3))


def test_describe_mean_edge_cases():
    assert describe_mean([]).n == 0 and math.isnan(describe_mean([]).mean)
    one = describe_mean([3.0])
    assert one.mean == 3.0 and math.isnan(one.sd) and math.isnan(one.ci_low)


@pytest.mark.parametrize(
    ("count", "n", "low", "high"),
    [
        # Newcombe (1998), Statistics in Medicine 17:857, worked examples, method 3 (Wilson)
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0000, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_matches_newcombe(count, n, low, high):
    got = wilson_interval(count, n)
    assert got == pytest.approx((low, high), abs=1e-4)


@pytest.mark.parametrize(("count", "n"), [(5, 24), (0, 7), (7, 7), (81, 263), (3, 11)])
def test_wilson_matches_scipy(count, n):
    ci = stats.binomtest(count, n).proportion_ci(method="wilson")
    got = wilson_interval(count, n)
    assert (round(got[0], 3), round(got[1], 3)) == (round(ci.low, 3), round(ci.high, 3))


def test_wilson_rejects_bad_input():
    with pytest.raises(ValueError):
        wilson_interval(3, 0)
    with pytest.raises(ValueError):
        wilson_interval(5, 4)
    with pytest.raises(ValueError):
        wilson_interval(1, 4, confidence=1.5)


def test_shares():
    s = describe_share([1, 0, 0, 1, np.nan, 0])
    assert (s.n, s.count) == (5, 2) and s.share == pytest.approx(0.4)
    assert math.isnan(share_summary(0, 0).share)
    with pytest.raises(ValueError):
        describe_share([0, 2])


def test_item_distribution():
    d = item_distribution([1, 2, 2, None, 4, np.nan], [1, 2, 3, 4])
    assert d.n == 4 and d.counts == (1, 2, 0, 1)
    assert d.shares == pytest.approx((0.25, 0.5, 0.0, 0.25))
    with pytest.raises(ValueError, match="not on the scale"):
        item_distribution([5], [1, 2, 3, 4])


def make_wave(sizes, seed=0):
    rng = np.random.default_rng(seed)
    groups = []
    for i, n in enumerate(sizes):
        groups.append(
            GroupData(
                f"Groep {i + 3}",
                (min(i + 3, 8),),
                max(n, 1) + 3,
                scores={
                    "veiligheid": np.clip(rng.normal(3.1, 0.5, n), 1, 4),
                    "gepest": rng.integers(0, 2, n).astype(float),
                },
            )
        )
    return WaveData("School", "2026-2027", "najaar", tuple(groups))


def test_group_table_merges_a_single_small_group():
    wave = make_wave([3, 12, 24, 20])
    table = group_table(wave, "veiligheid")
    assert [r.label for r in table.rows] == ["Groep 3 + Groep 4", "Groep 5", "Groep 6"]
    assert table.rows[0].protected and table.rows[0].n == 15
    assert table.suppressed == ("Groep 3",)
    assert table.total.n == 59
    all_values = np.concatenate([g.values("veiligheid") for g in wave.groups])
    assert table.total.estimate == pytest.approx(all_values.mean())
    counts = {"veiligheid": wave.counts("veiligheid")}
    assert audit(table.cells(), counts) == []


def test_group_table_shares_and_unsafe():
    wave = make_wave([10, 12])
    bullied = group_table(wave, "gepest")
    assert bullied.statistic == "share"
    g = wave.group("Groep 3").values("gepest")
    assert bullied.rows[0].count == int(g.sum())
    unsafe = group_table(wave, "veiligheid", statistic="unsafe")
    v = wave.group("Groep 3").values("veiligheid")
    assert unsafe.rows[0].estimate == pytest.approx((v < 2.5).mean())
    with pytest.raises(ValueError):
        group_table(wave, "gepest", statistic="mean")
    with pytest.raises(ValueError):
        group_table(wave, "veiligheid", statistic="share")


def test_group_table_withheld_for_tiny_school():
    table = group_table(make_wave([2, 2]), "veiligheid")
    assert table.withheld and table.rows == () and table.total is None
    assert table.cells() == ()


def test_item_table_protects_small_groups():
    answers = {"Groep 3": [1, 2, 4], "Groep 4": [2, 2, 3, 3, 4, 4], "Groep 5": [1] * 8}
    table = item_table("veilig_klas", answers, [1, 2, 3, 4])
    assert table.labels == ("Groep 3 + Groep 4", "Groep 5")
    assert table.distributions[0].counts == (1, 3, 2, 3)
    assert table.total.n == 17

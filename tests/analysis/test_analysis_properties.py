"""Property tests (P4): no output describes fewer than k respondents, none can be worked back.

Hypothesis draws schools with random group sizes (many of them below k), random missing
scores, a previous year, and a k of 5, 6 or 8. For each school it builds every output of
:mod:`analysis` — the attention list and its JSON, group tables, item tables, comparisons,
trends, and the data behind every chart — and checks:

1. every figure shown is computed from at least k respondents, checked against the wave
   itself (recomputing the figure from the groups the output says it covers);
2. a suppressed group's entry in the attention JSON says nothing but its name (and, for a
   registered severe incident, that incident);
3. no figure of a small group can be recovered from the figures of one view, nor — a
   stronger check — from all the views of one school together
   (:func:`analysis.privacy.audit`).
"""

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.attention import attention_list
from analysis.comparisons import compare_means_to_rest, compare_shares_to_rest
from analysis.data import GroupData, WaveData
from analysis.description import group_table, item_table
from analysis.plots import group_profile_data, heatmap_data, trend_data
from analysis.policy import AttentionPolicy
from analysis.privacy import Cell, audit
from analysis.trends import cohort_trend, grade_trend, wave_history

SETTINGS = settings(
    max_examples=100,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
CONSTRUCTS = ("veiligheid", "welbevinden", "gepest")


@st.composite
def group_sizes(draw, count):
    small_or_big = st.one_of(st.integers(0, 9), st.integers(0, 30))
    return [draw(small_or_big) for _ in range(count)]


@st.composite
def schools(draw):
    k = draw(st.sampled_from([5, 6, 8]))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    count = draw(st.integers(1, 7))
    last_sizes = draw(group_sizes(count))
    now_sizes = draw(group_sizes(count))
    # how often a score is missing, per construct (often never, sometimes a lot)
    missing = {c: draw(st.sampled_from([0.0, 0.0, 0.1, 0.5])) for c in CONSTRUCTS}

    def make(name, grade, n, previous, severe):
        scores = {}
        for c in CONSTRUCTS:
            if c == "gepest":
                x = (rng.random(n) < 0.3).astype(float)
            else:
                x = np.clip(rng.normal(3.0 - 0.4 * (grade % 3), 0.6, n), 1, 4)
            x[rng.random(n) < missing[c]] = np.nan
            scores[c] = x
        incidents = {"pesten": int(rng.poisson(3))}
        if severe:
            incidents["seksuele_intimidatie"] = 1
        size = n + int(rng.integers(0, 10))
        return GroupData(name, (grade,), size, previous, scores=scores, incidents=incidents)

    last = WaveData(
        "S",
        "2025-2026",
        "najaar",
        tuple(make(f"G{i}", 3 + i % 6, n, None, False) for i, n in enumerate(last_sizes)),
    )
    severe = draw(st.lists(st.booleans(), min_size=count, max_size=count))
    now = WaveData(
        "S",
        "2026-2027",
        "najaar",
        tuple(
            make(f"H{i}", 3 + i % 6, n, f"G{i - 1}" if i else None, severe[i])
            for i, n in enumerate(now_sizes)
        ),
        previous=last,
    )
    items = {
        g.name: [None if rng.random() < 0.2 else int(rng.integers(1, 5)) for _ in range(g.n)]
        for g in now.groups
    }
    return k, now, items


def values_of(wave, members, construct):
    parts = [wave.group(g).values(construct) for g in members]
    return np.concatenate(parts) if parts else np.empty(0)


def check_row(wave, construct, members, n, estimate, k):
    """The figure is what its members' answers give, and they are at least k."""
    x = values_of(wave, members, construct)
    assert n == len(x) >= k, (construct, members, n, len(x))
    assert math.isclose(estimate, x.mean(), rel_tol=1e-9, abs_tol=1e-12)


def counts_for(waves):
    counts = {}
    for w in waves:
        for c in CONSTRUCTS:
            counts[w.key(c)] = w.counts(c)
    return counts


def keyed(cells, wave):
    """Name a single-wave view's cells by wave, to pool views across waves."""
    return [Cell(wave.key(c.measure), c.cover, c.n) for c in cells]


@SETTINGS
@given(schools())
def test_no_output_describes_fewer_than_k_or_can_be_worked_back(school):
    k, wave, items = school
    previous = wave.previous
    every_cell = []

    # --- tables, for both years --------------------------------------------------------
    for w in (wave, previous):
        for construct in CONSTRUCTS:
            for statistic in (None, "unsafe") if construct == "veiligheid" else (None,):
                table = group_table(w, construct, statistic=statistic, k=k)
                for row in (*table.rows, *((table.total,) if table.total else ())):
                    x = values_of(w, row.members, construct)
                    assert row.n == len(x) >= k
                    if statistic is None:
                        assert math.isclose(row.estimate, x.mean(), rel_tol=1e-9)
                for name in table.suppressed:
                    assert all(r.members != (name,) for r in table.rows)
                assert audit(table.cells(), {construct: w.counts(construct)}, k) == []
                every_cell += keyed(table.cells(), w)

    # --- item distributions ------------------------------------------------------------
    items_view = item_table("veilig_klas", items, [1, 2, 3, 4], k=k)
    item_counts = {g: sum(a is not None for a in answers) for g, answers in items.items()}
    for members, dist in zip(items_view.members, items_view.distributions, strict=True):
        assert dist.n == sum(item_counts[g] for g in members) >= k
    assert audit(items_view.cells(), {"veilig_klas": item_counts}, k) == []

    # --- comparisons with the rest of the school --------------------------------------
    for view in (
        compare_means_to_rest(wave.values("veiligheid"), measure="veiligheid", k=k),
        compare_shares_to_rest(wave.values("gepest"), measure="gepest", k=k),
    ):
        for row in view.rows:
            check_row(wave, view.measure, row.members, row.n, row.value, k)
            if row.rest_n:
                rest = [g for g in wave.values(view.measure) if g not in row.members]
                check_row(wave, view.measure, rest, row.rest_n, row.reference, k)
        assert audit(view.cells(), {view.measure: wave.counts(view.measure)}, k) == []
        every_cell += keyed(view.cells(), wave)

    # --- trends -------------------------------------------------------------------------
    for trend in (cohort_trend(wave, k=k), grade_trend(wave, k=k)):
        for row in trend.rows:
            check_row(wave, "veiligheid", [row.group], row.n, row.value, k)
            then = (row.previous_n, row.previous_value)
            check_row(previous, "veiligheid", [row.previous_group], *then, k)
        every_cell += trend.cells()

    # --- chart data -------------------------------------------------------------------
    heat = heatmap_data(wave, ["veiligheid", "welbevinden"], k=k)
    for i in range(len(heat.groups)):
        for j, construct in enumerate(heat.constructs):
            if heat.n[i][j]:
                check_row(wave, construct, heat.members[i][j], heat.n[i][j], heat.values[i][j], k)
            else:
                assert math.isnan(heat.values[i][j])
    every_cell += keyed(heat.cells(), wave)
    for group in wave.groups:
        profile = group_profile_data(wave, group.name, CONSTRUCTS, k=k)
        for row in profile.rows:
            for est in (row.group, row.school):
                if est is not None:
                    check_row(wave, row.construct, est.members, est.n, est.estimate, k)
        every_cell += keyed(profile.cells(), wave)
    trends = trend_data(wave_history(wave), CONSTRUCTS, k=k)
    every_cell += trends.cells()

    # --- the attention list -------------------------------------------------------------
    result = attention_list(wave, AttentionPolicy(k=k))
    as_json = result.to_json_dict("nl")
    for entry in as_json["groups"]:
        if entry.get("suppressed"):
            assert set(entry) <= {"group", "suppressed", "flags"}
            assert wave.group(entry["group"]).n < k
            assert all(f["rule"] == "severe_incident" for f in entry.get("flags", []))
            continue
        members = entry.get("members", [entry["group"]])
        assert sum(wave.group(g).n for g in members) == entry["n"] >= k
        for flag in entry["flags"]:
            if flag["rule"] in ("safety_low", "safety_decline"):
                assert len(values_of(wave, members, "veiligheid")) >= k
            if flag["rule"] == "bullying_high":
                assert len(values_of(wave, members, "gepest")) >= k
    every_cell += result.cells

    # --- one view at a time was checked above; now everything together ------------------
    assert audit(every_cell, counts_for([wave, previous]), k) == []

"""The results services give exactly what ``analysis`` computes for the same data."""

from __future__ import annotations

import math

import numpy as np
import pytest
from flask import Flask
from sqlalchemy import select

from analysis.attention import attention_list
from analysis.comparisons import compare_means_to_rest, compare_shares_to_rest
from analysis.description import describe_mean, group_table
from analysis.policy import AttentionPolicy
from analysis.trends import cohort_trend, grade_trend
from surveys.extensions import db
from surveys.models import ConstructScore, Group, Response, School, User
from surveys.services import results as svc
from surveys.services.analysis_data import find_wave, wave_data
from surveys.services.organisation import find_year
from tests.results.conftest import YEAR, Demo


@pytest.fixture
def ctx(demo_app: Flask):  # type: ignore[no-untyped-def]
    with demo_app.app_context():
        school = db.session.scalar(select(School).where(School.slug == "vlinderboom"))
        year = find_year(school, YEAR)
        yield school, year, find_wave(year, None)
        db.session.rollback()


def test_group_results_match_the_analysis(ctx, demo_ids: Demo) -> None:  # type: ignore[no-untyped-def]
    school, year, wave = ctx
    group = db.session.get(Group, demo_ids.groups["Groep 6"])
    result = svc.group_results(group, wave)
    data = wave_data(school, year, wave)
    assert result.n == data.group("Groep 6").n and not result.suppressed and result.pool is None
    for c in result.constructs:
        table = group_table(data, c.construct)
        row = next(r for r in table.rows if r.label == "Groep 6")
        assert c.comparison.value == pytest.approx(row.estimate)
        assert (c.comparison.ci_low, c.comparison.ci_high) == pytest.approx(
            (row.ci_low, row.ci_high))
        compare = compare_shares_to_rest if c.construct == "gepest" else compare_means_to_rest
        rest = compare(data.values(c.construct), measure=c.construct,
                       alternative="two-sided").row("Groep 6")
        assert c.comparison.rest == pytest.approx(rest.reference)
        assert c.comparison.q == pytest.approx(rest.q)
        cohort = cohort_trend(data, c.construct, alternative="two-sided").row("Groep 6")
        grade = grade_trend(data, c.construct, alternative="two-sided").row("Groep 6")
        assert c.cohort.previous_value == pytest.approx(cohort.previous_value)
        assert c.grade.previous_value == pytest.approx(grade.previous_value)
    safety = next(c for c in result.constructs if c.construct == "veiligheid")
    assert safety.comparison.clear and safety.comparison.difference < -0.5
    assert safety.cohort.previous_group == "Groep 5"
    rules = {f.rule for e in result.attention for f in e.flags}
    assert {"safety_low", "bullying_high", "safety_decline"} <= rules
    # the items add up to the respondents who answered them, per scale option
    assert result.items and all(sum(i.distribution.counts) == i.distribution.n
                                for i in result.items)
    assert all(i.distribution.n <= result.n for i in result.items)


def test_a_group_under_k_gets_nothing_and_its_pool_partner_the_pool(ctx, demo_ids) -> None:  # type: ignore[no-untyped-def]
    _school, _year, wave = ctx
    small = svc.group_results(db.session.get(Group, demo_ids.groups["Groep 8"]), wave)
    assert small.suppressed and small.n is None and small.constructs == () and small.items == ()
    assert small.profile is None and small.cells() == ()
    partner = svc.group_results(db.session.get(Group, demo_ids.groups["Groep 5"]), wave)
    assert partner.pool is not None and set(partner.pool.members) == {"Groep 5", "Groep 8"}
    assert all(c.comparison.protected for c in partner.constructs)


def test_school_overview_matches_the_analysis(ctx) -> None:  # type: ignore[no-untyped-def]
    school, year, wave = ctx
    overview = svc.school_overview(school, year, wave)
    data = wave_data(school, year, wave)
    expected = attention_list(data, AttentionPolicy(k=5)).to_json_dict("en")
    assert overview.attention.to_json_dict("en") == expected
    for j, construct in enumerate(overview.heatmap.constructs):
        table = group_table(data, construct)
        assert overview.heatmap.school[j].estimate == pytest.approx(table.total.estimate)
        for row in overview.heatmap.rows:
            cell = row.cells[j]
            if row.group == "Groep 8":
                assert cell.comparison is None
                continue
            unit = next(r for r in table.rows if row.group in r.members)
            assert cell.comparison.value == pytest.approx(unit.estimate)
    assert overview.heatmap.suppressed == ("Groep 8",)
    assert overview.heatmap.pools == ("Groep 5 + Groep 8",)
    six = next(r for r in overview.heatmap.rows if r.group == "Groep 6")
    assert six.cells[0].tone == -3 and six.cells[0].comparison.clear
    # trends: one point per school year, the last equal to this year's school total
    assert len(overview.history) == 3
    safety = overview.trend.series[0]
    assert safety.points[-1].estimate == pytest.approx(group_table(data, "veiligheid")
                                                       .total.estimate)
    # response: Groep 8 only inside the protected pool
    labels = [r.label for r in overview.response.rows]
    assert "Groep 8" not in labels and "Groep 5 + Groep 8" in labels
    assert overview.response.n == sum(g.n for g in data.groups)
    # incidents: the spike in Groep 4 is clear, counts add up
    four = next(r for r in overview.incidents.rows if r.group == "Groep 4")
    assert four.total == 9 and four.high
    assert sum(overview.incidents.by_year.counts[-1]) == overview.incidents.total
    alphas = {(a.instrument, a.construct): a.result for a in overview.reliability}
    assert ("veiligheid-5-8", "veiligheid") in alphas
    assert all(-1 <= r.alpha <= 1 for r in alphas.values() if math.isfinite(r.alpha))


def test_teacher_feedback_is_the_teachers_own_scores(ctx, demo_ids: Demo) -> None:  # type: ignore[no-untyped-def]
    school, _year, wave = ctx
    eva = db.session.get(User, demo_ids.eva)
    feedback = svc.teacher_feedback(eva, school)
    assert feedback.waves[0].school_year == YEAR
    assert feedback.waves[0].groups == ("Groep 6",)
    values = list(db.session.scalars(
        select(ConstructScore.common).join(Response, Response.id == ConstructScore.response_id)
        .where(ConstructScore.teacher_id == eva.id, ConstructScore.construct == "leraar_zorg",
               ConstructScore.common.is_not(None), Response.wave_id == wave.id)))
    expected = describe_mean(np.array(values))
    figure = next(f for f in feedback.waves[0].figures if f.construct == "leraar_zorg")
    assert figure.mean == pytest.approx(expected.mean) and figure.n == expected.n
    assert all(i.distribution.n >= feedback.k for w in feedback.waves for i in w.items)


def test_duo_teachers_each_get_their_own_feedback(ctx, demo_ids: Demo) -> None:  # type: ignore[no-untyped-def]
    school, _year, _wave = ctx
    sanne = svc.teacher_feedback(db.session.get(User, demo_ids.sanne), school)
    ahmed = db.session.scalar(select(User).where(User.email.like("ahmed@%")))
    other = svc.teacher_feedback(ahmed, school)
    assert sanne.waves[0].groups == other.waves[0].groups == ("Groep 3",)
    assert [f.mean for f in sanne.waves[0].figures] != [f.mean for f in other.waves[0].figures]


def test_coordinator_figures_are_school_level(ctx) -> None:  # type: ignore[no-untyped-def]
    school, year, wave = ctx
    figures = svc.coordinator_figures(school, year, wave)
    data = wave_data(school, year, wave)
    assert figures.totals[0].estimate == pytest.approx(group_table(data, "veiligheid")
                                                       .total.estimate)
    assert figures.totals[3].count == int(np.nansum(np.concatenate(
        [g.values("gepest") for g in data.groups if g.n])))
    assert all(i.label == "school" for i in figures.bullying_items)
    assert {i.construct for i in figures.bullying_items} == {"gepest"}

"""The bridge to ``analysis``: read one school's scores and incidents into ``WaveData``.

Counts and sums are aggregated in SQL; per-respondent construct scores (computed once, at
submission) are read as rows of three numbers and pivoted with NumPy. Nothing here computes a
statistic: that is the pure ``analysis`` package's work.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict

import numpy as np
from flask import current_app
from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import selectinload

from analysis.data import GroupData, WaveData
from analysis.policy import AttentionPolicy
from surveys.extensions import db
from surveys.models import ConstructScore, Group, Incident, Response, School, SchoolYear, SurveyWave
from surveys.services.organisation import OrganisationError, find_year

#: The safety constructs every safety instrument shares (DESIGN §5); teacher feedback is read
#: per teacher elsewhere and never mixed into the school's safety figures.
SAFETY_CONSTRUCTS = ("veiligheid", "welbevinden", "gepest", "hulp")


class AnalysisInputError(ValueError):
    """The school, year or wave asked for does not exist; the message says which."""


def find_wave(year: SchoolYear, name: str | None) -> SurveyWave | None:
    """The wave called ``name`` in ``year``, or without a name the year's latest wave."""
    query = select(SurveyWave).where(SurveyWave.school_year_id == year.id)
    if name is not None:
        return db.session.scalar(query.where(SurveyWave.name == name))
    return db.session.scalar(query.order_by(SurveyWave.starts_on.desc(), SurveyWave.id.desc()))


def comparable_wave(year: SchoolYear, wave: SurveyWave) -> SurveyWave | None:
    """Last school year's wave held at the nearest time of year (autumn with autumn)."""
    start = year.starts_on.year
    previous = db.session.scalar(
        select(SchoolYear).where(
            SchoolYear.school_id == year.school_id, SchoolYear.name == f"{start - 1}-{start}"
        )
    )
    if previous is None:
        return None
    candidates = db.session.scalars(
        select(SurveyWave).where(SurveyWave.school_year_id == previous.id)
    ).all()
    if not candidates:
        return None
    target = (wave.starts_on - year.starts_on).days
    return min(candidates, key=lambda w: abs((w.starts_on - previous.starts_on).days - target))


def wave_chain(
    year: SchoolYear, wave: SurveyWave, depth: int | None = None
) -> list[tuple[SchoolYear, SurveyWave]]:
    """This wave and, year by year, last year's comparable wave before it: oldest first, at
    most ``depth`` waves (all when None)."""
    chain = [(year, wave)]
    seen = {wave.id}
    while depth is None or len(chain) < depth:
        y, w = chain[-1]
        earlier = comparable_wave(y, w)
        if earlier is None or earlier.id in seen:
            break
        seen.add(earlier.id)
        chain.append((earlier.school_year, earlier))
    return chain[::-1]


def load_history(
    school: School, year: SchoolYear, wave: SurveyWave, depth: int | None = None
) -> list[WaveData]:
    """Every comparable wave up to this one (oldest first), each linked to the one before.

    Every group of each school year with its respondents' safety scores (construct, common
    metric, NaN where missing) and its incidents counted in SQL; read in three queries for the
    whole chain, however many years it spans.
    """
    chain = wave_chain(year, wave, depth)
    year_ids = [y.id for y, _ in chain]
    wave_ids = [w.id for _, w in chain]
    groups = db.session.scalars(
        select(Group).where(Group.school_year_id.in_(year_ids))
        .options(selectinload(Group.grade_links)).order_by(Group.name)).all()
    names = {g.id: g.name for g in groups}
    score_rows = db.session.execute(
        select(Response.wave_id, Response.group_id, cast(ConstructScore.response_id, String),
               ConstructScore.construct, ConstructScore.common)
        .join(Response, Response.id == ConstructScore.response_id)
        .where(Response.wave_id.in_(wave_ids), ConstructScore.part == 0,
               ConstructScore.construct.in_(SAFETY_CONSTRUCTS))
        .order_by(Response.wave_id, Response.group_id, ConstructScore.response_id)).all()
    respondents: dict[tuple[int, int], dict[str, int]] = defaultdict(dict)
    for wave_id, group_id, response_id, _c, _v in score_rows:
        index = respondents[(wave_id, group_id)]
        index.setdefault(response_id, len(index))
    scores: dict[tuple[int, int], dict[str, np.ndarray]] = {
        key: {c: np.full(len(index), np.nan) for c in SAFETY_CONSTRUCTS}
        for key, index in respondents.items()}
    for wave_id, group_id, response_id, construct, value in score_rows:
        if value is not None:
            key = (wave_id, group_id)
            scores[key][construct][respondents[key][response_id]] = value
    incidents: dict[int, dict[str, int]] = defaultdict(dict)
    for group_id, category, count in db.session.execute(
            select(Incident.group_id, Incident.category, func.count())
            .where(Incident.school_year_id.in_(year_ids), Incident.group_id.is_not(None))
            .group_by(Incident.group_id, Incident.category)):
        incidents[group_id][category] = int(count)
    out: list[WaveData] = []
    previous = None
    for y, w in chain:
        data = WaveData(
            school=school.name, school_year=y.name, wave=w.name,
            groups=tuple(
                GroupData(name=g.name, grades=tuple(g.grades), size=g.size,
                          previous_group=names.get(g.previous_group_id) or (
                              g.previous_group.name if g.previous_group_id else None),
                          scores=scores.get((w.id, g.id), {}), incidents=incidents.get(g.id, {}))
                for g in groups if g.school_year_id == y.id),
            previous=previous)
        out.append(data)
        previous = dataclasses.replace(data, previous=None)
    return out


def wave_data(
    school: School, year: SchoolYear, wave: SurveyWave, *, with_previous: bool = True
) -> WaveData:
    """Every group of ``year`` with its respondents' safety scores in ``wave`` and its
    incidents, plus last year's comparable wave (for trends) when ``with_previous``."""
    return load_history(school, year, wave, depth=2 if with_previous else 1)[-1]


def effective_k(school: School, wave: SurveyWave) -> int:
    """The strictest of the installation's, the school's and the wave's k (never below 5)."""
    settings_k = school.settings.k if school.settings else 5
    return max(5, int(current_app.config["PRIVACY_K"]), settings_k, wave.k)


def attention_for(school: School, year_name: str, wave_name: str | None = None):  # type: ignore[no-untyped-def]
    """The attention list of one school, year and wave (``analysis.attention_list``)."""
    from analysis.attention import attention_list

    year = find_year(school, year_name)
    if year is None:
        raise AnalysisInputError(f"{school.slug} has no school year {year_name}")
    wave = find_wave(year, wave_name)
    if wave is None:
        which = f"wave {wave_name!r}" if wave_name else "wave"
        raise AnalysisInputError(f"{school.slug} has no {which} in {year_name}")
    data = wave_data(school, year, wave)
    return attention_list(data, AttentionPolicy(k=effective_k(school, wave)))


__all__ = [
    "AnalysisInputError",
    "OrganisationError",
    "attention_for",
    "load_history",
    "wave_chain",
    "wave_data",
]

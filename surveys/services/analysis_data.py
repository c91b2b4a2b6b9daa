"""The bridge to ``analysis``: read one school's scores and incidents into ``WaveData``.

Counts and sums are aggregated in SQL; per-respondent construct scores (computed once, at
submission) are read as rows of three numbers and pivoted with NumPy. Nothing here computes a
statistic: that is the pure ``analysis`` package's work.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from flask import current_app
from sqlalchemy import func, select

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


def wave_data(
    school: School, year: SchoolYear, wave: SurveyWave, *, with_previous: bool = True
) -> WaveData:
    """Every group of ``year`` with its respondents' safety scores in ``wave`` and its
    incidents, plus last year's comparable wave (for trends) when ``with_previous``."""
    groups = db.session.scalars(
        select(Group).where(Group.school_year_id == year.id).order_by(Group.name)
    ).all()
    previous_names = dict(
        db.session.execute(
            select(Group.id, Group.name).where(
                Group.id.in_([g.previous_group_id for g in groups if g.previous_group_id])
            )
        ).all()
    )
    scores = _scores(wave.id)
    incidents = _incidents(year.id)
    data = []
    for group in groups:
        data.append(
            GroupData(
                name=group.name,
                grades=tuple(group.grades),
                size=group.size,
                previous_group=previous_names.get(group.previous_group_id),
                scores=scores.get(group.id, {}),
                incidents=incidents.get(group.id, {}),
            )
        )
    previous = None
    if with_previous:
        earlier = comparable_wave(year, wave)
        if earlier is not None:
            previous = wave_data(school, earlier.school_year, earlier, with_previous=False)
    return WaveData(
        school=school.name,
        school_year=year.name,
        wave=wave.name,
        groups=tuple(data),
        previous=previous,
    )


def _scores(wave_id: int) -> dict[int, dict[str, np.ndarray]]:
    """group id → construct → per-respondent common-metric scores (NaN where missing)."""
    rows = db.session.execute(
        select(Response.group_id, ConstructScore.response_id, ConstructScore.construct,
               ConstructScore.common)
        .join(Response, Response.id == ConstructScore.response_id)
        .where(
            Response.wave_id == wave_id,
            ConstructScore.part == 0,
            ConstructScore.construct.in_(SAFETY_CONSTRUCTS),
        )
        .order_by(Response.group_id, ConstructScore.response_id)
    ).all()
    respondents: dict[int, dict[object, int]] = defaultdict(dict)
    for group_id, response_id, _construct, _value in rows:
        respondents[group_id].setdefault(response_id, len(respondents[group_id]))
    out: dict[int, dict[str, np.ndarray]] = {}
    for group_id, index in respondents.items():
        out[group_id] = {c: np.full(len(index), np.nan) for c in SAFETY_CONSTRUCTS}
    for group_id, response_id, construct, value in rows:
        if value is not None:
            out[group_id][construct][respondents[group_id][response_id]] = value
    return out


def _incidents(year_id: int) -> dict[int, dict[str, int]]:
    """group id → incident category → count, counted in SQL."""
    rows = db.session.execute(
        select(Incident.group_id, Incident.category, func.count())
        .where(Incident.school_year_id == year_id, Incident.group_id.is_not(None))
        .group_by(Incident.group_id, Incident.category)
    ).all()
    out: dict[int, dict[str, int]] = defaultdict(dict)
    for group_id, category, count in rows:
        out[group_id][category] = int(count)
    return out


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


__all__ = ["AnalysisInputError", "OrganisationError", "attention_for", "wave_data"]

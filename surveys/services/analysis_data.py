"""The bridge to ``analysis``: read schools' scores and incidents into ``WaveData``.

Counts are aggregated in SQL; per-respondent construct scores (computed once, at submission)
are read as one row per respondent, pivoted by the database, and stacked with NumPy. Nothing
here computes a statistic: that is the pure ``analysis`` package's work.

The data of several schools are read together (a board's attention lists): the number of
queries does not grow with the number of schools or of school years.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import operator
from collections import defaultdict
from collections.abc import Sequence

import numpy as np
from flask import current_app
from sqlalchemy import Select, String, bindparam, case, cast, func, select
from sqlalchemy.orm import aliased

from analysis.attention import AttentionResult, attention_list
from analysis.data import GroupData, WaveData
from analysis.policy import AttentionPolicy
from surveys.extensions import db
from surveys.models import (
    ConstructScore,
    Group,
    GroupGrade,
    Incident,
    Response,
    School,
    SchoolSettings,
    SchoolYear,
    SurveyWave,
)
from surveys.services.organisation import OrganisationError

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


def _pick_wave(waves: Sequence[SurveyWave], name: str | None) -> SurveyWave | None:
    """What ``find_wave`` picks, from a year's waves already read."""
    if name is not None:
        return next((w for w in waves if w.name == name), None)
    return max(waves, key=lambda w: (w.starts_on, w.id), default=None)


def _closest(
    previous: SchoolYear, candidates: list[SurveyWave], year: SchoolYear, wave: SurveyWave
) -> SurveyWave | None:
    """Of ``previous``'s waves, the one held nearest the time of year ``wave`` was held."""
    if not candidates:
        return None
    target = (wave.starts_on - year.starts_on).days
    return min(candidates, key=lambda w: abs((w.starts_on - previous.starts_on).days - target))


def _previous_name(year: SchoolYear) -> str:
    start = year.starts_on.year
    return f"{start - 1}-{start}"


def comparable_wave(year: SchoolYear, wave: SurveyWave) -> SurveyWave | None:
    """Last school year's wave held at the nearest time of year (autumn with autumn)."""
    previous = db.session.scalar(
        select(SchoolYear).where(
            SchoolYear.school_id == year.school_id, SchoolYear.name == _previous_name(year)
        )
    )
    if previous is None:
        return None
    candidates = list(db.session.scalars(
        select(SurveyWave).where(SurveyWave.school_year_id == previous.id)
        .order_by(SurveyWave.id)))
    return _closest(previous, candidates, year, wave)


@functools.cache
def _statements() -> dict[str, Select]:
    """The bridge's four queries, built once (building a statement costs more than running a
    cached one); the ids come in as expanding parameters."""
    previous = aliased(Group)
    score = ConstructScore
    return {
        # every school year and wave of some schools, with each school's own k
        "calendar": select(SchoolYear, SurveyWave, SchoolSettings.k)
        .outerjoin(SurveyWave, SurveyWave.school_year_id == SchoolYear.id)
        .outerjoin(SchoolSettings, SchoolSettings.school_id == SchoolYear.school_id)
        .where(SchoolYear.school_id.in_(bindparam("schools", expanding=True)))
        .order_by(SurveyWave.id),
        # every group with its grades ("3,4") and the name of the group its pupils formed
        # last year
        "groups": select(Group.id, Group.school_year_id, Group.name, Group.size, previous.name,
                         func.aggregate_strings(cast(GroupGrade.grade, String), ","))
        .outerjoin(previous, previous.id == Group.previous_group_id)
        .outerjoin(GroupGrade, GroupGrade.group_id == Group.id)
        .where(Group.school_year_id.in_(bindparam("years", expanding=True)))
        .group_by(Group.id, Group.school_year_id, Group.name, Group.size, previous.name)
        .order_by(Group.name),
        # one row per respondent: their score on each safety construct (NULL when missing)
        "scores": select(
            Response.wave_id, Response.group_id,
            *(func.max(case((score.construct == c, score.common))) for c in SAFETY_CONSTRUCTS))
        .join(score, score.response_id == Response.id)
        .where(Response.wave_id.in_(bindparam("waves", expanding=True)), score.part == 0,
               score.construct.in_(SAFETY_CONSTRUCTS))
        .group_by(Response.wave_id, Response.group_id, Response.id)
        .order_by(Response.wave_id, Response.group_id, Response.id),
        # incidents per group and category
        "incidents": select(Incident.group_id, Incident.category, func.count())
        .where(Incident.school_year_id.in_(bindparam("years", expanding=True)),
               Incident.group_id.is_not(None))
        .group_by(Incident.group_id, Incident.category),
    }


@dataclasses.dataclass
class _Calendar:
    """Every school year and wave of some schools, and each school's own k: one query."""

    years: dict[tuple[int, str], SchoolYear]  # (school id, name) -> year
    waves: dict[int, list[SurveyWave]]  # year id -> its waves, by id
    k: dict[int, int]  # school id -> the k of its settings

    @classmethod
    def of(cls, school_ids: Sequence[int]) -> _Calendar:
        years: dict[tuple[int, str], SchoolYear] = {}
        waves: dict[int, list[SurveyWave]] = defaultdict(list)
        k: dict[int, int] = {}
        for year, wave, own_k in db.session.execute(
                _statements()["calendar"], {"schools": sorted(set(school_ids))}):
            years[(year.school_id, year.name)] = year
            if wave is not None:
                waves[year.id].append(wave)
            if own_k is not None:
                k[year.school_id] = own_k
        return cls(years, waves, k)

    def chain(self, year: SchoolYear, wave: SurveyWave,
              depth: int | None) -> list[tuple[SchoolYear, SurveyWave]]:
        chain = [(year, wave)]
        seen = {wave.id}
        while depth is None or len(chain) < depth:
            y, w = chain[-1]
            previous = self.years.get((y.school_id, _previous_name(y)))
            earlier = _closest(previous, self.waves[previous.id], y, w) if previous else None
            if earlier is None or earlier.id in seen:
                break
            seen.add(earlier.id)
            chain.append((previous, earlier))  # type: ignore[arg-type]
        return chain[::-1]


def wave_chain(
    year: SchoolYear, wave: SurveyWave, depth: int | None = None
) -> list[tuple[SchoolYear, SurveyWave]]:
    """This wave and, year by year, last year's comparable wave before it: oldest first, at
    most ``depth`` waves (all when None). One query, however long the chain."""
    return _Calendar.of([year.school_id]).chain(year, wave, depth)


def load_history(
    school: School, year: SchoolYear, wave: SurveyWave, depth: int | None = None
) -> list[WaveData]:
    """Every comparable wave up to this one (oldest first), each linked to the one before.

    Every group of each school year with its respondents' safety scores (construct, common
    metric, NaN where missing) and its incidents counted in SQL; see :func:`load_histories`.
    """
    return load_histories([(school, year, wave)], depth)[0]


def load_histories(
    targets: Sequence[tuple[School, SchoolYear, SurveyWave]], depth: int | None = None,
    calendar: _Calendar | None = None,
) -> list[list[WaveData]]:
    """:func:`load_history` of several schools at once, in four queries however many schools
    and years: one for the chains of waves, one each for the groups (with their grades), the
    respondents' scores (one row per respondent, pivoted in SQL) and the incidents."""
    if not targets:
        return []
    calendar = calendar or _Calendar.of([school.id for school, _, _ in targets])
    chains = [calendar.chain(year, wave, depth) for _, year, wave in targets]
    year_ids = sorted({y.id for chain in chains for y, _ in chain})
    wave_ids = sorted({w.id for chain in chains for _, w in chain})

    statements = _statements()
    groups: dict[int, list[tuple[int, str, int, str | None]]] = defaultdict(list)
    grades: dict[int, tuple[int, ...]] = {}
    for group_id, year_id, name, size, previous_name, listed in db.session.execute(
            statements["groups"], {"years": year_ids}):
        groups[year_id].append((group_id, name, size, previous_name))
        grades[group_id] = tuple(sorted(int(g) for g in listed.split(","))) if listed else ()

    rows = db.session.execute(statements["scores"], {"waves": wave_ids}).all()
    scores: dict[tuple[int, int], dict[str, np.ndarray]] = {}
    for key, respondents in itertools.groupby(rows, key=operator.itemgetter(0, 1)):
        matrix = np.array([r[2:] for r in respondents], dtype=float)  # NULL becomes NaN
        scores[key] = {c: matrix[:, i] for i, c in enumerate(SAFETY_CONSTRUCTS)}

    incidents: dict[int, dict[str, int]] = defaultdict(dict)
    for group_id, category, count in db.session.execute(
            statements["incidents"], {"years": year_ids}):
        incidents[group_id][category] = int(count)

    out = []
    for (school, _, _), chain in zip(targets, chains, strict=True):
        history: list[WaveData] = []
        earlier = None
        for y, w in chain:
            data = WaveData(
                school=school.name, school_year=y.name, wave=w.name,
                groups=tuple(
                    GroupData(name=name, grades=grades[group_id], size=size,
                              previous_group=previous_name,
                              scores=scores.get((w.id, group_id), {}),
                              incidents=incidents.get(group_id, {}))
                    for group_id, name, size, previous_name in groups[y.id]),
                previous=earlier)
            history.append(data)
            earlier = dataclasses.replace(data, previous=None)
        out.append(history)
    return out


def wave_data(
    school: School, year: SchoolYear, wave: SurveyWave, *, with_previous: bool = True
) -> WaveData:
    """Every group of ``year`` with its respondents' safety scores in ``wave`` and its
    incidents, plus last year's comparable wave (for trends) when ``with_previous``."""
    return load_history(school, year, wave, depth=2 if with_previous else 1)[-1]


def effective_k(school: School, wave: SurveyWave, settings_k: int | None = None) -> int:
    """The strictest of the installation's, the school's and the wave's k (never below 5).

    ``settings_k``: the school's own k when the caller has read it already."""
    if settings_k is None:
        settings_k = school.settings.k if school.settings else 5
    return max(5, int(current_app.config["PRIVACY_K"]), settings_k, wave.k)


def attention_for(school: School, year_name: str, wave_name: str | None = None) -> AttentionResult:
    """The attention list of one school, year and wave (``analysis.attention_list``)."""
    found = attention_lists([school], year_name, wave_name, missing="raise")
    return found[school.slug]


def attention_lists(
    schools: Sequence[School], year_name: str, wave_name: str | None = None, *,
    missing: str = "skip",
) -> dict[str, AttentionResult]:
    """The attention lists of several schools (a board), by slug, in one school year.

    The schools' data are read together, in five queries however many schools. A school
    without that school year or wave is left out (``missing="raise"``: raises
    ``AnalysisInputError`` saying which).
    """
    calendar = _Calendar.of([s.id for s in schools])
    targets = []
    for school in schools:
        year = calendar.years.get((school.id, year_name))
        wave = _pick_wave(calendar.waves[year.id], wave_name) if year is not None else None
        if wave is None and missing == "raise":
            if year is None:
                raise AnalysisInputError(f"{school.slug} has no school year {year_name}")
            which = f"wave {wave_name!r}" if wave_name else "wave"
            raise AnalysisInputError(f"{school.slug} has no {which} in {year_name}")
        if wave is not None:
            targets.append((school, year, wave))
    histories = load_histories(targets, depth=2, calendar=calendar)  # type: ignore[arg-type]
    return {
        school.slug: attention_list(
            history[-1],
            AttentionPolicy(k=effective_k(school, wave, calendar.k.get(school.id, 5))))
        for (school, _, wave), history in zip(targets, histories, strict=True)
    }


__all__ = [
    "AnalysisInputError",
    "OrganisationError",
    "attention_for",
    "attention_lists",
    "load_histories",
    "load_history",
    "wave_chain",
    "wave_data",
]

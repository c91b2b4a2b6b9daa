"""Survey waves (afnames): create, change, open and close.

Privacy settings of a wave (k, one-time codes) can always be made stricter, but once the wave
has responses they can never be weakened, and the instruments it uses are fixed (P7).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select

import instruments
from surveys.extensions import db
from surveys.models import Response, SchoolYear, SurveyWave, WaveInstrument
from surveys.services.messages import N_, Refusal


class WaveError(Refusal):
    """A wave cannot be created or changed as asked; the message says why."""


@dataclass(frozen=True)
class WaveSettings:
    name: str
    starts_on: dt.date
    ends_on: dt.date
    k: int
    one_time_codes: bool
    #: (grade, instrument id, version) triples.
    assignments: frozenset[tuple[int, str, int]]


def minimum_k(year: SchoolYear) -> int:
    settings = year.school.settings
    return max(5, current_app.config.get("PRIVACY_K", 5), settings.k if settings else 5)


def default_assignments() -> frozenset[tuple[int, str, int]]:
    """The newest version of every instrument for every grade it serves (groep 3-8)."""
    out = set()
    for grade in range(1, 9):
        for inst in instruments.for_grade(grade, teacher_feedback=True):
            out.add((grade, inst.id, inst.version))
    return frozenset(out)


def response_count(wave: SurveyWave) -> int:
    return db.session.scalar(select(func.count()).select_from(Response)
                             .where(Response.wave_id == wave.id)) or 0


def _check(year: SchoolYear, settings: WaveSettings, wave: SurveyWave | None) -> None:
    name = settings.name.strip()
    if not name or len(name) > 100:
        raise WaveError(N_("a wave needs a name of at most 100 characters"))
    clash = db.session.scalar(select(SurveyWave).where(
        SurveyWave.school_year_id == year.id, SurveyWave.name == name))
    if clash is not None and clash is not wave:
        raise WaveError(N_("%(year)s already has a wave called %(name)s"),
                        year=year.name, name=name)
    if settings.ends_on < settings.starts_on:
        raise WaveError(N_("the wave ends before it starts"))
    if settings.starts_on < year.starts_on or settings.ends_on > year.ends_on:
        raise WaveError(
            N_("the period must lie within school year %(year)s (%(start)s to %(end)s)"),
            year=year.name, start=year.starts_on.isoformat(),
                        end=year.ends_on.isoformat())
    low = minimum_k(year)
    if settings.k < low:
        raise WaveError(N_("k must be at least %(k)s"), k=low)
    if settings.k > 50:
        raise WaveError(N_("k may be at most 50"))
    if not settings.assignments:
        raise WaveError(N_("choose at least one questionnaire for at least one grade"))
    kinds: dict[tuple[int, bool], str] = {}
    for grade, inst_id, version in sorted(settings.assignments):
        try:
            inst = instruments.get(inst_id, version)
        except KeyError:
            raise WaveError(N_("unknown questionnaire %(id)s version %(version)s"),
                            id=inst_id, version=version) from None
        if grade not in inst.grades:
            raise WaveError(N_("%(id)s is not meant for groep %(grade)s"), id=inst_id, grade=grade)
        key = (grade, inst.is_teacher_feedback)
        if key in kinds:
            raise WaveError(N_("groep %(grade)s would get two questionnaires of the same kind "
                               "(%(one)s and %(other)s)"),
                            grade=grade, one=kinds[key], other=f"{inst_id} v{version}")
        kinds[key] = f"{inst_id} v{version}"


def _apply(wave: SurveyWave, settings: WaveSettings) -> None:
    wave.name = settings.name.strip()
    wave.starts_on = settings.starts_on
    wave.ends_on = settings.ends_on
    wave.k = settings.k
    wave.one_time_codes = settings.one_time_codes


def _set_assignments(wave: SurveyWave, assignments: frozenset[tuple[int, str, int]]) -> None:
    wave.instruments = [WaveInstrument(grade=g, instrument_id=i, version=v)
                        for g, i, v in sorted(assignments)]
    wave.teacher_feedback = any(instruments.get(i, v).is_teacher_feedback
                                for _g, i, v in assignments)


def create_wave(year: SchoolYear, settings: WaveSettings) -> SurveyWave:
    _check(year, settings, None)
    wave = SurveyWave(school_year=year, status="draft")
    _apply(wave, settings)
    _set_assignments(wave, settings.assignments)
    db.session.add(wave)
    db.session.flush()
    return wave


def assignments_of(wave: SurveyWave) -> frozenset[tuple[int, str, int]]:
    return frozenset((wi.grade, wi.instrument_id, wi.version) for wi in wave.instruments)


def update_wave(wave: SurveyWave, settings: WaveSettings) -> list[str]:
    """Change a wave; with responses, privacy may only get stricter and the questionnaires stay.
    Returns the audit-log description of what changed."""
    _check(wave.school_year, settings, wave)
    if response_count(wave):
        if settings.k < wave.k:
            raise WaveError(N_("this wave has responses: k cannot go below %(k)s"), k=wave.k)
        if wave.one_time_codes and not settings.one_time_codes:
            raise WaveError(N_("this wave has responses: one-time codes cannot be switched off"))
        if settings.assignments != assignments_of(wave):
            raise WaveError(N_("this wave has responses: its questionnaires cannot change"))
    before = {"name": wave.name, "period": f"{wave.starts_on}–{wave.ends_on}", "k": wave.k,
              "one_time_codes": wave.one_time_codes}
    _apply(wave, settings)
    after = {"name": wave.name, "period": f"{wave.starts_on}–{wave.ends_on}", "k": wave.k,
             "one_time_codes": wave.one_time_codes}
    changed = [f"{key}: {before[key]} → {after[key]}"
               for key in before if before[key] != after[key]]
    if settings.assignments != assignments_of(wave):
        _set_assignments(wave, settings.assignments)
        changed.append("questionnaires")
    db.session.flush()
    return changed


def open_wave(wave: SurveyWave) -> None:
    if wave.status == "open":
        raise WaveError(N_("this wave is open already"))
    if not wave.instruments:
        raise WaveError(N_("choose the questionnaires before opening the wave"))
    other = db.session.scalar(select(SurveyWave).join(SchoolYear).where(
        SchoolYear.school_id == wave.school_year.school_id, SurveyWave.status == "open",
        SurveyWave.id != wave.id))
    if other is not None:
        raise WaveError(N_("close wave %(name)s (%(year)s) first: one wave is open at a time"),
                        name=other.name, year=other.school_year.name)
    wave.status = "open"
    db.session.flush()


def close_wave(wave: SurveyWave) -> None:
    if wave.status != "open":
        raise WaveError(N_("only an open wave can be closed"))
    wave.status = "closed"
    db.session.flush()


def waves_of(school_id: int) -> list[SurveyWave]:
    return list(db.session.scalars(select(SurveyWave).join(SchoolYear)
                                   .where(SchoolYear.school_id == school_id)
                                   .order_by(SchoolYear.starts_on.desc(), SurveyWave.starts_on)))

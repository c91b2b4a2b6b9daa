"""Retention (P6): after the school's retention period, raw responses and incident descriptions
are removed and only aggregates per wave, group and construct are kept.

A wave is purged as a whole once its last day lies more than ``retention_years`` in the past:
first its construct scores are summarised into ``GroupSummary`` rows (in SQL, per group,
construct and teacher), then its responses, answers and scores are deleted. Incidents keep their
date, group, category and handling; only the free-text description goes. Handled conversation
requests older than the period are deleted.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from sqlalchemy import case, delete, func, select, update

from surveys.extensions import db
from surveys.models import (
    Answer,
    ConstructScore,
    ConversationRequest,
    GroupSummary,
    Incident,
    Response,
    School,
    SchoolYear,
    SurveyWave,
)


@dataclass
class PurgeResult:
    cutoff: dt.date
    waves: list[str] = field(default_factory=list)
    responses: int = 0
    summaries: int = 0
    descriptions: int = 0
    requests: int = 0


def cutoff_for(retention_years: int, today: dt.date) -> dt.date:
    """Data from before this day is older than the retention period."""
    try:
        return today.replace(year=today.year - retention_years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - retention_years, day=28)


def summarise_wave(wave: SurveyWave) -> int:
    """Store the wave's aggregates per group, construct and teacher; returns the row count."""
    valid = ConstructScore.common.is_not(None)
    rows = db.session.execute(
        select(Response.group_id, ConstructScore.construct, ConstructScore.teacher_id,
               func.count(ConstructScore.common),
               func.sum(ConstructScore.common),
               func.sum(ConstructScore.common * ConstructScore.common),
               func.sum(case((ConstructScore.value >= 1.0, 1), else_=0)))
        .join(Response, Response.id == ConstructScore.response_id)
        .where(Response.wave_id == wave.id, valid)
        .group_by(Response.group_id, ConstructScore.construct, ConstructScore.teacher_id)
    ).all()
    for group_id, construct, teacher_id, n, total, squares, positive in rows:
        mean = total / n if n else None
        sd = None
        if n and n > 1:
            sd = math.sqrt(max(0.0, (squares - n * mean * mean) / (n - 1)))
        db.session.add(GroupSummary(wave_id=wave.id, group_id=group_id, construct=construct,
                                    teacher_id=teacher_id, n=n, mean=mean, sd=sd,
                                    n_positive=positive))
    db.session.flush()
    return len(rows)


def purge_school(school: School, today: dt.date | None = None) -> PurgeResult:
    """Purge what is older than the school's retention period (the caller commits)."""
    today = today or dt.date.today()
    years = school.settings.retention_years if school.settings else 5
    result = PurgeResult(cutoff=cutoff_for(years, today))
    year_ids = select(SchoolYear.id).where(SchoolYear.school_id == school.id)
    waves = db.session.scalars(select(SurveyWave).where(
        SurveyWave.school_year_id.in_(year_ids), SurveyWave.ends_on < result.cutoff)).all()
    for wave in waves:
        ids = select(Response.id).where(Response.wave_id == wave.id)
        count = db.session.scalar(select(func.count()).select_from(ids.subquery())) or 0
        if not count:
            continue
        result.summaries += summarise_wave(wave)
        db.session.execute(delete(Answer).where(Answer.response_id.in_(ids)))
        db.session.execute(delete(ConstructScore).where(ConstructScore.response_id.in_(ids)))
        db.session.execute(delete(Response).where(Response.wave_id == wave.id))
        result.responses += count
        result.waves.append(f"{wave.school_year.name} {wave.name}")
    result.descriptions = db.session.execute(
        update(Incident).where(Incident.school_year_id.in_(year_ids),
                               Incident.occurred_on < result.cutoff,
                               Incident.description.is_not(None))
        .values(description=None)).rowcount or 0
    result.requests = db.session.execute(
        delete(ConversationRequest).where(ConversationRequest.school_id == school.id,
                                          ConversationRequest.handled.is_(True),
                                          ConversationRequest.created_on < result.cutoff)
    ).rowcount or 0
    db.session.expire_all()
    return result

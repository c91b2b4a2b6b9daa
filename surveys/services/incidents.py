"""Incident registration: register, change, list with filters; every change is audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from surveys.extensions import db
from surveys.models import (
    FOLLOW_UP_STATUSES,
    HANDLED_BY,
    INCIDENT_CATEGORIES,
    INCIDENT_LOCATIONS,
    Group,
    Incident,
    SchoolYear,
    User,
)
from surveys.services import audit
from surveys.services.messages import N_, Refusal

DESCRIPTION_MAX = 2000


class IncidentError(Refusal):
    """An incident cannot be stored as given; the message says why."""


@dataclass(frozen=True)
class IncidentIn:
    occurred_on: dt.date
    group: Group | None
    category: str
    location: str | None
    handled_by: str
    parents_informed: bool | None
    follow_up: str
    description: str


def _check(year: SchoolYear, data: IncidentIn, today: dt.date) -> None:
    if data.occurred_on > today:
        raise IncidentError(N_("the date lies in the future"))
    if not year.starts_on <= data.occurred_on <= year.ends_on:
        raise IncidentError(N_("the date lies outside school year %(year)s"), year=year.name)
    if data.group is not None and data.group.school_year_id != year.id:
        raise IncidentError(N_("%(group)s is not a group of school year %(year)s"),
                            group=data.group.name, year=year.name)
    if data.category not in INCIDENT_CATEGORIES:
        raise IncidentError(N_("choose a category"))
    if data.location is not None and data.location not in INCIDENT_LOCATIONS:
        raise IncidentError(N_("choose where it happened"))
    if data.handled_by not in HANDLED_BY:
        raise IncidentError(N_("choose who handled it"))
    if data.follow_up not in FOLLOW_UP_STATUSES:
        raise IncidentError(N_("choose the follow-up status"))
    if len(data.description) > DESCRIPTION_MAX:
        raise IncidentError(N_("the description may have at most %(n)s characters"),
                            n=DESCRIPTION_MAX)


def year_for(school_id: int, day: dt.date) -> SchoolYear:
    name = SchoolYear.name_for(day)
    year = db.session.scalar(select(SchoolYear).where(SchoolYear.school_id == school_id,
                                                      SchoolYear.name == name))
    if year is None:
        raise IncidentError(N_("school year %(year)s does not exist yet: create it first"),
                            year=name)
    return year


def _fields(incident: Incident) -> dict[str, object]:
    return {
        "date": incident.occurred_on.isoformat(),
        "group": incident.group.name if incident.group else None,
        "category": incident.category, "location": incident.location,
        "handled_by": incident.handled_by, "parents_informed": incident.parents_informed,
        "follow_up": incident.follow_up, "description": incident.description or "",
    }


def _apply(incident: Incident, year: SchoolYear, data: IncidentIn) -> None:
    incident.school_year = year
    incident.occurred_on = data.occurred_on
    incident.group = data.group
    incident.category = data.category
    incident.location = data.location
    incident.handled_by = data.handled_by
    incident.parents_informed = data.parents_informed
    incident.follow_up = data.follow_up
    incident.description = data.description.strip() or None


def register(user: User, school_id: int, data: IncidentIn, *,
             today: dt.date | None = None) -> Incident:
    year = year_for(school_id, data.occurred_on)
    _check(year, data, today or dt.date.today())
    incident = Incident(created_by_id=user.id)
    _apply(incident, year, data)
    db.session.add(incident)
    db.session.flush()
    audit.record(user, "incident_registered", incident, school_id=school_id,
                 detail=f"{incident.category}, {incident.occurred_on.isoformat()}")
    return incident


def update(user: User, incident: Incident, data: IncidentIn, *,
           today: dt.date | None = None) -> str:
    """Change an incident; returns what changed (the description is named, never copied)."""
    school_id = incident.school_year.school_id
    year = year_for(school_id, data.occurred_on)
    _check(year, data, today or dt.date.today())
    before = _fields(incident)
    _apply(incident, year, data)
    db.session.flush()
    detail = audit.changes(before, _fields(incident), private=("description",))
    if detail:
        audit.record(user, "incident_changed", incident, school_id=school_id, detail=detail)
    return detail


@dataclass(frozen=True)
class Filters:
    year_id: int | None = None
    group_id: int | None = None
    category: str | None = None
    follow_up: str | None = None
    handled_by: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def listing(scope, filters: Filters, limit: int = 500) -> list[Incident]:  # type: ignore[no-untyped-def]
    """Incidents within ``scope`` (a permissions WHERE clause), newest first."""
    query = select(Incident).where(scope)
    if filters.year_id:
        query = query.where(Incident.school_year_id == filters.year_id)
    if filters.group_id:
        query = query.where(Incident.group_id == filters.group_id)
    if filters.category:
        query = query.where(Incident.category == filters.category)
    if filters.follow_up:
        query = query.where(Incident.follow_up == filters.follow_up)
    if filters.handled_by:
        query = query.where(Incident.handled_by == filters.handled_by)
    if filters.date_from:
        query = query.where(Incident.occurred_on >= filters.date_from)
    if filters.date_to:
        query = query.where(Incident.occurred_on <= filters.date_to)
    query = query.order_by(Incident.occurred_on.desc(), Incident.id.desc()).limit(limit)
    return list(db.session.scalars(query))

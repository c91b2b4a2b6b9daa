"""Schools, school years and groups."""

from __future__ import annotations

import re

from sqlalchemy import select

from surveys.extensions import db
from surveys.models import Group, School, SchoolSettings, SchoolYear

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")


class OrganisationError(ValueError):
    """A school, year or group cannot be created or changed as asked; the message says why."""


def create_school(slug: str, name: str, board_id: int | None = None) -> School:
    slug = slug.strip().lower()
    if not SLUG_RE.match(slug):
        raise OrganisationError(
            f"school slug {slug!r} may only hold lowercase letters, digits and dashes"
        )
    if not name.strip():
        raise OrganisationError("a school needs a name")
    if db.session.scalar(select(School.id).where(School.slug == slug)) is not None:
        raise OrganisationError(f"a school with slug {slug!r} already exists")
    school = School(slug=slug, name=name.strip(), board_id=board_id)
    school.settings = SchoolSettings()
    db.session.add(school)
    db.session.flush()
    return school


def get_school(slug: str) -> School:
    school = db.session.scalar(select(School).where(School.slug == slug.strip().lower()))
    if school is None:
        raise OrganisationError(f"no school with slug {slug!r}")
    return school


def get_or_create_year(school: School, name: str) -> SchoolYear:
    try:
        starts_on, ends_on = SchoolYear.bounds(name)
    except ValueError as exc:
        raise OrganisationError(str(exc)) from exc
    year = db.session.scalar(
        select(SchoolYear).where(SchoolYear.school_id == school.id, SchoolYear.name == name)
    )
    if year is None:
        year = SchoolYear(school=school, name=name, starts_on=starts_on, ends_on=ends_on)
        db.session.add(year)
        db.session.flush()
    return year


def find_year(school: School, name: str) -> SchoolYear | None:
    return db.session.scalar(
        select(SchoolYear).where(SchoolYear.school_id == school.id, SchoolYear.name == name)
    )


def groups_by_name(year: SchoolYear) -> dict[str, Group]:
    return {g.name: g for g in db.session.scalars(
        select(Group).where(Group.school_year_id == year.id)
    )}

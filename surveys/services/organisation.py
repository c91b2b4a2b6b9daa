"""Schools, school years and groups."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import select

from surveys.extensions import db
from surveys.models import Group, School, SchoolSettings, SchoolYear, User
from surveys.services.messages import N_, Refusal

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")


class OrganisationError(Refusal):
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


# --- the director's pages: years and groups ---------------------------------------------------

GROUP_SIZE_MAX = 60


def create_year(school: School, name: str) -> SchoolYear:
    name = name.strip()
    if find_year(school, name) is not None:
        raise OrganisationError(N_("school year %(name)s already exists"), name=name)
    return get_or_create_year(school, name)


def years_of(school: School) -> list[SchoolYear]:
    """The school's years, newest first."""
    return list(db.session.scalars(select(SchoolYear).where(SchoolYear.school_id == school.id)
                                   .order_by(SchoolYear.starts_on.desc())))


def current_year(school: School, today: dt.date | None = None) -> SchoolYear | None:
    """The year that holds today, else the newest year before today, else the newest."""
    today = today or dt.date.today()
    years = years_of(school)
    for year in years:
        if year.starts_on <= today:
            return year
    return years[-1] if years else None


def previous_year(year: SchoolYear) -> SchoolYear | None:
    start = year.starts_on.year
    return find_year(year.school, f"{start - 1}-{start}")


def next_year_name(year: SchoolYear) -> str:
    start = year.starts_on.year
    return f"{start + 1}-{start + 2}"


def teachers_of(school: School) -> list[User]:
    return list(db.session.scalars(select(User).where(
        User.school_id == school.id, User.role == "teacher", User.active.is_(True))
        .order_by(User.display_name)))


def save_group(year: SchoolYear, group: Group | None, *, name: str, grades: list[int], size: int,
               teachers: list[User], previous: Group | None) -> tuple[Group, dict[str, object]]:
    """Create (``group`` None) or change a group; returns it and its values before the change."""
    name = name.strip()
    if not name or len(name) > 100:
        raise OrganisationError(N_("a group needs a name of at most 100 characters"))
    clash = groups_by_name(year).get(name)
    if clash is not None and clash is not group:
        raise OrganisationError(N_("%(year)s already has a group called %(name)s"),
                                year=year.name, name=name)
    if not grades or any(not 1 <= g <= 8 for g in grades):
        raise OrganisationError(N_("choose one or more grades from groep 1 to 8"))
    if not 0 <= size <= GROUP_SIZE_MAX:
        raise OrganisationError(N_("the number of pupils must lie between 0 and %(max)s"),
                                max=GROUP_SIZE_MAX)
    for teacher in teachers:
        if teacher.school_id != year.school_id or teacher.role != "teacher":
            raise OrganisationError(N_("%(email)s is not a teacher of this school"),
                                    email=teacher.email)
    if previous is not None:
        before_year = previous_year(year)
        if before_year is None or previous.school_year_id != before_year.id:
            raise OrganisationError(N_("the previous group must be a group of the year before"))
    before = describe_group(group) if group is not None else {}
    if group is None:
        group = Group(school_year=year, name=name)
        db.session.add(group)
    group.name = name
    group.grades = grades
    group.size = size
    group.set_teachers(teachers)
    group.previous_group = previous
    db.session.flush()
    return group, before


def describe_group(group: Group) -> dict[str, object]:
    """A group's values as the audit log records them."""
    return {
        "name": group.name, "grades": "/".join(str(g) for g in group.grades),
        "size": group.size, "teachers": ", ".join(t.display_name for t in group.teachers),
        "previous_group": group.previous_group.name if group.previous_group else None,
    }


# --- the "new school year" step ---------------------------------------------------------------


@dataclass
class NextGroup:
    """A proposed group for the next school year, made from one of this year's groups."""

    source_id: int
    name: str
    grades: list[int]
    size: int
    include: bool


def parse_grades(text: str) -> list[int]:
    """Grades typed as ``6``, ``3/4``, ``3;4`` or ``3, 4``."""
    parts = [p for p in re.split(r"[\s/;,]+", text.strip()) if p]
    if not parts or not all(p.isdigit() and 1 <= int(p) <= 8 for p in parts):
        raise OrganisationError(N_("%(text)s: give grades from 1 to 8, like 6 or 3/4"),
                                text=repr(text))
    return sorted({int(p) for p in parts})


def _moved_name(name: str, grades: list[int], moved: list[int]) -> str:
    if len(moved) == len(grades):
        # Every grade moves up: raise each grade's digit in the name ("Groep 3/4" -> "4/5").
        return re.sub(r"[1-8]", lambda m: str(int(m.group()) + 1)
                      if int(m.group()) in grades else m.group(), name)
    if name.lower().startswith("groep"):
        return "Groep " + "/".join(str(g) for g in moved)
    return name


def propose_next_year(year: SchoolYear) -> list[NextGroup]:
    """Every group one grade up; a group whose pupils all leave school (groep 8) is left out."""
    proposals = []
    for group in year.groups:
        moved = [g + 1 for g in group.grades if g < 8]
        proposals.append(NextGroup(
            source_id=group.id,
            name=_moved_name(group.name, group.grades, moved) if moved else group.name,
            grades=moved or list(group.grades), size=group.size, include=bool(moved)))
    return proposals


def create_next_year(year: SchoolYear, proposals: list[NextGroup]) -> SchoolYear:
    """Create the next school year with the chosen groups, each linked to the group it came
    from (which ties cohorts together across years)."""
    school = year.school
    name = next_year_name(year)
    target = find_year(school, name)
    if target is not None and target.groups:
        raise OrganisationError(N_("school year %(name)s already has groups"), name=name)
    sources = {g.id: g for g in year.groups}
    chosen = [p for p in proposals if p.include]
    if not chosen:
        raise OrganisationError(N_("choose at least one group to take into the new school year"))
    names = [p.name.strip() for p in chosen]
    for n in names:
        if names.count(n) > 1:
            raise OrganisationError(
                N_("two groups would be called %(name)s: give them different names"), name=n)
    target = target or get_or_create_year(school, name)
    for p in chosen:
        source = sources.get(p.source_id)
        if source is None:
            raise OrganisationError(N_("a proposed group does not belong to this school year"))
        save_group(target, None, name=p.name, grades=p.grades, size=p.size, teachers=[],
                   previous=source)
    return target

"""Small factories for tests: each returns a saved object with sensible defaults."""

from __future__ import annotations

import datetime as dt

import instruments
from surveys.extensions import db
from surveys.models import Group, School, SurveyWave, User, WaveInstrument
from surveys.services.accounts import create_user
from surveys.services.organisation import create_school, get_or_create_year
from surveys.services.responses import AnswerIn

PASSWORD = "correct horse battery"


def school(slug: str = "testschool", name: str = "Testschool") -> School:
    return create_school(slug, name)


def user(
    school: School | None, role: str = "teacher", email: str | None = None, name: str = "juf Test"
) -> User:
    email = email or f"{role}-{school.slug if school else 'board'}@example.org"
    return create_user(email=email, display_name=name, role=role, school=school, password=PASSWORD)


def group(
    school: School,
    name: str = "Groep 5",
    grades: tuple[int, ...] = (5,),
    size: int = 25,
    year: str = "2026-2027",
    teachers: list[User] | None = None,
) -> Group:
    y = get_or_create_year(school, year)
    g = Group(school_year=y, name=name, size=size)
    g.grades = list(grades)
    g.set_teachers(teachers or [])
    db.session.add(g)
    db.session.flush()
    return g


def wave(
    school: School, year: str = "2026-2027", name: str = "Najaar", assign: bool = True
) -> SurveyWave:
    y = get_or_create_year(school, year)
    w = SurveyWave(
        school_year=y,
        name=name,
        starts_on=dt.date(y.starts_on.year, 10, 1),
        ends_on=dt.date(y.starts_on.year, 11, 15),
        status="open",
    )
    if assign:
        for grade in range(3, 9):
            for inst in instruments.for_grade(grade, teacher_feedback=True):
                w.instruments.append(
                    WaveInstrument(grade=grade, instrument_id=inst.id, version=inst.version)
                )
    db.session.add(w)
    db.session.flush()
    return w


def full_answers(grade: int, value: int | None = None, parts: int = 1) -> list[AnswerIn]:
    """An answer to every item of every instrument for ``grade`` (top value unless given)."""
    out = []
    for inst in instruments.for_grade(grade, teacher_feedback=True):
        for part in range(1, parts + 1) if inst.is_teacher_feedback else [0]:
            for item in inst.items:
                scale = inst.scales[item.scale]
                v = value if value is not None else (scale.min if scale.frequency else scale.max)
                out.append(AnswerIn(inst.id, inst.version, item.key, v, part))
    return out

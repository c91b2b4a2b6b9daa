"""Schools, school years and groups (classes): how a school is organised."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Integer, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveys.extensions import db

if TYPE_CHECKING:
    from surveys.models.accounts import User
    from surveys.models.waves import SurveyWave


class Board(db.Model):
    """A school board (bestuur): one installation may serve all schools of a board."""

    __tablename__ = "boards"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))

    schools: Mapped[list[School]] = relationship(back_populates="board")


class School(db.Model):
    __tablename__ = "schools"

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int | None] = mapped_column(ForeignKey("boards.id"), index=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))

    board: Mapped[Board | None] = relationship(back_populates="schools")
    settings: Mapped[SchoolSettings] = relationship(
        back_populates="school", uselist=False, cascade="all, delete-orphan"
    )
    school_years: Mapped[list[SchoolYear]] = relationship(
        back_populates="school", order_by="SchoolYear.starts_on"
    )


class SchoolSettings(db.Model):
    """What a school decides for itself; pupils see the vertrouwenspersoon's name and contact.

    The vertrouwenspersoon is the school's confidential counsellor: the person a pupil can talk
    to about bullying or anything else that worries them.
    """

    __tablename__ = "school_settings"
    __table_args__ = (
        CheckConstraint("k >= 5", name="k_at_least_5"),
        CheckConstraint("retention_years >= 1", name="retention_positive"),
    )

    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), primary_key=True)
    vertrouwenspersoon_name: Mapped[str] = mapped_column(String(200), default="")
    vertrouwenspersoon_contact: Mapped[str] = mapped_column(String(500), default="")
    k: Mapped[int] = mapped_column(SmallInteger, default=5)
    retention_years: Mapped[int] = mapped_column(SmallInteger, default=5)
    director_sees_teacher_feedback: Mapped[bool] = mapped_column(default=False)
    default_language: Mapped[str] = mapped_column(String(2), default="nl")
    school_day_ends: Mapped[dt.time] = mapped_column(default=dt.time(15, 30))

    school: Mapped[School] = relationship(back_populates="settings")


class SchoolYear(db.Model):
    """A school year such as "2026-2027" (1 August to 31 July)."""

    __tablename__ = "school_years"
    __table_args__ = (UniqueConstraint("school_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    name: Mapped[str] = mapped_column(String(9))
    starts_on: Mapped[dt.date]
    ends_on: Mapped[dt.date]

    school: Mapped[School] = relationship(back_populates="school_years")
    groups: Mapped[list[Group]] = relationship(back_populates="school_year", order_by="Group.name")
    waves: Mapped[list[SurveyWave]] = relationship(back_populates="school_year")

    @staticmethod
    def bounds(name: str) -> tuple[dt.date, dt.date]:
        """The first and last day of a school year named ``YYYY-YYYY``; ValueError otherwise."""
        parts = name.split("-")
        if len(parts) != 2 or not all(p.isdigit() and len(p) == 4 for p in parts):
            raise ValueError(f"school year {name!r} is not of the form YYYY-YYYY")
        first, second = int(parts[0]), int(parts[1])
        if second != first + 1:
            raise ValueError(f"school year {name!r} must span two consecutive years")
        return dt.date(first, 8, 1), dt.date(second, 7, 31)

    @staticmethod
    def name_for(day: dt.date) -> str:
        start = day.year if day.month >= 8 else day.year - 1
        return f"{start}-{start + 1}"


class GroupTeacher(db.Model):
    """A teacher of a group; ``position`` orders the teachers of a duo-taught group."""

    __tablename__ = "group_teachers"

    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(SmallInteger, default=1)

    group: Mapped[Group] = relationship(back_populates="teacher_links")
    user: Mapped[User] = relationship()


class GroupGrade(db.Model):
    """One grade level (groep 1-8) of a group; a combination group has two or more."""

    __tablename__ = "group_grades"
    __table_args__ = (CheckConstraint("grade BETWEEN 1 AND 8", name="grade_range"),)

    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), primary_key=True)
    grade: Mapped[int] = mapped_column(SmallInteger, primary_key=True)


class Group(db.Model):
    """A class in one school year, e.g. "Groep 5" or the combination group "Groep 3/4"."""

    __tablename__ = "groups"
    __table_args__ = (
        UniqueConstraint("school_year_id", "name"),
        CheckConstraint("size >= 0", name="size_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_year_id: Mapped[int] = mapped_column(ForeignKey("school_years.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer, default=0)
    # The group these pupils formed last school year: it links cohorts across years.
    previous_group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"), index=True)

    school_year: Mapped[SchoolYear] = relationship(back_populates="groups")
    grade_links: Mapped[list[GroupGrade]] = relationship(
        cascade="all, delete-orphan", order_by="GroupGrade.grade"
    )
    teacher_links: Mapped[list[GroupTeacher]] = relationship(
        back_populates="group", cascade="all, delete-orphan", order_by="GroupTeacher.position"
    )
    previous_group: Mapped[Group | None] = relationship(remote_side=[id])

    @property
    def grades(self) -> list[int]:
        return [link.grade for link in self.grade_links]

    @grades.setter
    def grades(self, grades: list[int]) -> None:
        self.grade_links = [GroupGrade(grade=g) for g in sorted(set(grades))]

    @property
    def teachers(self) -> list[User]:
        return [link.user for link in self.teacher_links]

    def set_teachers(self, users: list[User]) -> None:
        self.teacher_links = [
            GroupTeacher(user=user, position=i) for i, user in enumerate(users, start=1)
        ]

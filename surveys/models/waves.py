"""Survey waves (afnames), the instruments they use, class sessions and one-time codes."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveys.extensions import db
from surveys.models.accounts import utcnow

if TYPE_CHECKING:
    from surveys.models.organisation import Group, SchoolYear

WAVE_STATUSES = ("draft", "open", "closed")


class InstrumentVersion(db.Model):
    """An instrument file version as used by stored answers, with its content hash.

    The hash makes a silently changed wording detectable: answers always refer to the exact text
    the pupil saw.
    """

    __tablename__ = "instrument_versions"
    __table_args__ = (UniqueConstraint("instrument_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))


class SurveyWave(db.Model):
    """One administration (afname) of instruments in a period of a school year."""

    __tablename__ = "survey_waves"
    __table_args__ = (
        UniqueConstraint("school_year_id", "name"),
        CheckConstraint("k >= 5", name="k_at_least_5"),
        CheckConstraint("status IN ('draft', 'open', 'closed')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_year_id: Mapped[int] = mapped_column(ForeignKey("school_years.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    starts_on: Mapped[dt.date]
    ends_on: Mapped[dt.date]
    status: Mapped[str] = mapped_column(String(10), default="draft")
    # Privacy settings (DESIGN §4 P7: never weakened once the wave has responses).
    k: Mapped[int] = mapped_column(SmallInteger, default=5)
    one_time_codes: Mapped[bool] = mapped_column(default=False)
    teacher_feedback: Mapped[bool] = mapped_column(default=True)

    school_year: Mapped[SchoolYear] = relationship(back_populates="waves")
    instruments: Mapped[list[WaveInstrument]] = relationship(
        cascade="all, delete-orphan",
        order_by="(WaveInstrument.grade, WaveInstrument.instrument_id)",
    )

    def instruments_for_grade(self, grade: int) -> list[WaveInstrument]:
        return [wi for wi in self.instruments if wi.grade == grade]


class WaveInstrument(db.Model):
    """Which instrument version serves which grade in a wave."""

    __tablename__ = "wave_instruments"
    __table_args__ = (CheckConstraint("grade BETWEEN 1 AND 8", name="grade_range"),)

    wave_id: Mapped[int] = mapped_column(ForeignKey("survey_waves.id"), primary_key=True)
    grade: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    instrument_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)


class ClassSession(db.Model):
    """A teacher's questionnaire session for one group: a class code pupils type on a tablet.

    Nothing in a response points back to a session (P1): the session only counts finished
    questionnaires so that the teacher sees progress.
    """

    __tablename__ = "class_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("survey_waves.id"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), index=True)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    code: Mapped[str] = mapped_column(String(6), index=True)
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ends_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    finished_count: Mapped[int] = mapped_column(Integer, default=0)

    wave: Mapped[SurveyWave] = relationship()
    group: Mapped[Group] = relationship()


class OneTimeCode(db.Model):
    """A printed card code that works once. Stored hashed; used is a flag, never a time (P3)."""

    __tablename__ = "one_time_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("survey_waves.id"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    used: Mapped[bool] = mapped_column(default=False)

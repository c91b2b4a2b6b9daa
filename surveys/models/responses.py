"""Pupils' responses, their answers and construct scores, and conversation requests.

The schema itself carries the anonymity rules of DESIGN §4: a response has a random id and a
date, never a time of day, a device, a code or anything that reveals the order of arrival.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveys.extensions import db

#: SQLite numbers the rows of an ordinary table in the order they arrive (the hidden rowid),
#: which would tell the order of submission (P2). These tables keep rows in key order instead:
#: a random UUID, or a key that starts with one.
WITHOUT_ROWID = {"sqlite_with_rowid": False}


class Response(db.Model):
    """One pupil's completed questionnaire (P1): random id, wave, group, grade and date only."""

    __tablename__ = "responses"
    __table_args__ = (
        CheckConstraint("grade BETWEEN 1 AND 8", name="grade_range"),
        Index("ix_responses_wave_group", "wave_id", "group_id"),
        WITHOUT_ROWID,
    )

    # uuid4: 122 random bits, so the id order says nothing about the order of arrival (P2).
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    wave_id: Mapped[int] = mapped_column(ForeignKey("survey_waves.id"))
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), index=True)
    grade: Mapped[int] = mapped_column(SmallInteger)
    submitted_on: Mapped[dt.date]

    answers: Mapped[list[Answer]] = relationship(
        back_populates="response", cascade="all, delete-orphan", passive_deletes=True
    )
    scores: Mapped[list[ConstructScore]] = relationship(
        back_populates="response", cascade="all, delete-orphan", passive_deletes=True
    )


class Answer(db.Model):
    """One answer to one item (long format). ``value`` is NULL when the pupil skipped it.

    ``part`` is 0 for the pupil's own questionnaire and 1, 2 ... for the teacher-feedback round
    about the first, second ... teacher of a duo-taught group (``teacher_id`` names them).
    """

    __tablename__ = "answers"
    __table_args__ = WITHOUT_ROWID

    response_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True
    )
    instrument_version_id: Mapped[int] = mapped_column(
        ForeignKey("instrument_versions.id"), primary_key=True
    )
    item_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    part: Mapped[int] = mapped_column(SmallInteger, primary_key=True, default=0)
    teacher_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    value: Mapped[int | None] = mapped_column(SmallInteger)

    response: Mapped[Response] = relationship(back_populates="answers")


class ConstructScore(db.Model):
    """A construct score of one response, computed once at submission (DESIGN §7, §8).

    ``value`` is on the instrument's own scale; ``common`` on the 1-4 metric that lets groep 3-4
    (three options) be compared with groep 5-8 (four options); for an ``any_at_least`` construct
    such as ``gepest`` both are 1.0 (yes) or 0.0 (no). Both are NULL when too few items were
    answered for a valid score.
    """

    __tablename__ = "construct_scores"
    __table_args__ = (
        Index("ix_construct_scores_construct", "construct"),
        # A wave's scores are read response by response (the responses found through
        # ix_responses_wave_group); with ``common`` included, PostgreSQL answers each lookup
        # from the index alone, which is what makes its planner read one school's scores this
        # way rather than scan every school's (SQLite, where the table is kept in key order,
        # has no INCLUDE and gets the plain index).
        Index("ix_construct_scores_response_part", "response_id", "part", "construct",
              postgresql_include=["common"]),
        WITHOUT_ROWID,
    )

    response_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True
    )
    construct: Mapped[str] = mapped_column(String(64), primary_key=True)
    part: Mapped[int] = mapped_column(SmallInteger, primary_key=True, default=0)
    teacher_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    instrument_version_id: Mapped[int] = mapped_column(ForeignKey("instrument_versions.id"))
    value: Mapped[float | None] = mapped_column(Float)
    common: Mapped[float | None] = mapped_column(Float)
    n_items: Mapped[int] = mapped_column(SmallInteger)
    n_answered: Mapped[int] = mapped_column(SmallInteger)

    response: Mapped[Response] = relationship(back_populates="scores")


class SubmissionReceipt(db.Model):
    """Makes a retried submission idempotent (P3b) without linking to the response.

    Only a keyed hash of the tablet's submission id is kept, with no reference to the response it
    produced, so the receipt cannot be tied back to any answers.
    """

    __tablename__ = "submission_receipts"
    __table_args__ = WITHOUT_ROWID

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("survey_waves.id"), index=True)


class ConversationRequest(db.Model):
    """A pupil's wish to talk to the vertrouwenspersoon; stored apart from any answers (P6)."""

    __tablename__ = "conversation_requests"
    __table_args__ = WITHOUT_ROWID

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"))
    first_name: Mapped[str] = mapped_column(String(60))
    group_label: Mapped[str] = mapped_column(String(60), default="")
    created_on: Mapped[dt.date]
    handled: Mapped[bool] = mapped_column(default=False)
    handled_on: Mapped[dt.date | None]
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")


class GroupSummary(db.Model):
    """Aggregates kept per wave, group and construct after raw responses are purged (P6)."""

    __tablename__ = "group_summaries"

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("survey_waves.id"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), index=True)
    construct: Mapped[str] = mapped_column(String(64))
    teacher_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    n: Mapped[int] = mapped_column(Integer)
    mean: Mapped[float | None] = mapped_column(Float)
    sd: Mapped[float | None] = mapped_column(Float)
    n_positive: Mapped[int | None] = mapped_column(Integer)

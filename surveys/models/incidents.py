"""Registered incidents and the improvement points (verbeterpunten) the director records."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

# The school's incident categories (DESIGN §2), in the safety plan's order: the statistics
# package owns the list, since it reads the categories too.
from analysis.data import INCIDENT_CATEGORIES
from surveys.extensions import db
from surveys.models.accounts import utcnow

if TYPE_CHECKING:
    from surveys.models.organisation import Group, SchoolYear

#: Handling level, lowest first: leraar -> directeur -> bestuur -> politie.
HANDLED_BY = ("leraar", "directeur", "bestuur", "politie")
INCIDENT_LOCATIONS = ("klas", "plein", "gymzaal", "onderweg", "online", "elders")
FOLLOW_UP_STATUSES = ("open", "lopend", "afgerond")
IMPROVEMENT_STATUSES = ("gepland", "lopend", "afgerond", "vervallen")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Incident(db.Model):
    __tablename__ = "incidents"
    __table_args__ = (
        CheckConstraint(_in("category", INCIDENT_CATEGORIES), name="category_known"),
        CheckConstraint(_in("handled_by", HANDLED_BY), name="handled_by_known"),
        Index("ix_incidents_year_group", "school_year_id", "group_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_year_id: Mapped[int] = mapped_column(ForeignKey("school_years.id"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"))
    occurred_on: Mapped[dt.date]
    category: Mapped[str] = mapped_column(String(30))
    location: Mapped[str | None] = mapped_column(String(20))
    handled_by: Mapped[str] = mapped_column(String(20))
    parents_informed: Mapped[bool | None]
    follow_up: Mapped[str] = mapped_column(String(20), default="open")
    # Free text, purged after the retention period; the form warns against writing names.
    description: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    school_year: Mapped[SchoolYear] = relationship()
    group: Mapped[Group | None] = relationship()


class ImprovementPoint(db.Model):
    """A verbeterpunt the director agreed with the team, optionally about a group or figure."""

    __tablename__ = "improvement_points"
    __table_args__ = (CheckConstraint(_in("status", IMPROVEMENT_STATUSES), name="status_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_year_id: Mapped[int] = mapped_column(ForeignKey("school_years.id"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"))
    construct: Mapped[str | None] = mapped_column(String(64))
    flag_rule: Mapped[str | None] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    owner: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(20), default="gepland")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    school_year: Mapped[SchoolYear] = relationship()
    group: Mapped[Group | None] = relationship()

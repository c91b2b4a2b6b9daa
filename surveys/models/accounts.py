"""Staff accounts, one-time set-password links and the audit log of staff actions."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveys.extensions import db

if TYPE_CHECKING:
    from surveys.models.organisation import Board, School

#: admin: a school board (its schools, accounts, settings); director: one school;
#: teacher: own groups; coordinator: vertrouwenspersoon / anti-pestcoördinator.
ROLES = ("admin", "director", "teacher", "coordinator")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(
            "role IN ('admin', 'director', 'teacher', 'coordinator')", name="role_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"), index=True)
    board_id: Mapped[int | None] = mapped_column(ForeignKey("boards.id"), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # Raised at logout and password change: every cookie carrying an older version is void.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    language: Mapped[str | None] = mapped_column(String(2))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    school: Mapped[School | None] = relationship()
    board: Mapped[Board | None] = relationship()

    @property
    def is_active(self) -> bool:  # Flask-Login asks this
        return self.active

    def get_id(self) -> str:
        # The session version travels in the cookie, so raising it logs out every old cookie.
        return f"{self.id}:{self.session_version}"


class SetPasswordToken(db.Model):
    """A one-time link an administrator hands to a staff member to set a password."""

    __tablename__ = "set_password_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    used: Mapped[bool] = mapped_column(default=False)

    user: Mapped[User] = relationship()


class AuditEvent(db.Model):
    """Who did what to which object, and when: staff actions only, never pupil answers."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(60))
    object_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    user: Mapped[User | None] = relationship()

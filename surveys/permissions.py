"""Who may see and do what: the one place every view, export and CLI path asks.

Roles (DESIGN §1, §4 P5):

- ``admin``: a school board's administrator: the board's schools, accounts and settings (an
  admin without a board administers the whole installation);
- ``director``: one school: everything aggregated, incidents, waves, reports;
- ``teacher``: their own groups, in the current and earlier school years;
- ``coordinator``: the vertrouwenspersoon / anti-pestcoördinator: school-wide safety figures,
  incidents and the conversation-request inbox.

Objects of another school are reported as missing (404), so that ids of other schools cannot be
probed; objects of one's own school that the role may not touch are forbidden (403).
"""

from __future__ import annotations

from typing import Protocol

from flask import abort

from surveys.extensions import db
from surveys.models import Group, School, SchoolYear, User

SCHOOL_ROLES = ("director", "teacher", "coordinator")


class HasSchool(Protocol):
    school_id: int | None


def school_ids(user: User) -> set[int] | None:
    """The schools a user works in; None means every school (an installation administrator)."""
    if user.role == "admin":
        if user.board_id is None:
            return None
        return set(db.session.scalars(
            db.select(School.id).where(School.board_id == user.board_id)))
    return {user.school_id} if user.school_id is not None else set()


def in_school(user: User, school_id: int) -> bool:
    ids = school_ids(user)
    return ids is None or school_id in ids


def teaches(user: User, group: Group) -> bool:
    return any(link.user_id == user.id for link in group.teacher_links)


def group_school_id(group: Group) -> int:
    return group.school_year.school_id


def may_view_group(user: User, group: Group) -> bool:
    """Group-level results and incidents: the group's own teachers and the school's director."""
    if not in_school(user, group_school_id(group)):
        return False
    if user.role == "director":
        return True
    return user.role == "teacher" and teaches(user, group)


def may_run_sessions(user: User, group: Group) -> bool:
    """Starting a questionnaire session in a class: its teachers, or the director standing in."""
    return may_view_group(user, group)


def may_view_school_figures(user: User, school_id: int) -> bool:
    return in_school(user, school_id) and user.role in ("director", "coordinator", "admin")


def may_read_conversation_requests(user: User, school_id: int) -> bool:
    """The inbox is for the vertrouwenspersoon only (P6)."""
    return user.role == "coordinator" and user.school_id == school_id


def may_view_teacher_feedback(user: User, teacher: User, *, director_allowed: bool) -> bool:
    """Feedback is for the teacher it is about, and for the director only when the school allows
    it (P5: off by default)."""
    if user.id == teacher.id:
        return True
    return (user.role == "director" and director_allowed
            and teacher.school_id is not None and in_school(user, teacher.school_id))


def group_or_404(user: User, group_id: int, *, check=may_view_group) -> Group:  # type: ignore[no-untyped-def]
    """Load a group for ``user``: 404 when missing or of another school, 403 when not allowed."""
    group = db.session.get(Group, group_id)
    if group is None or not in_school(user, group_school_id(group)):
        abort(404)
    if not check(user, group):
        abort(403)
    return group


def school_year_or_404(user: User, year_id: int) -> SchoolYear:
    year = db.session.get(SchoolYear, year_id)
    if year is None or not in_school(user, year.school_id):
        abort(404)
    return year

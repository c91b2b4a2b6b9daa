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

import functools
import uuid
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from flask import abort
from flask_login import current_user
from sqlalchemy import ColumnElement, false, select

from surveys.extensions import db, login_manager
from surveys.models import (
    ConversationRequest,
    Group,
    GroupTeacher,
    Incident,
    School,
    SchoolYear,
    SurveyWave,
    User,
)

F = TypeVar("F", bound=Callable[..., Any])

SCHOOL_ROLES = ("director", "teacher", "coordinator")


class HasSchool(Protocol):
    school_id: int | None


def school_ids(user: User) -> set[int] | None:
    """The schools a user works in; None means every school (an installation administrator)."""
    if user.role == "admin":
        if user.board_id is None:
            return None
        return set(db.session.scalars(db.select(School.id).where(School.board_id == user.board_id)))
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
    return (
        user.role == "director"
        and director_allowed
        and teacher.school_id is not None
        and in_school(user, teacher.school_id)
    )


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


# --- roles on whole pages -------------------------------------------------------------------


def require_role(*roles: str) -> Callable[[F], F]:
    """View decorator: anonymous visitors go to the login page, other roles get 403."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorate


def own_school(user: User) -> School:
    """The school of a director, teacher or coordinator (403 for an account without one)."""
    if user.school_id is None:
        abort(403)
    school = db.session.get(School, user.school_id)
    if school is None:
        abort(403)
    return school


# --- school organisation, waves, settings ----------------------------------------------------


def may_manage_school(user: User, school_id: int) -> bool:
    """Years, groups, waves and imports: the school's director."""
    return user.role == "director" and user.school_id == school_id


def may_edit_settings(user: User, school_id: int) -> bool:
    """School settings: the director, and the board's administrator."""
    return may_manage_school(user, school_id) or (user.role == "admin" and in_school(user,
                                                                                     school_id))


def may_grant_feedback_access(user: User, school_id: int) -> bool:
    """Whether the director may read teacher feedback is the board's decision, not the
    director's own (P5)."""
    return user.role == "admin" and in_school(user, school_id)


def may_view_audit(user: User, school_id: int) -> bool:
    return may_edit_settings(user, school_id)


def wave_or_404(user: User, wave_id: int) -> SurveyWave:
    wave = db.session.get(SurveyWave, wave_id)
    if wave is None or not in_school(user, wave.school_year.school_id):
        abort(404)
    if not may_manage_school(user, wave.school_year.school_id):
        abort(403)
    return wave


def school_or_404(user: User, school_id: int) -> School:
    school = db.session.get(School, school_id)
    if school is None or not in_school(user, school.id):
        abort(404)
    return school


# --- incidents -------------------------------------------------------------------------------


def incident_school_id(incident: Incident) -> int:
    return incident.school_year.school_id


def may_view_incidents(user: User, school_id: int) -> bool:
    """The incident list: director and coordinator school-wide, a teacher their own groups."""
    return user.role in ("director", "coordinator", "teacher") and user.school_id == school_id


def may_register_incident(user: User, group: Group | None) -> bool:
    """Teachers register for their own groups; the director for every group (or none)."""
    if user.role == "director":
        return group is None or in_school(user, group_school_id(group))
    return group is not None and user.role == "teacher" and may_view_group(user, group)


def may_view_incident(user: User, incident: Incident) -> bool:
    if not in_school(user, incident_school_id(incident)):
        return False
    if user.role in ("director", "coordinator"):
        return True
    return (user.role == "teacher" and incident.group is not None
            and teaches(user, incident.group))


def may_edit_incident(user: User, incident: Incident) -> bool:
    if user.role == "director":
        return in_school(user, incident_school_id(incident))
    return user.role == "teacher" and may_view_incident(user, incident)


def visible_incidents(user: User) -> ColumnElement[bool]:
    """A WHERE clause for the incidents ``user`` may see (false for everyone else)."""
    if user.role in ("director", "coordinator") and user.school_id is not None:
        return Incident.school_year_id.in_(
            select(SchoolYear.id).where(SchoolYear.school_id == user.school_id))
    if user.role == "teacher":
        return Incident.group_id.in_(
            select(GroupTeacher.group_id).where(GroupTeacher.user_id == user.id))
    return false()


def incident_or_404(user: User, incident_id: int, *, check=may_view_incident) -> Incident:  # type: ignore[no-untyped-def]
    incident = db.session.get(Incident, incident_id)
    if incident is None or not in_school(user, incident_school_id(incident)):
        abort(404)
    if not check(user, incident):
        abort(403)
    return incident


def registrable_groups(user: User, year: SchoolYear) -> list[Group]:
    """The groups of ``year`` that ``user`` may register incidents for."""
    return [g for g in year.groups if may_register_incident(user, g)]


# --- accounts and the conversation-request inbox ----------------------------------------------


def may_manage_account(user: User, account: User) -> bool:
    """An administrator manages the accounts of their schools and their board's admins."""
    if user.role != "admin":
        return False
    if account.school_id is not None:
        return in_school(user, account.school_id)
    return user.board_id is None or account.board_id == user.board_id


def account_or_404(user: User, account_id: int) -> User:
    account = db.session.get(User, account_id)
    if account is None or not may_manage_account(user, account):
        abort(404)
    return account


def conversation_request_or_404(user: User, request_id: uuid.UUID) -> ConversationRequest:
    item = db.session.get(ConversationRequest, request_id)
    if item is None or not in_school(user, item.school_id):
        abort(404)
    if not may_read_conversation_requests(user, item.school_id):
        abort(403)
    return item

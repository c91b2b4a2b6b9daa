"""The teacher's pages: their own groups, in the current and earlier school years."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import select

from surveys import permissions as perm
from surveys.extensions import db
from surveys.models import Group, GroupTeacher, Incident, SchoolYear

bp = Blueprint("teacher", __name__, url_prefix="/teacher")


@bp.before_request
@perm.require_role("teacher")
def _teachers_only() -> None:
    return None


@bp.get("/")
def index() -> str:
    groups = list(db.session.scalars(
        select(Group).join(GroupTeacher).join(SchoolYear)
        .where(GroupTeacher.user_id == current_user.id)
        .order_by(SchoolYear.starts_on.desc(), Group.name)))
    return render_template("teacher/index.html", groups=groups)


@bp.get("/groups/<int:group_id>")
def group(group_id: int) -> str:
    the_group = perm.group_or_404(current_user, group_id)
    incidents = list(db.session.scalars(
        select(Incident).where(Incident.group_id == the_group.id)
        .order_by(Incident.occurred_on.desc()).limit(50)))
    return render_template("teacher/group.html", group=the_group, incidents=incidents)

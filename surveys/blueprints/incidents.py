"""Incident registration for teachers (their own groups) and the director (every group); the
coordinator reads the school's incidents. Changes are kept in the audit log."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import DateField, RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from surveys import labels
from surveys import permissions as perm
from surveys.database import begin_write
from surveys.extensions import db
from surveys.forms import options
from surveys.models import Group, Incident, SchoolYear, User
from surveys.services import audit, imports, organisation
from surveys.services import incidents as service

bp = Blueprint("incidents", __name__, url_prefix="/incidents")


@bp.before_request
@perm.require_role("director", "teacher", "coordinator")
def _school_staff_only() -> None:
    return None


class IncidentForm(FlaskForm):
    occurred_on = DateField(_l("Date"), validators=[InputRequired()])
    group_id = SelectField(_l("Group"), coerce=int)
    category = RadioField(_l("What happened"), validators=[DataRequired()],
                          choices=options(labels.choices("category")))
    location = RadioField(_l("Where"), validators=[DataRequired()],
                          choices=options(labels.choices("location")))
    handled_by = RadioField(_l("Handled by"), validators=[DataRequired()],
                            choices=options(labels.choices("handled_by")), default="leraar")
    parents_informed = RadioField(_l("Parents informed"), default="",
                                  choices=options([("yes", _l("yes")), ("no", _l("no")),
                                                   ("", _l("not recorded"))]))
    follow_up = RadioField(_l("Follow-up"), validators=[DataRequired()],
                           choices=options(labels.choices("follow_up")), default="open")
    description = TextAreaField(
        _l("Short description"), validators=[Length(max=service.DESCRIPTION_MAX)],
        description=_l("What happened and what was done. The description is removed after "
                       "the retention period."))


def _school_id() -> int:
    return perm.own_school(current_user).id


def _groups_for_form(school_id: int) -> list[Group]:
    """Groups the user may register for, newest school year first."""
    years = db.session.scalars(select(SchoolYear).where(SchoolYear.school_id == school_id)
                               .order_by(SchoolYear.starts_on.desc())).all()
    return [g for y in years for g in perm.registrable_groups(current_user, y)]


def _form(school_id: int, incident: Incident | None) -> IncidentForm:
    form = IncidentForm()
    groups = _groups_for_form(school_id)
    choices = [(g.id, f"{g.name} ({g.school_year.name})") for g in groups]
    if current_user.role == "director":
        choices = [(0, _("— no group / school-wide —")), *choices]
    form.group_id.choices = options(choices)
    if incident is not None and not form.is_submitted():
        form.occurred_on.data = incident.occurred_on
        form.group_id.data = incident.group_id or 0
        form.category.data = incident.category
        form.location.data = incident.location
        form.handled_by.data = incident.handled_by
        form.parents_informed.data = ("" if incident.parents_informed is None
                                      else "yes" if incident.parents_informed else "no")
        form.follow_up.data = incident.follow_up
        form.description.data = incident.description or ""
    elif incident is None and not form.is_submitted():
        form.occurred_on.data = dt.date.today()
    return form


def _data(form: IncidentForm) -> service.IncidentIn:
    group = None
    if form.group_id.data:
        group = perm.group_or_404(current_user, form.group_id.data,
                                  check=perm.may_register_incident)
    elif current_user.role != "director":
        abort(403)
    informed = {"yes": True, "no": False}.get(form.parents_informed.data or "")
    return service.IncidentIn(
        occurred_on=form.occurred_on.data,  # type: ignore[arg-type]
        group=group, category=form.category.data or "", location=form.location.data or None,
        handled_by=form.handled_by.data or "", parents_informed=informed,
        follow_up=form.follow_up.data or "", description=form.description.data or "")


def _parse_date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _parse_int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@bp.get("/")
def index() -> str:
    school_id = _school_id()
    if not perm.may_view_incidents(current_user, school_id):
        abort(403)
    args = request.args
    filters = service.Filters(
        year_id=_parse_int(args.get("year")), group_id=_parse_int(args.get("group")),
        category=args.get("category") or None, follow_up=args.get("follow_up") or None,
        handled_by=args.get("handled_by") or None,
        date_from=_parse_date(args.get("from")), date_to=_parse_date(args.get("to")))
    rows = service.listing(perm.visible_incidents(current_user), filters)
    years = organisation.years_of(perm.own_school(current_user))
    if current_user.role == "teacher":
        groups = [g for y in years for g in y.groups if perm.may_view_group(current_user, g)]
    else:
        groups = [g for y in years for g in y.groups]
    return render_template(
        "incidents/index.html", incidents=rows, filters=filters, years=years, groups=groups,
        may_register=current_user.role in ("director", "teacher"),
        may_import=current_user.role == "director",
        may_edit={i.id: perm.may_edit_incident(current_user, i) for i in rows})


@bp.route("/new", methods=["GET", "POST"])
def new() -> str | Response:
    if current_user.role not in ("director", "teacher"):
        abort(403)
    school_id = _school_id()
    form = _form(school_id, None)
    if form.validate_on_submit():
        begin_write()
        try:
            incident = service.register(current_user, school_id, _data(form))
        except service.IncidentError as exc:
            db.session.rollback()
            flash(exc.localised(), "error")
        else:
            db.session.commit()
            flash(_("The incident was registered."), "info")
            return redirect(url_for("incidents.index", year=incident.school_year_id))
    if not form.group_id.choices:
        flash(_("You have no groups yet, so you cannot register an incident. Ask the director."),
              "error")
    return render_template("incidents/form.html", form=form, incident=None, history=[])


@bp.route("/<int:incident_id>", methods=["GET", "POST"])
def edit(incident_id: int) -> str | Response:
    incident = perm.incident_or_404(current_user, incident_id)
    may_edit = perm.may_edit_incident(current_user, incident)
    form = _form(_school_id(), incident)
    if request.method == "POST":
        if not may_edit:
            abort(403)
        if form.validate_on_submit():
            begin_write()
            incident = perm.incident_or_404(current_user, incident_id,
                                            check=perm.may_edit_incident)
            try:
                service.update(current_user, incident, _data(form))
            except service.IncidentError as exc:
                db.session.rollback()
                flash(exc.localised(), "error")
            else:
                db.session.commit()
                flash(_("The incident was saved."), "info")
                return redirect(url_for("incidents.index", year=incident.school_year_id))
    history = audit.events(school_id=incident.school_year.school_id, object_type="Incident",
                           object_id=str(incident.id))
    users = {u.id: u for u in db.session.scalars(select(User).where(
        User.id.in_({e.user_id for e in history if e.user_id})))}
    return render_template("incidents/form.html", form=form, incident=incident, history=history,
                           users=users, read_only=not may_edit)


class UploadForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a file."))])


@bp.route("/import", methods=["GET", "POST"])
def import_csv() -> str | Response:
    if current_user.role != "director":
        abort(403)
    school = perm.own_school(current_user)
    form = UploadForm()
    problems: list[imports.Problem] = []
    if form.validate_on_submit():
        begin_write()
        try:
            result = imports.import_incidents(school, form.file.data.read(), user=current_user)
        except imports.ImportRefused as exc:
            db.session.rollback()
            problems = exc.problems
        else:
            audit.record(current_user, "incidents_imported", school_id=school.id,
                         object_type="Incident", detail=f"{result.rows} rows")
            db.session.commit()
            flash(_("%(n)s incidents were imported.", n=result.rows), "info")
            return redirect(url_for("incidents.index"))
    return render_template(
        "staff/import.html", form=form, problems=problems, title=_("Import incidents"),
        columns=imports.INCIDENT_COLUMNS, back=url_for("incidents.index"),
        example="date,group,category,handled_by,description\n"
                "2026-10-14,Groep 6,pesten,leraar,Uitgescholden op het plein; gesprek gevoerd\n"
                "2026-11-02,,vernieling,directeur,",
        explanation=_("One row per incident. date: like 2026-10-14. group: the group's name in "
                      "that school year, or empty. category: one of %(categories)s. "
                      "handled_by: leraar, directeur, bestuur or politie. description: "
                      "optional, without names. When one row is wrong, nothing is imported.",
                      categories=", ".join(labels.CATEGORY)))

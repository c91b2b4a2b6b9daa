"""The director's pages: school years and groups, the new-year step, the groups CSV, survey
waves, the school settings and the log of staff actions."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import func, select
from werkzeug.wrappers import Response
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

import instruments
from surveys import permissions as perm
from surveys.blueprints import staff
from surveys.database import begin_write
from surveys.extensions import db
from surveys.forms import CheckboxesField, options
from surveys.models import Group, Incident, SchoolYear, User
from surveys.services import audit, imports, organisation, waves
from surveys.services.organisation import OrganisationError

bp = Blueprint("director", __name__, url_prefix="/director")


@bp.before_request
@perm.require_role("director")
def _directors_only() -> None:
    return None


def school():  # type: ignore[no-untyped-def]
    return perm.own_school(current_user)


def year_or_404(year_id: int) -> SchoolYear:
    year = perm.school_year_or_404(current_user, year_id)
    if not perm.may_manage_school(current_user, year.school_id):
        abort(403)
    return year


# --- overview --------------------------------------------------------------------------------


@bp.get("/")
def index() -> str:
    own = school()
    year = organisation.current_year(own)
    incident_count = open_count = 0
    if year is not None:
        incident_count = db.session.scalar(select(func.count()).select_from(Incident).where(
            Incident.school_year_id == year.id)) or 0
        open_count = db.session.scalar(select(func.count()).select_from(Incident).where(
            Incident.school_year_id == year.id, Incident.follow_up != "afgerond")) or 0
    return render_template(
        "director/index.html", school=own, year=year, years=organisation.years_of(own),
        waves=[w for w in waves.waves_of(own.id) if year is None or w.school_year_id == year.id],
        incident_count=incident_count, open_count=open_count)


# --- years and groups ------------------------------------------------------------------------


class YearForm(FlaskForm):
    name = StringField(_l("School year"), validators=[DataRequired(), Length(max=9)],
                       description=_l("Like 2026-2027. A school year runs from 1 August to "
                                      "31 July."))


@bp.get("/years")
def years() -> str:
    own = school()
    return render_template("director/years.html", school=own, years=organisation.years_of(own))


@bp.route("/years/new", methods=["GET", "POST"])
def year_new() -> str | Response:
    own = school()
    form = YearForm()
    if not form.is_submitted():
        form.name.data = SchoolYear.name_for(dt.date.today())
    if form.validate_on_submit():
        begin_write()
        try:
            year = organisation.create_year(own, form.name.data or "")
        except OrganisationError as exc:
            db.session.rollback()
            form.name.errors = [exc.localised()]
        else:
            audit.record(current_user, "year_created", year, school_id=own.id, detail=year.name)
            db.session.commit()
            flash(_("School year %(name)s was created. Now add its groups.", name=year.name),
                  "info")
            return redirect(url_for("director.year", year_id=year.id))
    return render_template("director/year_form.html", form=form)


@bp.get("/years/<int:year_id>")
def year(year_id: int) -> str:
    the_year = year_or_404(year_id)
    following = organisation.find_year(the_year.school, organisation.next_year_name(the_year))
    return render_template("director/year.html", year=the_year,
                           next_exists=following is not None and bool(following.groups))


class GroupForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)],
                       description=_l('Like "Groep 5" or "Groep 3/4".'))
    grades = CheckboxesField(_l("Grades"), coerce=int,
                             choices=options((g, str(g)) for g in range(1, 9)))
    size = IntegerField(_l("Number of pupils"),
                        validators=[InputRequired(), NumberRange(min=0, max=60)])
    teachers = CheckboxesField(_l("Teachers"), coerce=int)
    previous_group_id = SelectField(_l("Last year these pupils were in"), coerce=int,
                                    description=_l("Links the group to last year's results."))


def _group_form(year: SchoolYear, group: Group | None) -> GroupForm:
    form = GroupForm()
    form.teachers.choices = options((t.id, t.display_name)
                                   for t in organisation.teachers_of(year.school))
    before = organisation.previous_year(year)
    form.previous_group_id.choices = options([(0, _("— not known —"))] + [
        (g.id, g.name) for g in (before.groups if before else [])])
    if group is not None and not form.is_submitted():
        form.name.data = group.name
        form.grades.data = group.grades
        form.size.data = group.size
        form.teachers.data = [t.id for t in group.teachers]
        form.previous_group_id.data = group.previous_group_id or 0
    return form


def _save_group(year: SchoolYear, group: Group | None) -> str | Response:
    form = _group_form(year, group)
    if form.validate_on_submit():
        begin_write()
        chosen = set(form.teachers.data or [])
        teachers = [t for t in organisation.teachers_of(year.school) if t.id in chosen]
        previous = db.session.get(Group, form.previous_group_id.data) \
            if form.previous_group_id.data else None
        try:
            saved, before = organisation.save_group(
                year, group, name=form.name.data or "", grades=list(form.grades.data or []),
                size=form.size.data or 0, teachers=teachers, previous=previous)
        except OrganisationError as exc:
            db.session.rollback()
            flash(exc.localised(), "error")
        else:
            after = organisation.describe_group(saved)
            if group is None:
                audit.record(current_user, "group_created", saved, school_id=year.school_id,
                             detail=f"{year.name} {saved.name}")
            else:
                detail = audit.changes(before, after)
                if detail:
                    audit.record(current_user, "group_changed", saved, school_id=year.school_id,
                                 detail=detail)
            db.session.commit()
            flash(_("Group %(name)s was saved.", name=saved.name), "info")
            return redirect(url_for("director.year", year_id=year.id))
    return render_template("director/group_form.html", form=form, year=year, group=group)


@bp.route("/years/<int:year_id>/groups/new", methods=["GET", "POST"])
def group_new(year_id: int) -> str | Response:
    return _save_group(year_or_404(year_id), None)


@bp.route("/groups/<int:group_id>", methods=["GET", "POST"])
def group_edit(group_id: int) -> str | Response:
    group = perm.group_or_404(current_user, group_id)
    return _save_group(group.school_year, group)


class NextGroupForm(Form):
    source_id = HiddenField()
    include = BooleanField(_l("Take along"))
    name = StringField(_l("Name"), validators=[Optional(), Length(max=100)])
    grades = StringField(_l("Grades"), validators=[Optional(), Length(max=20)])
    size = IntegerField(_l("Pupils"), validators=[Optional(), NumberRange(min=0, max=60)])


class NextYearForm(FlaskForm):
    groups = FieldList(FormField(NextGroupForm))


@bp.route("/years/<int:year_id>/next", methods=["GET", "POST"])
def next_year(year_id: int) -> str | Response:
    the_year = year_or_404(year_id)
    proposals = organisation.propose_next_year(the_year)
    sources = {g.id: g for g in the_year.groups}
    form = NextYearForm()
    if not form.is_submitted():
        for p in proposals:
            form.groups.append_entry({
                "source_id": str(p.source_id), "include": p.include, "name": p.name,
                "grades": "/".join(str(g) for g in p.grades), "size": p.size})
    if form.validate_on_submit():
        begin_write()
        try:
            rows = []
            for entry in form.groups.entries:
                try:
                    source_id = int(entry.source_id.data or 0)
                except ValueError:
                    abort(400)
                include = bool(entry.include.data)
                rows.append(organisation.NextGroup(
                    source_id=source_id, name=entry.form.name.data or "",
                    grades=organisation.parse_grades(entry.grades.data or "") if include else [],
                    size=entry.size.data or 0, include=include))
            created = organisation.create_next_year(the_year, rows)
        except OrganisationError as exc:
            db.session.rollback()
            flash(exc.localised(), "error")
        else:
            audit.record(current_user, "year_created", created, school_id=the_year.school_id,
                         detail=f"{created.name} from {the_year.name}")
            db.session.commit()
            flash(_("School year %(name)s was created with %(n)s groups. Now choose their "
                    "teachers.", name=created.name, n=len(created.groups)), "info")
            return redirect(url_for("director.year", year_id=created.id))
    return render_template("director/next_year.html", form=form, year=the_year,
                           next_name=organisation.next_year_name(the_year), sources=sources)


class UploadForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a file."))])


@bp.route("/import/groups", methods=["GET", "POST"])
def import_groups() -> str | Response:
    own = school()
    form = UploadForm()
    problems: list[imports.Problem] = []
    if form.validate_on_submit():
        begin_write()
        try:
            result = imports.import_groups(own, form.file.data.read())
        except imports.ImportRefused as exc:
            db.session.rollback()
            problems = exc.problems
        else:
            audit.record(current_user, "groups_imported", school_id=own.id,
                         object_type="SchoolYear",
                         detail=f"{result.rows} rows, {result.created.get('groups', 0)} new")
            db.session.commit()
            flash(_("%(rows)s rows imported: %(new)s new groups.", rows=result.rows,
                    new=result.created.get("groups", 0)), "info")
            return redirect(url_for("director.years"))
    return render_template(
        "staff/import.html", form=form, problems=problems, title=_("Import groups"),
        columns=imports.GROUP_COLUMNS, back=url_for("director.years"),
        example="school_year,group,grades,size,teachers,previous_group\n"
                "2026-2027,Groep 3/4,3;4,26,juf.sanne@school.nl;ahmed@school.nl,Groep 2/3\n"
                "2026-2027,Groep 5,5,27,tim@school.nl,Groep 4",
        explanation=_("One row per group. grades: one grade or several separated by ; "
                      "(3;4). teachers: e-mail addresses separated by ; (accounts are made "
                      "when missing). previous_group: the name of the group these pupils "
                      "formed last school year; may be empty. Every row is checked first: "
                      "when one row is wrong, nothing is imported."))


# --- survey waves ----------------------------------------------------------------------------


class WaveForm(FlaskForm):
    school_year_id = SelectField(_l("School year"), coerce=int)
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)],
                       description=_l('Like "Najaar" or "Voorjaar".'))
    starts_on = DateField(_l("From"), validators=[InputRequired()])
    ends_on = DateField(_l("Until"), validators=[InputRequired()])
    k = IntegerField(_l("Smallest number of pupils behind a figure (k)"),
                     validators=[InputRequired(), NumberRange(min=5, max=50)])
    one_time_codes = BooleanField(
        _l("Use one-time codes"),
        description=_l("Each pupil gets a printed card with a code that works once, on top of "
                       "the class code."))


def _instrument_rows() -> list[dict[str, object]]:
    # Safety questionnaires first, then teacher feedback; within each, by grades.
    ordered = sorted(instruments.registry(),
                     key=lambda i: (i.is_teacher_feedback, min(i.grades), i.id, i.version))
    return [{"id": inst.id, "version": inst.version, "grades": inst.grades,
             "span": f"{min(inst.grades)}–{max(inst.grades)}", "title": inst.title,
             "feedback": inst.is_teacher_feedback} for inst in ordered]


def _assignments_from_form() -> frozenset[tuple[int, str, int]]:
    out = set()
    for value in request.form.getlist("assign"):
        try:
            grade, inst_id, version = value.split(":")
            out.add((int(grade), inst_id, int(version)))
        except ValueError:
            abort(400)
    return frozenset(out)


@bp.get("/waves", endpoint="waves")
def waves_page() -> str:
    own = school()
    all_waves = waves.waves_of(own.id)
    return render_template("director/waves.html", waves=all_waves,
                           counts={w.id: waves.response_count(w) for w in all_waves})


def _wave_page(wave) -> str | Response:  # type: ignore[no-untyped-def]
    own = school()
    form = WaveForm()
    form.school_year_id.choices = options((y.id, y.name) for y in organisation.years_of(own))
    has_responses = wave is not None and waves.response_count(wave) > 0
    if not form.is_submitted():
        if wave is not None:
            form.school_year_id.data = wave.school_year_id
            form.name.data, form.k.data = wave.name, wave.k
            form.starts_on.data, form.ends_on.data = wave.starts_on, wave.ends_on
            form.one_time_codes.data = wave.one_time_codes
        else:
            year = organisation.current_year(own)
            if year is not None:
                form.school_year_id.data = year.id
                form.starts_on.data = dt.date(year.starts_on.year, 10, 1)
                form.ends_on.data = dt.date(year.starts_on.year, 11, 15)
            form.name.data = _("Autumn")
            form.k.data = waves.minimum_k(year) if year else 5
    assigned = (waves.assignments_of(wave) if wave is not None else waves.default_assignments())
    if form.validate_on_submit():
        assigned = _assignments_from_form()
        begin_write()
        year = perm.school_year_or_404(current_user, form.school_year_id.data or 0)
        settings = waves.WaveSettings(
            name=form.name.data or "", starts_on=form.starts_on.data,  # type: ignore[arg-type]
            ends_on=form.ends_on.data, k=form.k.data or 0,  # type: ignore[arg-type]
            one_time_codes=bool(form.one_time_codes.data), assignments=assigned)
        try:
            if wave is None:
                saved = waves.create_wave(year, settings)
                audit.record(current_user, "wave_created", saved, school_id=own.id,
                             detail=f"{year.name} {saved.name}, k={saved.k}")
            else:
                if year.id != wave.school_year_id:
                    raise waves.WaveError(waves.N_("a wave cannot move to another school year"))
                saved = wave
                changed = waves.update_wave(wave, settings)
                if changed:
                    audit.record(current_user, "wave_changed", wave, school_id=own.id,
                                 detail="; ".join(changed))
        except waves.WaveError as exc:
            db.session.rollback()
            flash(exc.localised(), "error")
        else:
            db.session.commit()
            flash(_("Wave %(name)s was saved.", name=saved.name), "info")
            return redirect(url_for("director.waves"))
    return render_template("director/wave_form.html", form=form, wave=wave,
                           instruments=_instrument_rows(), assigned=assigned,
                           has_responses=has_responses, grades=range(1, 9))


@bp.route("/waves/new", methods=["GET", "POST"])
def wave_new() -> str | Response:
    return _wave_page(None)


@bp.route("/waves/<int:wave_id>", methods=["GET", "POST"])
def wave_edit(wave_id: int) -> str | Response:
    return _wave_page(perm.wave_or_404(current_user, wave_id))


@bp.post("/waves/<int:wave_id>/open")
def wave_open(wave_id: int) -> Response:
    return _change_status(wave_id, waves.open_wave, "wave_opened",
                          _l("Wave %(name)s is open: teachers can start sessions."))


@bp.post("/waves/<int:wave_id>/close")
def wave_close(wave_id: int) -> Response:
    return _change_status(wave_id, waves.close_wave, "wave_closed",
                          _l("Wave %(name)s is closed."))


def _change_status(wave_id: int, change, action: str, message) -> Response:  # type: ignore[no-untyped-def]
    begin_write()
    wave = perm.wave_or_404(current_user, wave_id)
    try:
        change(wave)
    except waves.WaveError as exc:
        db.session.rollback()
        flash(exc.localised(), "error")
    else:
        audit.record(current_user, action, wave, school_id=wave.school_year.school_id,
                     detail=wave.name)
        db.session.commit()
        flash(str(message) % {"name": wave.name}, "info")
    return redirect(url_for("director.waves"))


# --- settings and log ------------------------------------------------------------------------


@bp.route("/settings", methods=["GET", "POST"])
def settings() -> str | Response:
    return staff.settings_page(school(), back=url_for("director.index"))


@bp.get("/log")
def audit_log() -> str:
    own = school()
    events = audit.events(school_id=own.id)
    users = {u.id: u for u in db.session.scalars(select(User).where(
        User.id.in_({e.user_id for e in events if e.user_id})))}
    return render_template("director/audit.html", events=events, users=users)

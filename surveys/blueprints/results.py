"""Results pages: a group's results, teacher feedback, the director's overview, the
coordinator's school figures, improvement points, exports and the yearly report.

Every access decision asks :mod:`surveys.permissions`; every figure comes from
:mod:`surveys.services.results`, whose views are protected for small groups (P4).
"""

from __future__ import annotations

import math
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from analysis.data import construct_label
from analysis.policy import FLAG_RULES
from surveys import charts, labels
from surveys import permissions as perm
from surveys.database import begin_write
from surveys.extensions import db, login_manager
from surveys.forms import options
from surveys.models import (
    IMPROVEMENT_STATUSES,
    Group,
    GroupTeacher,
    ImprovementPoint,
    School,
    SchoolYear,
    User,
)
from surveys.results_i18n import current_lang, num, pct, signed, template_gettext
from surveys.results_i18n import gettext as _
from surveys.results_i18n import lazy_gettext as _l
from surveys.services import exports, improvements, organisation
from surveys.services import results as svc
from surveys.services.summary import summary_sentences

bp = Blueprint("results", __name__, url_prefix="/results")

STAFF = ("admin", "director", "teacher", "coordinator")
#: Who may open each page (others get 403, visitors the login page); the access-control walk
#: over ``app.url_map`` can read this table.
ACCESS: dict[str, tuple[str, ...]] = {
    "results.index": STAFF,
    "results.groups": ("teacher", "director"),
    "results.group": ("teacher", "director"),
    "results.feedback": ("teacher",),
    "results.teacher_feedback": ("teacher", "director"),
    "results.school": ("director",),
    "results.coordinator": ("coordinator", "director"),
    "results.improvements": ("director",),
    "results.improvement_edit": ("director",),
    "results.exports_page": ("director", "admin"),
    "results.export": ("director", "admin"),
    "results.report": ("director", "admin"),
}

STATUS_LABELS = {
    "gepland": _l("planned"),
    "lopend": _l("in progress"),
    "afgerond": _l("done"),
    "vervallen": _l("dropped"),
}
RULE_LABELS = {
    "severe_incident": _l("serious incident"),
    "safety_low": _l("feeling of safety lower than the rest of the school"),
    "bullying_high": _l("many pupils bullied"),
    "safety_decline": _l("feeling of safety fell since last year"),
    "incidents_high": _l("more incidents than the rest of the school"),
}


@bp.before_request
def _staff_only() -> Any:
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    roles = ACCESS.get(request.endpoint or "", ())
    if current_user.role not in roles:
        abort(403)
    return None


def construct_name(construct: str) -> str:
    return construct_label(construct, current_lang())


def category_name(category: str) -> str:
    return labels.label("category", category)


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {
        "_": template_gettext, "gettext": template_gettext, "num": num, "pct": pct,
        "signed": signed,
        "construct_name": construct_name, "category_name": category_name,
        "lang": current_lang(), "status_label": lambda s: str(STATUS_LABELS.get(s, s)),
        "rule_label": lambda r: str(RULE_LABELS.get(r, r)), "svg_uri": charts.svg_uri,
        "isfinite": _finite, "item_blocks": svc.item_blocks,
    }


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value)


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() else None


def pick_year(school: School) -> SchoolYear | None:
    """The school year asked for with ``?year=<id>`` (404 when not the school's), else the
    current one."""
    year_id = _int_arg("year")
    if year_id is not None:
        year = perm.school_year_or_404(current_user, year_id)
        if year.school_id != school.id:
            abort(404)
        return year
    return organisation.current_year(school)


# --- start ------------------------------------------------------------------------------------


@bp.get("/")
def index() -> Response:
    role = current_user.role
    if role == "teacher":
        return redirect(url_for("results.groups"))
    if role == "director":
        return redirect(url_for("results.school"))
    if role == "coordinator":
        return redirect(url_for("results.coordinator"))
    return redirect(url_for("admin.index"))


# --- groups ---------------------------------------------------------------------------------


@bp.get("/groups")
def groups() -> str:
    """The teacher's groups (the director: this year's groups), each with its waves."""
    if current_user.role == "teacher":
        rows = list(db.session.scalars(
            select(Group).join(GroupTeacher).join(SchoolYear)
            .where(GroupTeacher.user_id == current_user.id)
            .order_by(SchoolYear.starts_on.desc(), Group.name)))
    else:
        school = perm.own_school(current_user)
        year = pick_year(school)
        rows = list(year.groups) if year else []
    listing = [(g, svc.waves_of_year(g.school_year)) for g in rows]
    return render_template("results/groups.html", listing=listing)


@bp.get("/groups/<int:group_id>")
def group(group_id: int) -> str:
    the_group = perm.group_or_404(current_user, group_id)
    waves = svc.waves_of_year(the_group.school_year)
    wave = svc.default_wave(the_group.school_year, _int_arg("wave"))
    result = svc.group_results(the_group, wave, current_user) if wave else None
    points = [p for p in improvements.points_for(the_group.school_year)
              if p.group_id == the_group.id]
    return render_template("results/group.html", group=the_group, waves=waves, wave=wave,
                           r=result, points=points)


# --- teacher feedback -----------------------------------------------------------------------


@bp.get("/feedback")
def feedback() -> Response:
    return redirect(url_for("results.teacher_feedback", user_id=current_user.id))


@bp.get("/teachers/<int:user_id>/feedback")
def teacher_feedback(user_id: int) -> str:
    teacher = db.session.get(User, user_id)
    if teacher is None or teacher.school_id is None or not perm.in_school(
            current_user, teacher.school_id) or teacher.role != "teacher":
        abort(404)
    school = db.session.get(School, teacher.school_id)
    allowed = bool(school.settings and school.settings.director_sees_teacher_feedback)
    if not perm.may_view_teacher_feedback(current_user, teacher, director_allowed=allowed):
        abort(403)
    result = svc.teacher_feedback(teacher, school)
    return render_template("results/feedback.html", teacher=teacher, f=result)


# --- the director's overview ------------------------------------------------------------------


def _school_for_figures() -> School:
    school = perm.own_school(current_user)
    if not perm.may_view_school_figures(current_user, school.id):
        abort(403)
    return school


@bp.get("/school")
def school() -> str:
    own = _school_for_figures()
    year = pick_year(own)
    wave = svc.default_wave(year, _int_arg("wave")) if year else None
    overview = svc.school_overview(own, year, wave) if wave else None
    context: dict[str, Any] = {"school": own, "year": year, "wave": wave, "o": overview,
                               "years": organisation.years_of(own),
                               "waves": svc.waves_of_year(year) if year else []}
    if overview is not None:
        context["summary"] = summary_sentences(overview)
        context["points"] = improvements.points_for(year)
        previous = organisation.previous_year(year)
        then = overview.data.previous
        context["previous_year"] = previous
        context["follow_up"] = improvements.follow_up(
            improvements.points_for(previous), then, overview.data, list(year.groups),
            overview.k) if previous is not None else []
        context["feedback_allowed"] = bool(
            own.settings and own.settings.director_sees_teacher_feedback)
        context["teachers"] = organisation.teachers_of(own) if context[
            "feedback_allowed"] else []
        context["group_ids"] = {g.name: g.id for g in year.groups}
    return render_template("results/school.html", **context)


# --- the coordinator ------------------------------------------------------------------------


@bp.get("/coordinator")
def coordinator() -> str:
    own = _school_for_figures()
    year = pick_year(own)
    wave = svc.default_wave(year, _int_arg("wave")) if year else None
    figures = svc.coordinator_figures(own, year, wave) if wave else None
    open_requests = None
    if perm.may_read_conversation_requests(current_user, own.id):
        from surveys.services import inbox

        open_requests = sum(1 for r in inbox.requests_for(own.id) if not r.handled)
    return render_template("results/coordinator.html", school=own, year=year, wave=wave,
                           f=figures, years=organisation.years_of(own),
                           waves=svc.waves_of_year(year) if year else [],
                           open_requests=open_requests)


# --- improvement points --------------------------------------------------------------------


class ImprovementForm(FlaskForm):
    title = StringField(_l("What will we improve?"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("How"), validators=[Length(max=4000)],
                                description=_l("Write no pupils' names."))
    owner = StringField(_l("Who takes care of it"), validators=[Length(max=200)])
    status = SelectField(_l("Status"), choices=options(
        (s, STATUS_LABELS[s]) for s in IMPROVEMENT_STATUSES))
    group_id = SelectField(_l("Group (optional)"), choices=[])
    construct = SelectField(_l("Figure (optional)"), choices=[])
    flag_rule = SelectField(_l("Attention reason (optional)"), choices=[])


def _improvement_form(year: SchoolYear, point: ImprovementPoint | None) -> ImprovementForm:
    data = None
    if point is not None and request.method == "GET":
        data = {"title": point.title, "description": point.description, "owner": point.owner,
                "status": point.status, "group_id": str(point.group_id or ""),
                "construct": point.construct or "", "flag_rule": point.flag_rule or ""}
    form = ImprovementForm(data=data)
    form.group_id.choices = options([("", _("the whole school"))] + [
        (str(g.id), g.name) for g in year.groups])
    form.construct.choices = options([("", "—")] + [(c, construct_name(c))
                                                    for c in svc.SHOWN_CONSTRUCTS])
    form.flag_rule.choices = options([("", "—")] + [(r, str(RULE_LABELS[r]))
                                                    for r in FLAG_RULES])
    if point is None and request.method == "GET":
        form.group_id.data = request.args.get("group", "")
        form.construct.data = request.args.get("construct", "")
        form.flag_rule.data = request.args.get("rule", "")
    return form


def _improvement_in(form: ImprovementForm) -> improvements.ImprovementIn:
    return improvements.ImprovementIn(
        title=form.title.data or "", description=form.description.data or "",
        owner=form.owner.data or "", status=form.status.data or "gepland",
        group_id=int(form.group_id.data) if (form.group_id.data or "").isdigit() else None,
        construct=form.construct.data or None, flag_rule=form.flag_rule.data or None)


def _saved(save: Any) -> bool:
    """Run one improvement-point write in its own transaction; flash how it went."""
    begin_write()
    try:
        save()
    except improvements.ImprovementError as exc:
        db.session.rollback()
        flash(_("The point was not saved: %(reason)s", reason=str(exc)), "error")
        return False
    db.session.commit()
    flash(_("The improvement point was saved."), "info")
    return True


@bp.route("/improvements", methods=["GET", "POST"], endpoint="improvements")
def improvements_view() -> Any:
    own = perm.own_school(current_user)
    if not perm.may_manage_school(current_user, own.id):
        abort(403)
    year = pick_year(own)
    if year is None:
        return render_template("results/improvements.html", year=None, points=[], form=None,
                               years=[])
    form = _improvement_form(year, None)
    if form.validate_on_submit() and _saved(
            lambda: improvements.create(current_user, year, _improvement_in(form))):
        return redirect(url_for("results.improvements", year=year.id))
    return render_template("results/improvements.html", year=year,
                           points=improvements.points_for(year), form=form,
                           years=organisation.years_of(own))


@bp.route("/improvements/<int:point_id>", methods=["GET", "POST"])
def improvement_edit(point_id: int) -> Any:
    point = db.session.get(ImprovementPoint, point_id)
    if point is None or not perm.in_school(current_user, point.school_year.school_id):
        abort(404)
    if not perm.may_manage_school(current_user, point.school_year.school_id):
        abort(403)
    form = _improvement_form(point.school_year, point)
    if form.validate_on_submit() and _saved(
            lambda: improvements.update(current_user, point, _improvement_in(form))):
        return redirect(url_for("results.improvements", year=point.school_year_id))
    return render_template("results/improvement_form.html", form=form, point=point)


# --- exports and the report --------------------------------------------------------------------


def _export_school(school_id: int) -> School:
    school = perm.school_or_404(current_user, school_id)
    if not perm.may_view_school_figures(current_user, school.id):
        abort(403)
    if current_user.role == "director" and current_user.school_id != school.id:
        abort(404)
    return school


class RawExportForm(FlaskForm):
    understood = BooleanField(
        _l("I understand that these are pupils' answers, one row per answer, and that I may "
           "share them only with people who analyse them for the school."),
        validators=[DataRequired()])


@bp.get("/schools/<int:school_id>/exports")
def exports_page(school_id: int) -> str:
    school = _export_school(school_id)
    year = pick_year(school)
    return render_template("results/exports.html", school=school, year=year,
                           years=organisation.years_of(school),
                           waves=svc.waves_of_year(year) if year else [],
                           raw_form=RawExportForm())


@bp.route("/schools/<int:school_id>/exports/<kind>", methods=["GET", "POST"])
def export(school_id: int, kind: str) -> Response:
    school = _export_school(school_id)
    if kind not in exports.KINDS:
        abort(404)
    year = pick_year(school)
    wave = svc.default_wave(year, _int_arg("wave")) if year else None
    if year is None or wave is None:
        abort(404)
    if kind == "raw":
        if request.method != "POST":
            abort(405)
        form = RawExportForm()
        if not form.validate_on_submit():
            flash(_("Tick the box to confirm that you understand what the raw data are."),
                  "error")
            return redirect(url_for("results.exports_page", school_id=school.id, year=year.id))
    elif request.method != "GET":
        abort(405)
    with force_locale(current_lang()):
        out = exports.build(kind, school, year, wave, lang=current_lang())
    return Response(out.content, mimetype=out.mimetype, headers={
        "Content-Disposition": f'attachment; filename="{out.filename}"'})


@bp.get("/schools/<int:school_id>/report.pdf")
def report(school_id: int) -> Response:
    school = _export_school(school_id)
    year = pick_year(school)
    wave = svc.default_wave(year, _int_arg("wave")) if year else None
    if year is None or wave is None:
        abort(404)
    lang = request.args.get("lang") if request.args.get("lang") in ("nl", "en") else (
        current_lang())
    from surveys.services.report import build_report

    pdf = build_report(school, year, wave, lang=lang)
    name = f"klasklimaat-{school.slug}-{year.name}-{lang}.pdf"
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


__all__ = ["ACCESS", "bp"]

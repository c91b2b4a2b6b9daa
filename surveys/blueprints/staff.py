"""What staff pages share: each role's start page, the navigation, and the school-settings page
that both the director and the board's administrator use."""

from __future__ import annotations

from flask import Flask, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import BooleanField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange

from surveys import permissions as perm
from surveys.database import begin_write
from surveys.extensions import db
from surveys.models import School
from surveys.services import settings as settings_service

START_PAGES = {
    "admin": "admin.index",
    "director": "director.index",
    "teacher": "teacher.index",
    "coordinator": "coordinator.index",
}

#: (endpoint, label, endpoint prefixes that belong to it) per role, in the navigation's order.
NAVIGATION = {
    "admin": [("admin.index", _l("Schools and accounts"), ("admin.",))],
    "director": [
        ("director.index", _l("Overview"), ("director.index",)),
        ("results.school", _l("Results"), ("results.",)),
        ("director.years", _l("Years and groups"),
         ("director.year", "director.group", "director.next_year", "director.import_groups")),
        ("director.waves", _l("Survey waves"), ("director.wave",)),
        ("incidents.index", _l("Incidents"), ("incidents.",)),
        ("director.settings", _l("Settings"), ("director.settings",)),
        ("director.audit_log", _l("Log"), ("director.audit_log",)),
    ],
    "teacher": [
        ("teacher.index", _l("My groups"), ("teacher.",)),
        ("results.groups", _l("Results"), ("results.group",)),
        ("results.feedback", _l("My feedback"), ("results.feedback", "results.teacher_feedback")),
        ("incidents.index", _l("Incidents"), ("incidents.",)),
    ],
    "coordinator": [
        ("coordinator.index", _l("Conversation requests"), ("coordinator.",)),
        ("results.coordinator", _l("Safety figures"), ("results.coordinator",)),
        ("incidents.index", _l("Incidents"), ("incidents.",)),
    ],
}


def start_page(user) -> str:  # type: ignore[no-untyped-def]
    return url_for(START_PAGES[user.role])


def navigation() -> list[tuple[str, str, bool]]:
    """(url, label, current) for the logged-in user's role."""
    if not getattr(current_user, "is_authenticated", False):
        return []
    here = request.endpoint or ""
    return [(url_for(endpoint), str(label), any(here.startswith(p) for p in prefixes))
            for endpoint, label, prefixes in NAVIGATION.get(current_user.role, [])]


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(staff_navigation=navigation)


class SettingsForm(FlaskForm):
    name = StringField(_l("Name of the school"), validators=[DataRequired(), Length(max=200)])
    vertrouwenspersoon_name = StringField(
        _l("Name of the vertrouwenspersoon"), validators=[Length(max=200)],
        description=_l("Pupils see this name when they ask for a conversation."))
    vertrouwenspersoon_contact = TextAreaField(
        _l("How pupils reach the vertrouwenspersoon"), validators=[Length(max=500)],
        description=_l('Shown to pupils, e.g. "Her room is next to the gym. '
                       'You can also leave a note in the blue box."'))
    k = IntegerField(
        _l("Smallest number of pupils behind a figure (k)"),
        validators=[DataRequired(), NumberRange(min=5, max=50)],
        description=_l("No figure is shown for fewer pupils than this. At least 5."))
    retention_years = IntegerField(
        _l("Keep answers and incident descriptions for (years)"),
        validators=[DataRequired(), NumberRange(min=1, max=settings_service.RETENTION_MAX_YEARS)],
        description=_l("After this, answers and descriptions are removed; the group figures "
                       "stay."))
    director_sees_teacher_feedback = BooleanField(
        _l("The director may read the feedback pupils give their teachers"),
        description=_l("Off by default. Only the school board's administrator can change this."))


def settings_page(school: School, *, back: str) -> str | Response:
    may_grant = perm.may_grant_feedback_access(current_user, school.id)
    if not perm.may_edit_settings(current_user, school.id):
        abort(403)
    current = settings_service.settings_of(school)
    form = SettingsForm(data={
        "name": school.name,
        "vertrouwenspersoon_name": current.vertrouwenspersoon_name,
        "vertrouwenspersoon_contact": current.vertrouwenspersoon_contact,
        "k": current.k, "retention_years": current.retention_years,
        "director_sees_teacher_feedback": current.director_sees_teacher_feedback,
    } if request.method == "GET" else None)
    if not may_grant:
        form.director_sees_teacher_feedback.render_kw = {"disabled": True}
    if form.validate_on_submit():
        begin_write()
        try:
            settings_service.update_settings(current_user, school, settings_service.SettingsIn(
                name=form.name.data or "",
                vertrouwenspersoon_name=form.vertrouwenspersoon_name.data or "",
                vertrouwenspersoon_contact=form.vertrouwenspersoon_contact.data or "",
                k=form.k.data or 0, retention_years=form.retention_years.data or 0,
                director_sees_teacher_feedback=bool(form.director_sees_teacher_feedback.data),
            ), may_grant_feedback=may_grant)
        except settings_service.SettingsError as exc:
            db.session.rollback()
            flash(exc.localised(), "error")
        else:
            db.session.commit()
            flash(_("The settings were saved."), "info")
            return redirect(request.path)
    if not may_grant:
        form.director_sees_teacher_feedback.data = current.director_sees_teacher_feedback
    return render_template("staff/settings.html", form=form, school=school, back=back,
                           may_grant=may_grant)

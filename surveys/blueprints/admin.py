"""The administrator (school board): schools, accounts, set-password links, school settings."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import BooleanField, EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from surveys import permissions as perm
from surveys.blueprints import staff
from surveys.database import begin_write
from surveys.extensions import db
from surveys.forms import options
from surveys.i18n import role_label
from surveys.models import ROLES, School
from surveys.services import accounts, audit, organisation

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@perm.require_role("admin")
def _admins_only() -> None:
    return None


class SchoolForm(FlaskForm):
    slug = StringField(_l("Short name (for the command line)"),
                       validators=[DataRequired(), Length(max=64)],
                       description=_l("Lowercase letters, digits and dashes, e.g. de-vlinder."))
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])


class AccountForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])
    display_name = StringField(
        _l("Name as pupils and colleagues see it"), validators=[DataRequired(), Length(max=100)],
        description=_l('For a teacher, as pupils say it: "juf Sanne", "meester Tim".'))
    role = SelectField(_l("Role"))
    school_id = SelectField(_l("School"), coerce=int)
    active = BooleanField(_l("Account is active"), default=True)


def _schools() -> list[School]:
    ids = perm.school_ids(current_user)
    query = select(School).order_by(School.name)
    if ids is not None:
        query = query.where(School.id.in_(ids))
    return list(db.session.scalars(query))


def _account_form(obj=None) -> AccountForm:  # type: ignore[no-untyped-def]
    form = AccountForm(obj=obj)
    form.role.choices = options((r, role_label(r)) for r in ROLES)
    form.school_id.choices = options([(0, _("— none (administrators only) —"))] + [
        (s.id, s.name) for s in _schools()])
    if obj is not None and not form.is_submitted():
        form.school_id.data = obj.school_id or 0
    return form


@bp.get("/")
def index() -> str:
    schools = _schools()
    users = accounts.accounts_for(perm.school_ids(current_user), current_user.board_id)
    return render_template("admin/index.html", schools=schools, users=users)


@bp.route("/schools/new", methods=["GET", "POST"])
def new_school() -> str | Response:
    form = SchoolForm()
    if form.validate_on_submit():
        begin_write()
        try:
            school = organisation.create_school(form.slug.data or "", form.name.data or "",
                                                board_id=current_user.board_id)
        except organisation.OrganisationError as exc:
            db.session.rollback()
            form.slug.errors = [exc.localised()]
        else:
            audit.record(current_user, "school_created", school, school_id=school.id,
                         detail=school.slug)
            db.session.commit()
            flash(_("School %(name)s was created.", name=school.name), "info")
            return redirect(url_for("admin.index"))
    return render_template("admin/school_form.html", form=form)


@bp.route("/schools/<int:school_id>/settings", methods=["GET", "POST"])
def school_settings(school_id: int) -> str | Response:
    school = perm.school_or_404(current_user, school_id)
    return staff.settings_page(school, back=url_for("admin.index"))


@bp.route("/accounts/new", methods=["GET", "POST"])
def new_account() -> str | Response:
    form = _account_form()
    if form.validate_on_submit():
        begin_write()
        school = _chosen_school(form)
        try:
            if form.role.data != "admin" and school is None:
                raise accounts.AccountError(accounts.N_("this role belongs to a school: "
                                                        "choose one"))
            user = accounts.create_user(email=form.email.data or "",
                                        display_name=form.display_name.data or "",
                                        role=form.role.data or "", school=school)
            if user.role == "admin":
                user.board_id = current_user.board_id
        except accounts.AccountError as exc:
            db.session.rollback()
            form.email.errors = [exc.localised()]
        else:
            audit.record(current_user, "account_created", user, school_id=user.school_id,
                         detail=f"{user.email} ({user.role})")
            token = accounts.issue_set_password_link(user)
            db.session.commit()
            return render_template("admin/link.html", account=user,
                                   link=url_for("auth.set_password", token=token, _external=True))
    return render_template("admin/account_form.html", form=form, account=None)


def _chosen_school(form: AccountForm) -> School | None:
    if not form.school_id.data:
        return None
    school = db.session.get(School, form.school_id.data)
    if school is None or not perm.in_school(current_user, school.id):
        abort(404)
    return school


@bp.route("/accounts/<int:account_id>", methods=["GET", "POST"])
def edit_account(account_id: int) -> str | Response:
    account = perm.account_or_404(current_user, account_id)
    form = _account_form(account)
    if form.validate_on_submit():
        begin_write()
        account = perm.account_or_404(current_user, account_id)
        if account.id == current_user.id and (form.role.data != "admin" or not form.active.data):
            abort(403)  # an administrator cannot lock themself out
        try:
            changed = accounts.update_user(account, display_name=form.display_name.data or "",
                                           role=form.role.data or "",
                                           school=_chosen_school(form),
                                           active=bool(form.active.data))
        except accounts.AccountError as exc:
            db.session.rollback()
            form.role.errors = [exc.localised()]
        else:
            if changed:
                audit.record(current_user, "account_changed", account,
                             school_id=account.school_id, detail=", ".join(changed))
            db.session.commit()
            flash(_("The account was saved."), "info")
            return redirect(url_for("admin.index"))
    return render_template("admin/account_form.html", form=form, account=account)


@bp.post("/accounts/<int:account_id>/link")
def password_link(account_id: int) -> str:
    begin_write()
    account = perm.account_or_404(current_user, account_id)
    token = accounts.issue_set_password_link(account)
    audit.record(current_user, "password_link_issued", account, school_id=account.school_id,
                 detail=account.email)
    db.session.commit()
    return render_template("admin/link.html", account=account,
                           link=url_for("auth.set_password", token=token, _external=True))

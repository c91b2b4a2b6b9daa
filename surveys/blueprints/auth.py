"""Staff login and logout, password change and the one-time set-password link."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from surveys import auth
from surveys.database import begin_write
from surveys.extensions import db, limiter
from surveys.passwords import MIN_LENGTH
from surveys.services import accounts, audit

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1000)])


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(min=MIN_LENGTH, max=1000)],
        description=_l("At least %(n)s characters. A few words in a row are easy to remember.",
                       n=MIN_LENGTH),
    )
    confirm = PasswordField(
        _l("New password, again"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=1000)])


def safe_next(target: str | None) -> str | None:
    """Only a path on this site is a safe place to return to after login."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(c) < 32 for c in target):
        return None
    return target


def fresh_session() -> None:
    """Empty the session, keeping only the visitor's choice of language."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def start_session(user) -> None:  # type: ignore[no-untyped-def]
    # A fresh session at login, so a cookie planted before login is worth nothing.
    fresh_session()
    login_user(user)


def _login_key() -> str:
    # Keyed by the submitted address, never by IP: a whole school shares one address.
    return "login:" + (request.form.get("email") or "").strip().lower()[:254]


def _hourly_limit() -> str:
    return f"{current_app.config['LOGIN_FAILURES_PER_HOUR']} per hour"


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_hourly_limit, key_func=_login_key, methods=["POST"],
               deduct_when=lambda _response: bool(g.get("login_failed")))
def login() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("public.home"))
    form = LoginForm()
    if form.validate_on_submit():
        begin_write()
        attempt = auth.attempt_login(form.email.data or "", form.password.data or "")
        db.session.commit()
        if attempt.outcome is auth.Outcome.OK:
            start_session(attempt.user)
            return redirect(safe_next(request.args.get("next")) or url_for("public.home"))
        g.login_failed = attempt.counted
        if attempt.outcome is auth.Outcome.LOCKED:
            flash(_("Too many wrong passwords for this account. Wait a minute and try again."),
                  "error")
        else:
            flash(_("That e-mail address and password do not match."), "error")
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout() -> Response:
    # Raising the version voids every cookie of this account, not only this browser's.
    begin_write()
    current_user.session_version += 1
    db.session.commit()
    logout_user()
    fresh_session()
    flash(_("You are logged out."), "info")
    return redirect(url_for("public.home"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> str | Response:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        begin_write()
        user = current_user._get_current_object()
        try:
            accounts.change_password(user, form.current.data or "", form.password.data or "")
        except accounts.AccountError:
            db.session.rollback()
            form.current.errors = [_("The current password is not right.")]
        else:
            audit.record(user, "password_changed", user)
            db.session.commit()
            # Every other browser of this account is logged out; this one starts afresh.
            start_session(user)
            flash(_("Your password was changed. You were logged out everywhere else."), "info")
            return redirect(url_for("public.home"))
    return render_template("auth/password.html", form=form)


@bp.route("/set-password/<token>", methods=["GET", "POST"])
def set_password(token: str) -> str | Response:
    row = accounts.token_user(token)
    if row is None:
        abort(404)
    form = NewPasswordForm()
    if form.validate_on_submit():
        begin_write()
        try:
            user = accounts.redeem_set_password_link(token, form.password.data or "")
        except accounts.AccountError:
            db.session.rollback()
            abort(404)
        audit.record(user, "password_set", user)
        db.session.commit()
        if current_user.is_authenticated:
            logout_user()
        fresh_session()
        flash(_("Your password is set. You can log in now."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/set_password.html", form=form, account=row.user)

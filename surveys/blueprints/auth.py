"""Staff login and logout."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from surveys.auth import authenticate
from surveys.extensions import db

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1000)])


def safe_next(target: str | None) -> str | None:
    """Only a path on this site is a safe place to return to after login."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target


def fresh_session() -> None:
    """Empty the session, keeping only the visitor's choice of language."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("public.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data or "", form.password.data or "")
        if user is not None:
            db.session.commit()
            # A fresh session at login, so a cookie planted before login is worth nothing.
            fresh_session()
            login_user(user)
            return redirect(safe_next(request.args.get("next")) or url_for("public.home"))
        db.session.rollback()
        flash(_("That e-mail address and password do not match."), "error")
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout() -> Response:
    # Raising the version voids every cookie of this account, not only this browser's.
    current_user.session_version += 1
    db.session.commit()
    logout_user()
    fresh_session()
    flash(_("You are logged out."), "info")
    return redirect(url_for("public.home"))

"""Language choice: Dutch first, English second (Flask-Babel)."""

from __future__ import annotations

from flask import Flask, current_app, request, session
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from surveys.extensions import babel


def select_locale() -> str:
    """An explicit choice (``?lang=``, remembered in the session) wins, then the account's
    language, then the browser's preference among the languages we have, then Dutch."""
    languages = current_app.config["LANGUAGES"]
    chosen = request.args.get("lang")
    if chosen in languages:
        session["lang"] = chosen
        return chosen
    if session.get("lang") in languages:
        return session["lang"]
    if getattr(current_user, "is_authenticated", False) and current_user.language in languages:
        return current_user.language
    return request.accept_languages.best_match(languages) or current_app.config[
        "BABEL_DEFAULT_LOCALE"
    ]


ROLE_LABELS = {
    "admin": _l("administrator"),
    "director": _l("director"),
    "teacher": _l("teacher"),
    "coordinator": _l("safety coordinator"),
}


def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))


def current_locale() -> str:
    return str(get_locale() or "nl")


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals.update(role_label=role_label, current_locale=current_locale)

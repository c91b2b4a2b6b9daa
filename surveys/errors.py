"""Friendly error pages in the visitor's language; nothing technical leaks to the page."""

from __future__ import annotations

from flask import Flask, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        message = _("This form has expired. Go back, reload the page and try again.")
        return render_template("error.html", code=400, message=message), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int]:
        messages = {
            400: _("The request could not be understood."),
            403: _("You do not have access to this page."),
            404: _("This page does not exist."),
            405: _("This page cannot be used like that."),
            413: _("The file is too large."),
            429: _("Too many attempts. Wait a moment and try again."),
        }
        code = error.code or 500
        message = messages.get(code, _("Something went wrong."))
        return render_template("error.html", code=code, message=message), code

"""Pages for anyone: the home page that says what this is."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template
from flask_login import current_user
from werkzeug.wrappers import Response

bp = Blueprint("public", __name__)


@bp.get("/")
def home() -> str | Response:
    # A logged-in staff member starts on their role's own page.
    if current_user.is_authenticated:
        from surveys.blueprints.staff import start_page

        return redirect(start_page(current_user))
    return render_template("public/home.html")

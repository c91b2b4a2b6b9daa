"""The vertrouwenspersoon / anti-pestcoördinator: the inbox of pupils' conversation requests.

Only the school's coordinator sees it (P6): not the director, not the teachers.
"""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from surveys import permissions as perm
from surveys.database import begin_write
from surveys.extensions import db
from surveys.services import inbox

bp = Blueprint("coordinator", __name__, url_prefix="/coordinator")


@bp.before_request
@perm.require_role("coordinator")
def _coordinators_only() -> None:
    return None


@bp.get("/")
def index() -> str:
    school = perm.own_school(current_user)
    if not perm.may_read_conversation_requests(current_user, school.id):
        abort(403)
    items = inbox.requests_for(school.id)
    return render_template("coordinator/index.html", items=items, form=FlaskForm(),
                           open_count=sum(1 for i in items if not i.handled))


@bp.post("/requests/<uuid:request_id>/handled")
def handled(request_id: uuid.UUID) -> Response:
    begin_write()
    item = perm.conversation_request_or_404(current_user, request_id)
    inbox.mark_handled(current_user, item)
    db.session.commit()
    flash(_("Marked as handled."), "info")
    return redirect(url_for("coordinator.index"))


@bp.post("/requests/<uuid:request_id>/reopen")
def reopen(request_id: uuid.UUID) -> Response:
    begin_write()
    item = perm.conversation_request_or_404(current_user, request_id)
    inbox.mark_open(current_user, item)
    db.session.commit()
    flash(_("Marked as not yet handled."), "info")
    return redirect(url_for("coordinator.index"))

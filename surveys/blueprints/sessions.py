"""The teacher's side of a questionnaire session, under ``/sessions/``: start one for a group,
show the class code, QR code and kiosk link with a live count, close it, print one-time code cards.

The QR codes (the class's and the kiosk link's) carry the session's unguessable pass rather than
the six-character code, so they keep working while a guessing run has spent the budget of typed
codes (see ``services.sessions``); the short typed forms stay on the page for tablets without a
camera.

Only a group's own teachers (and the director standing in) may do this, as
``permissions.may_run_sessions`` decides.
"""

from __future__ import annotations

import io

import segno
from flask import Blueprint, abort, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from surveys.extensions import db
from surveys.i18n import current_locale
from surveys.models import ClassSession, SurveyWave
from surveys.permissions import group_or_404, may_run_sessions
from surveys.pupil_texts import text
from surveys.services import sessions as svc
from surveys.services.responses import SCHOOL_TIMEZONE

bp = Blueprint("sessions", __name__, url_prefix="/sessions")


def t(key: str, **values: object) -> str:
    return text(key, current_locale(), **values)


@bp.context_processor
def _texts() -> dict[str, object]:
    return {"t": t}


def session_or_404(session_id: int) -> ClassSession:
    session = db.session.get(ClassSession, session_id)
    if session is None:
        abort(404)
    group_or_404(current_user, session.group_id, check=may_run_sessions)
    return session


@bp.get("/")
@login_required
def index() -> str:
    groups = svc.groups_for(current_user)
    rows = [(group, svc.open_waves(group)) for group in groups]
    recent = svc.sessions_for(current_user, groups)
    return render_template("sessions/index.html", rows=rows, recent=recent,
                           is_open=svc.session_is_open)


@bp.post("/start")
@login_required
def start() -> Response:
    group = group_or_404(current_user, _int(request.form.get("group_id")), check=may_run_sessions)
    wave = db.session.get(SurveyWave, _int(request.form.get("wave_id")))
    if wave is None or wave.school_year_id != group.school_year_id:
        abort(404)
    try:
        session = svc.open_session(group=group, wave=wave, user=current_user)
    except svc.SessionError:
        db.session.rollback()
        abort(400)
    db.session.commit()
    return redirect(url_for("sessions.show", session_id=session.id), code=303)


def _int(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        abort(400)


@bp.get("/<int:session_id>")
@login_required
def show(session_id: int) -> str:
    session = session_or_404(session_id)
    ends_local = svc.aware(session.ends_at).astimezone(SCHOOL_TIMEZONE).strftime("%H:%M")
    return render_template(
        "sessions/show.html", session=session, group=session.group, wave=session.wave,
        is_open=svc.session_is_open(session), ends=ends_local,
        start_url=url_for("pupil.start", _external=True),
        link_url=url_for("pupil.link", code=svc.class_pass(session), _external=True),
        kiosk_url=url_for("pupil.kiosk", code=session.code, _external=True),
        grace=int(svc.grace().total_seconds() // 60),
        unused_cards=svc.unused_cards(session.wave, session.group)
        if session.wave.one_time_codes else None,
    )


@bp.get("/<int:session_id>/count")
@login_required
def count(session_id: int) -> Response:
    session = session_or_404(session_id)
    return jsonify(finished=session.finished_count, size=session.group.size,
                   open=svc.session_is_open(session))


@bp.get("/<int:session_id>/qr.svg")
@login_required
def qr(session_id: int) -> Response:
    """The QR code of the class (``?for=kiosk``: of the kiosk link), with the session's pass."""
    session = session_or_404(session_id)
    endpoint = "pupil.kiosk" if request.args.get("for") == "kiosk" else "pupil.link"
    code = segno.make(url_for(endpoint, code=svc.class_pass(session), _external=True), error="m")
    buffer = io.BytesIO()
    code.save(buffer, kind="svg", scale=8, border=2, title="Klasklimaat")
    response = Response(buffer.getvalue(), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/<int:session_id>/close")
@login_required
def close(session_id: int) -> Response:
    session = session_or_404(session_id)
    svc.close_session(session)
    db.session.commit()
    return redirect(url_for("sessions.show", session_id=session.id), code=303)


@bp.route("/<int:session_id>/cards", methods=["GET", "POST"])
@login_required
def cards(session_id: int) -> str | tuple[str, int]:
    session = session_or_404(session_id)
    if not session.wave.one_time_codes:
        abort(404)
    codes: list[str] = []
    error = None
    suggested = max(session.group.size, 1) + 2
    if request.method == "POST":
        try:
            number = int(request.form.get("count") or "0")
        except ValueError:
            number = 0
        try:
            codes = svc.create_cards(wave=session.wave, group=session.group, count=number)
            db.session.commit()
        except svc.SessionError:
            db.session.rollback()
            error = t("s_cards_error", max=svc.MAX_CARDS)
    page = render_template(
        "sessions/cards.html", session=session, group=session.group,
        codes=[svc.format_card_code(c) for c in codes], error=error,
        suggested=min(suggested, svc.MAX_CARDS), max_cards=svc.MAX_CARDS,
        start_url=url_for("pupil.start", _external=True),
        unused=svc.unused_cards(session.wave, session.group),
    )
    return (page, 422) if error else page

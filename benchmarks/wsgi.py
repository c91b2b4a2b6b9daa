"""The application as the benchmarks serve it under gunicorn, with two baseline endpoints.

``gunicorn benchmarks.wsgi:app`` serves the real application (production settings from the
environment, as a school runs it) plus two routes that exist only here, never in the product:

- ``POST /bench/noop``: reads the form and answers ``ok``; the framework's ceiling.
- ``POST /bench/floor``: stores the same rows a pupil submission stores (a receipt, a response,
  its answers and construct scores, the class session's counter) with the database driver
  directly, in one transaction, without validation or encryption; the storage ceiling.

The floor's rows are copied once, at start, from a submission the real code stored (the
benchmark stores one before it starts the server), so both write the same number of rows of the
same width.
"""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from flask import Blueprint, request
from sqlalchemy import select

from surveys import create_app
from surveys.extensions import csrf, db
from surveys.models import Answer, ClassSession, ConstructScore, Response

bench = Blueprint("bench", __name__, url_prefix="/bench")
csrf.exempt(bench)

_TEMPLATE: dict[str, Any] = {}


def _template() -> dict[str, Any]:
    """One stored response's rows, as plain tuples, read once per worker."""
    if _TEMPLATE:
        return _TEMPLATE
    response = db.session.scalars(select(Response).limit(1)).one()
    answers = db.session.execute(
        select(Answer.instrument_version_id, Answer.item_key, Answer.part, Answer.teacher_id,
               Answer.value).where(Answer.response_id == response.id)).all()
    scores = db.session.execute(
        select(ConstructScore.construct, ConstructScore.part, ConstructScore.teacher_id,
               ConstructScore.instrument_version_id, ConstructScore.value,
               ConstructScore.common, ConstructScore.n_items, ConstructScore.n_answered)
        .where(ConstructScore.response_id == response.id)).all()
    session_id = db.session.scalars(select(ClassSession.id).limit(1)).one()
    _TEMPLATE.update(
        wave_id=response.wave_id, group_id=response.group_id, grade=response.grade,
        submitted_on=response.submitted_on, answers=[tuple(r) for r in answers],
        scores=[tuple(r) for r in scores], session_id=session_id,
        paramstyle="?" if db.engine.dialect.name == "sqlite" else "%s",
    )
    db.session.remove()
    return _TEMPLATE


@bench.post("/noop")
def noop() -> tuple[str, int]:
    request.form.get("t")
    return "ok", 200


@bench.post("/floor")
def floor() -> tuple[str, int]:
    request.form.get("t")
    t = _template()
    p = t["paramstyle"]
    sqlite = p == "?"
    response_id = str(uuid.uuid4()) if not sqlite else uuid.uuid4().hex
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        if sqlite:
            cur.execute("BEGIN IMMEDIATE")
        cur.execute(f"INSERT INTO submission_receipts (digest, wave_id) VALUES ({p}, {p})",
                    (secrets.token_hex(32), t["wave_id"]))
        cur.execute(
            f"INSERT INTO responses (id, wave_id, group_id, grade, submitted_on) "
            f"VALUES ({p}, {p}, {p}, {p}, {p})",
            (response_id, t["wave_id"], t["group_id"], t["grade"], t["submitted_on"]))
        cur.executemany(
            f"INSERT INTO answers (response_id, instrument_version_id, item_key, part, "
            f"teacher_id, value) VALUES ({p}, {p}, {p}, {p}, {p}, {p})",
            [(response_id, *row) for row in t["answers"]])
        cur.executemany(
            f"INSERT INTO construct_scores (response_id, construct, part, teacher_id, "
            f"instrument_version_id, value, common, n_items, n_answered) "
            f"VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p})",
            [(response_id, *row) for row in t["scores"]])
        cur.execute(f"UPDATE class_sessions SET finished_count = finished_count + 1 "
                    f"WHERE id = {p}", (t["session_id"],))
        raw.commit()
    except Exception:
        raw.rollback()
        raise
    finally:
        raw.close()
    return "ok", 200


app = create_app()
app.register_blueprint(bench)
# Served with --preload: the master imports the application once and forks the workers, so a
# connection opened while creating it must not be shared with them.
with app.app_context():
    db.engine.dispose()

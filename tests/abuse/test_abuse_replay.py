"""Replayed submissions (P3b): the same finished questionnaire sent again, and sent by several
tablets at the very same moment, is stored exactly once; the conversation request likewise.
"""

from __future__ import annotations

import threading

from flask import Flask
from sqlalchemy import select

from surveys.extensions import db
from surveys.models import ClassSession, ConversationRequest, Response, SubmissionReceipt
from surveys.services import sessions as svc
from tests.abuse.common import World, assert_clear, counts, nothing_stored
from tests.pupil.test_pupil_flow import Tablet

TABLETS = 8


def at_once(count: int, action) -> list[object]:  # type: ignore[no-untyped-def]
    """Run ``action(i)`` in ``count`` threads released together; their results."""
    barrier = threading.Barrier(count)
    results: list[object] = [None] * count

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = action(i)
        except Exception as exc:  # reported below, never lost in a thread
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def test_a_walked_questionnaire_sent_again_and_again_is_stored_once(app: Flask,
                                                                    world: World) -> None:
    tablet = Tablet(app.test_client()).get(f"/k/{world.pass_}")
    tablet.step(do="start")
    tablet.answer_all()
    finished = tablet.token
    tablet.send()
    assert tablet.screen == "talk"
    once = counts(app)
    assert once["responses"] == 1 and once["finished"] == 1
    with nothing_stored(app):
        for lang in ("nl", "en"):  # a retry from the queue, in either language, a double tap
            again = app.test_client().post("/k/send", data={"t": finished, "lang": lang})
            assert again.status_code == 303 and again.location.startswith("/k/talk?t=")
            queued = app.test_client().post("/k/send", data={"t": finished},
                                            headers={"X-Klasklimaat": "fetch"})
            assert queued.get_json()["ok"] is True
    # Once the session has ended (and its grace period), the replay is refused outright.
    with app.app_context():
        session = db.session.get(ClassSession, world.session)
        session.closed_at = svc.utcnow() - svc.grace() * 3
        db.session.commit()
    with nothing_stored(app):
        assert_clear(app.test_client().post("/k/send", data={"t": finished}), status=422)


def test_the_same_finished_questionnaire_sent_by_eight_tablets_at_once_is_stored_once(
        app: Flask, world: World) -> None:
    finished = world.tokens["done"]

    def send(i: int) -> tuple[int, object]:
        headers = {"X-Klasklimaat": "fetch"} if i % 2 else {}
        response = app.test_client().post("/k/send", data={"t": finished}, headers=headers)
        return response.status_code, response.get_json() if response.is_json else None

    before = counts(app)
    results = at_once(TABLETS, send)
    assert all(not isinstance(r, Exception) for r in results), results
    # Every tablet hears "stored" (so its queue may forget the answers); one response exists.
    for i, (status, body) in enumerate(results):  # type: ignore[misc]
        if i % 2:
            assert status == 200 and body["ok"] is True, body
        else:
            assert status == 303
    after = counts(app)
    assert after["responses"] == before["responses"] + 1
    assert after["receipts"] == before["receipts"] + 1
    assert after["finished"] == before["finished"] + 1
    assert after["answers"] == before["answers"] + world.plan_length()
    with app.app_context():
        assert db.session.get(ClassSession, world.session).finished_count == 1
        assert len(db.session.scalars(select(SubmissionReceipt)).all()) == 1
        assert len(db.session.scalars(select(Response)).all()) == 1

    # Its conversation request, asked for by all of them at once, is stored once too.
    end = world.tokens["end"]

    def ask(_i: int) -> int:
        return app.test_client().post("/k/talk", data={"t": end, "do": "request",
                                                       "first_name": "Noor"}).status_code

    assert at_once(TABLETS, ask) == [200] * TABLETS
    with app.app_context():
        assert db.session.scalars(select(ConversationRequest.first_name)).all() == ["Noor"]

"""Tampered screen tokens (the hidden field "t"): flipped characters, cut short, sealed with
another installation's key, too old, from the future, replayed, or sealed around a state of the
wrong shape. Each is refused with "this screen has expired, just start again" (or "this
questionnaire is closed"), and nothing is stored.
"""

from __future__ import annotations

import base64
import binascii
import json
import time

from flask import Flask
from hypothesis import assume, given
from hypothesis import strategies as st
from sqlalchemy import select

from surveys.blueprints import pupil as bp
from surveys.extensions import db
from surveys.models import ClassSession, Response, SurveyWave
from surveys.services import sessions as svc
from tests.abuse.common import ABUSE, World, assert_clear, counts, nothing_stored

#: Where each kind of token is used, and where a tampered one is sent.
USES = {"welcome": "/k/step", "question": "/k/step", "done": "/k/send", "end": "/k/talk"}
B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_="


def decoded(token: str) -> bytes | None:
    try:
        return base64.urlsafe_b64decode(token.encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        return None


def post(app: Flask, route: str, token: str, lang: str = "nl", **extra: str):  # type: ignore[no-untyped-def]
    data = {"t": token, "lang": lang, "do": "next", **extra}
    if route == "/k/talk":
        data["do"] = "request"
        data["first_name"] = "Sam"
    return app.test_client().post(route, data=data)


@ABUSE
@given(kind=st.sampled_from(sorted(USES)), data=st.data(), lang=st.sampled_from(["nl", "en"]),
       fetch=st.booleans())
def test_a_flipped_character_is_refused(app: Flask, world: World, kind: str,
                                        data: st.DataObject, lang: str, fetch: bool) -> None:
    token = world.tokens[kind]
    position = data.draw(st.integers(0, len(token) - 1), label="position")
    replacement = data.draw(st.sampled_from(B64 + "!~ .é\x00"), label="replacement")
    tampered = token[:position] + replacement + token[position + 1:]
    # Base64 has spare bits in its last character: a change there may decode to the very same
    # bytes, which is the same token, not a tampered one.
    assume(decoded(tampered) != decoded(token))
    route = USES[kind]
    with nothing_stored(app):
        if fetch and route == "/k/send":
            response = app.test_client().post(route, data={"t": tampered, "lang": lang},
                                              headers={"X-Klasklimaat": "fetch"})
        else:
            response = post(app, route, tampered, lang)
    assert_clear(response, lang)
    assert 'name="t"' not in response.text  # no token is handed back for a tampered one


@ABUSE
@given(kind=st.sampled_from(sorted(USES)), cut=st.integers(0, 10_000),
       lang=st.sampled_from(["nl", "en"]))
def test_a_token_cut_short_or_padded_is_refused(app: Flask, world: World, kind: str, cut: int,
                                                lang: str) -> None:
    token = world.tokens[kind]
    shortened = token[:cut % len(token)]
    for tampered in (shortened, token + "A", token + token, " " + token, token.upper()):
        if decoded(tampered) == decoded(token):
            continue  # base64 skips a stray space: the same bytes, the same token
        with nothing_stored(app):
            assert_clear(post(app, USES[kind], tampered, lang), lang)


def sealed_at(app: Flask, token: str, moment: int) -> str:
    """The state inside ``token``, sealed again as if at ``moment`` (seconds since 1970)."""
    with app.app_context():
        fernet = bp._fernet()
        return fernet.encrypt_at_time(fernet.decrypt(token.encode()), moment).decode()


def test_tokens_of_another_installation_too_old_or_from_the_future_are_refused(
        app: Flask, world: World) -> None:
    own = app.config["SECRET_KEY"]  # the same states, sealed with another school's secret key
    app.config["SECRET_KEY"] = "the-secret-of-another-installation"
    try:
        foreign = [world.seal(phase=phase) for phase in ("w", "s", "end")]
    finally:
        app.config["SECRET_KEY"] = own
    with nothing_stored(app):
        for token in foreign:
            for route in ("/k/step", "/k/send", "/k/talk"):
                assert_clear(post(app, route, token, "en"), "en")
            assert_clear(app.test_client().get(f"/k/talk?t={token}&lang=en"), "en")
    now = int(time.time())
    cases = [
        ("/k/step", sealed_at(app, world.tokens["question"], now - bp.STEP_MAX_AGE - 60)),
        ("/k/send", sealed_at(app, world.tokens["done"], now - bp.SUBMIT_MAX_AGE - 60)),
        ("/k/talk", sealed_at(app, world.tokens["end"], now - bp.STEP_MAX_AGE - 60)),
        ("/k/send", sealed_at(app, world.tokens["done"], now + 3600)),  # a clock run ahead
        ("/k/step", sealed_at(app, world.tokens["welcome"], now + 3600)),
    ]
    with nothing_stored(app):
        for route, token in cases:
            assert_clear(post(app, route, token))
    # A finished questionnaire that waited on a tablet for five hours is still delivered.
    late = sealed_at(app, world.tokens["done"], now - bp.STEP_MAX_AGE - 60)
    assert app.test_client().post("/k/send", data={"t": late}).status_code == 303


def test_a_token_cannot_be_pointed_at_another_session_or_school(app: Flask,
                                                                world: World) -> None:
    """Fields posted beside a genuine token (a session id, another class's code, a group, a
    submission id) are ignored: the answers land in the token's own group, once."""
    before = counts(app)
    response = app.test_client().post("/k/send", data={
        "t": world.tokens["done"], "sid": str(world.other_session), "code": world.other_code,
        "group": "1", "wave": "1", "grade": "3", "n": "another-submission-id"})
    assert response.status_code == 303
    after = counts(app)
    assert after["responses"] == before["responses"] + 1
    with app.app_context():
        [stored] = db.session.scalars(select(Response)).all()
        own = db.session.get(ClassSession, world.session)
        assert (stored.group_id, stored.wave_id, stored.grade) == (own.group_id, own.wave_id, 5)
        assert db.session.get(ClassSession, world.other_session).finished_count == 0
    # Replayed afterwards, an earlier screen moves on harmlessly and the same finished
    # questionnaire adds nothing, whatever is posted beside it.
    client = app.test_client()
    with nothing_stored(app):
        replay = client.post("/k/step", data={"t": world.tokens["question"], "do": "next",
                                              "answer": "2"})
        assert replay.status_code == 200
        for extra in ({}, {"n": "yet-another-id"}, {"sid": str(world.other_session)}):
            again = client.post("/k/send", data={"t": world.tokens["done"], **extra})
            assert again.status_code == 303


def test_a_token_of_a_closed_session_or_wave_stores_nothing(app: Flask, world: World) -> None:
    """(A token whose questionnaire no longer matches the wave's is refused by its fingerprint:
    see the "fp" case of the shape test below.)"""
    done, question = world.tokens["done"], world.tokens["question"]
    with app.app_context():
        session = db.session.get(ClassSession, world.session)
        session.closed_at = svc.utcnow() - svc.grace() * 3  # closed, and the grace period over
        db.session.commit()
    with nothing_stored(app):
        assert_clear(post(app, "/k/step", question), status=410)
        assert_clear(post(app, "/k/send", done), status=422)
        assert_clear(app.test_client().get(f"/k/{world.pass_}"), status=410)
        assert_clear(app.test_client().get(f"/k/kiosk/{world.pass_}"), status=410)
    with app.app_context():  # a wave closed by the director accepts nothing either
        session = db.session.get(ClassSession, world.session)
        session.closed_at = None
        db.session.get(SurveyWave, session.wave_id).status = "closed"
        db.session.commit()
    with nothing_stored(app):
        assert_clear(post(app, "/k/send", done), status=422)


#: The fields of a screen's state and a value of the wrong type or range for each.
SHAPES = {
    "v": st.one_of(st.integers().filter(lambda v: v != 1), st.just(True), st.just(1.0),
                   st.just("1")),
    "sid": st.one_of(st.just(True), st.floats(), st.text(max_size=5), st.none(),
                     st.integers(10**6, 10**15)),
    "st": st.one_of(st.just(False), st.floats(), st.text(max_size=5), st.none()),
    "p": st.one_of(st.text(max_size=4).filter(lambda v: v not in ("s", "end")), st.integers(),
                   st.none()),
    "g": st.one_of(st.integers().filter(lambda v: v != 5), st.just(5.0), st.just("5"),
                   st.none(), st.just(True)),
    "a": st.one_of(st.lists(st.integers(), max_size=3), st.text(max_size=5), st.none(),
                   st.dictionaries(st.sampled_from(["0", "1", "x", "-1", "٣"]),
                                   st.one_of(st.integers(5, 10**9), st.integers(-10**9, -2),
                                             st.floats(), st.text(max_size=3)),
                                   min_size=1, max_size=3)),
    "fp": st.one_of(st.integers(), st.text(max_size=16), st.none()),
    "i": st.one_of(st.text(max_size=3), st.floats(), st.none(), st.just(0)),
    "n": st.one_of(st.integers(), st.none(), st.text(max_size=7), st.text(min_size=101,
                                                                          max_size=120)),
    "l": st.one_of(st.integers(), st.none(), st.sampled_from(["de", "NL", ""])),
    "k": st.one_of(st.integers(2, 9), st.just(True), st.text(max_size=2)),
}


@ABUSE
@given(field=st.sampled_from(sorted(SHAPES)), data=st.data(),
       route=st.sampled_from(["/k/step", "/k/send", "/k/talk"]), fetch=st.booleans())
def test_a_genuine_seal_around_a_state_of_the_wrong_shape_is_refused(
        app: Flask, world: World, field: str, data: st.DataObject, route: str,
        fetch: bool) -> None:
    """Defence in depth: even a token sealed with the real key (a token of an older version, a
    bug) whose state is not what the screens write never reaches the database as a 500 or a
    stored response."""
    value = data.draw(SHAPES[field], label=field)
    with app.app_context():
        state = json.loads(bp._fernet().decrypt(world.tokens["done"].encode()))
    if route == "/k/talk":
        state = {k: state[k] for k in ("v", "sid", "st", "l", "k", "n")} | {"p": "end"}
        assume(field in state)
    state[field] = value
    with app.app_context():
        token = bp.dump(state)
    headers = {"X-Klasklimaat": "fetch"} if fetch else {}
    with nothing_stored(app):
        response = app.test_client().post(route, data={"t": token, "do": "request",
                                                       "first_name": "Sam"}, headers=headers)
    assert response.status_code < 500
    if route == "/k/step" and response.status_code == 200:
        # Only the two harmless fields may still make a screen: "i" (which screen) and "p" = a
        # phase the screens know; nothing is ever stored by a step.
        assert field in ("i", "p")
        return
    assert_clear(response, state["l"] if state.get("l") in ("nl", "en") else "nl")

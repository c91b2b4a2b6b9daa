"""Guessed class codes, and the instance-wide budget that slows a guessing run down without
locking out the school (``services/sessions.py`` explains the design).

A run of a few hundred random codes is cut off after the budget of failed lookups: only those are
evaluated, the rest get "wait a moment" without touching the database. Meanwhile a pupil who is
answering finishes, a kiosk tablet serves its next pupil, the class's QR code lets a pupil in and
the teacher's pages work; once the window has passed, typed codes work again.
"""

from __future__ import annotations

import random
import re
import types
from collections.abc import Callable, Iterator
from urllib.parse import quote

import limits.storage.memory
import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import assume, given
from hypothesis import strategies as st
from sqlalchemy import select

from surveys.extensions import db
from surveys.models import ClassSession, Group
from surveys.pupil_texts import text
from surveys.services import sessions as svc
from tests.abuse.common import (
    ABUSE,
    World,
    assert_clear,
    counts,
    nothing_stored,
    random_code,
    reset_budget,
)
from tests.foundation import factories as f
from tests.pupil.test_pupil_flow import Tablet

BUDGET = int(svc.CODE_GUESS_BUDGET.split("/")[0])


class Lookups:
    """Counts the class-code lookups that were really evaluated (asked of the database)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        real = svc.find_session

        def counted(code: str, now=None):  # type: ignore[no-untyped-def]
            self.count += 1
            return real(code, now)

        monkeypatch.setattr(svc, "find_session", counted)


@pytest.fixture
def lookups(monkeypatch: pytest.MonkeyPatch) -> Lookups:
    return Lookups(monkeypatch)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[float], None]]:
    """Moves the limiter's clock (memory:// storage) forward, as if that much time passed."""
    offset = [0.0]
    real_time = limits.storage.memory.time.time
    fake = types.SimpleNamespace(time=lambda: real_time() + offset[0],
                                 monotonic=limits.storage.memory.time.monotonic)
    monkeypatch.setattr(limits.storage.memory, "time", fake)

    def advance(seconds: float) -> None:
        offset[0] += seconds

    yield advance


def guess(client: FlaskClient, code: str, i: int):  # type: ignore[no-untyped-def]
    """One guess, by each of the three typed ways in, in turn."""
    if i % 3 == 0:
        return client.get(f"/k/{code}")
    if i % 3 == 1:
        return client.get(f"/k/kiosk/{code}")
    return client.post("/k/", data={"code": code, "key": "go"})


def login(client: FlaskClient, email: str) -> None:
    response = client.post("/login", data={"email": email, "password": f.PASSWORD})
    assert response.status_code == 302


def finish(tablet: Tablet) -> None:
    tablet.answer_all()
    tablet.send()
    assert tablet.screen == "talk", tablet.page
    tablet.talk(do="no")
    assert tablet.screen == "thanks"


def test_a_guessing_run_is_cut_off_while_the_school_keeps_working(
        app: Flask, world: World, lookups: Lookups,
        clock: Callable[[float], None]) -> None:
    # Before the run: a kiosk tablet has served one pupil of Groep 5 (it came in by the typed
    # kiosk link), and a second pupil is half-way through on another tablet.
    kiosk = Tablet(app.test_client()).get(f"/k/kiosk/{world.code}")
    kiosk.step(do="start")
    finish(kiosk)
    kiosk_home = re.search(r'class="btn primary big next-child" href="([^"]+)"',
                           kiosk.page).group(1)  # type: ignore[union-attr]
    assert kiosk_home == f"/k/kiosk/{world.pass_}"  # home by the pass, not the code
    pupil = Tablet(app.test_client()).get(f"/k/{world.code}")
    pupil.step(do="start")
    pupil.answer(3)
    assert lookups.count == 2
    start = counts(app)

    # The run: 300 random codes from one address, by every typed way in.
    rng = random.Random(7)
    taken = {world.code, world.combi_code, world.other_code}
    codes = []
    while len(codes) < 300:
        code = "".join(rng.choice(svc.CODE_ALPHABET) for _ in range(svc.CLASS_CODE_LENGTH))
        if code not in taken:
            codes.append(code)
    attacker = app.test_client()
    statuses = []
    for i, code in enumerate(codes):
        statuses.append(guess(attacker, code, i).status_code)
        if i == 100:  # the pupil half-way finishes and is stored
            finish(pupil)
        if i == 150:  # the kiosk tablet serves its next pupil
            kiosk.get(kiosk_home)
            assert kiosk.screen == "welcome"
            kiosk.step(do="start")
            finish(kiosk)
        if i == 200:  # a pupil scans the class's QR code
            qr = Tablet(app.test_client()).get(f"/k/{world.pass_}")
            assert qr.status == 200 and qr.screen == "welcome"
        if i == 250:  # the teacher's pages
            teacher = app.test_client()
            login(teacher, world.teacher_email)
            page = teacher.get(f"/sessions/{world.session}")
            assert page.status_code == 200 and world.code in page.text
            assert teacher.get(f"/sessions/{world.session}/count").get_json()["finished"] == 3
            assert teacher.get(f"/sessions/{world.session}/qr.svg").status_code == 200
            assert teacher.get("/teacher/").status_code == 200
    # Exactly the budget was evaluated (plus the two lookups before the run); the rest waited.
    assert lookups.count == 2 + BUDGET
    assert statuses[:BUDGET] == [404] * BUDGET
    assert statuses[BUDGET:] == [429] * (len(codes) - BUDGET)
    after = counts(app)
    assert after["responses"] == start["responses"] + 2  # the two pupils, nothing else
    assert after["class_sessions"] == start["class_sessions"]

    # The trade-off: a child typing the right code waits too, and is sent to the QR code.
    waiting = app.test_client().post("/k/", data={"code": world.code, "key": "go"})
    assert_clear(waiting, status=429)
    assert text("wait_qr", "nl") in waiting.text
    assert lookups.count == 2 + BUDGET

    # A minute later the window has passed: typed codes work again (and wrong ones count anew).
    clock(61)
    typed = Tablet(app.test_client())
    typed._take(typed.client.post("/k/", data={"code": world.code, "key": "go"}))
    assert typed.status == 200 and typed.screen == "welcome"
    assert guess(attacker, codes[0], 0).status_code == 404
    assert lookups.count == 2 + BUDGET + 2


def test_the_wait_screen_says_what_to_do_in_both_languages(app: Flask, world: World) -> None:
    app.config["PUPIL_CODE_GUESS_BUDGET"] = "2/minute"
    client = app.test_client()
    for code in ("AAAAAA", "CCCCCC"):
        assert client.get(f"/k/{code}").status_code == 404
    for lang in ("nl", "en"):
        get = client.get(f"/k/kiosk/{world.code}?lang={lang}")
        assert_clear(get, lang, status=429)
        assert 1 <= int(get.headers["Retry-After"]) <= 60
        for key in ("wait_heading", "code_too_many", "wait_qr", "try_again"):
            assert text(key, lang).replace("'", "&#39;") in get.text
        # Trying again keeps the kiosk link and the code; the other language is one tap away.
        assert f'href="/k/kiosk/{world.code}?lang={lang}"' in get.text
        other = "en" if lang == "nl" else "nl"
        assert f'href="/k/kiosk/{world.code}?lang={other}"' in get.text
        post = client.post("/k/", data={"code": world.code.lower(), "key": "go", "lang": lang})
        assert_clear(post, lang, status=429)
        assert f'name="code" value="{world.code}"' in post.text
        assert 'action="/k/"' in post.text
    # The QR code and the kiosk tablet's way home need no lookup and do not wait.
    assert client.get(f"/k/{world.pass_}").status_code == 200
    assert client.get(f"/k/kiosk/{world.pass_}").status_code == 200


def test_malformed_codes_and_forged_passes_cost_nothing_and_throttling_can_be_off(
        app: Flask, world: World, lookups: Lookups) -> None:
    client = app.test_client()
    with nothing_stored(app):
        for i in range(BUDGET * 3):
            malformed = ["ABCDEF", "AAAAA", "AAAAAAA", "0O1IL5", ""][i % 5]
            assert_clear(guess(client, malformed or "x", i), status=404)
            forged = f"{world.session}.{random_code()}{random_code()}{random_code()}AAAA"
            response = client.get(f"/k/{forged}")
            assert_clear(response, status=404)
            assert text("pass_unknown", "nl") in response.text
    assert lookups.count == 0
    with app.app_context():
        assert svc.guessing_wait() == 0  # the budget is whole
    assert client.get(f"/k/{world.code}").status_code == 200
    # With code throttling switched off (RATELIMIT_ENABLED), nothing waits at all.
    app.config["RATELIMIT_ENABLED"] = False
    for i in range(BUDGET + 10):
        assert guess(client, "AAAAAA" if i % 2 else "CCCCCC", i).status_code == 404
    assert lookups.count == 1 + BUDGET + 10


def test_guessing_cards_is_slowed_for_that_class_only(app: Flask, world: World,
                                                      clock: Callable[[float], None]) -> None:
    with app.app_context():  # a second class with cards in the same wave
        card_session = db.session.get(ClassSession, world.card_session)
        combi = db.session.scalars(select(Group).where(Group.name == "Groep 3/4")).one()
        other = svc.open_session(group=combi, wave=card_session.wave, user=None)
        db.session.commit()
        [other_card] = svc.create_cards(wave=card_session.wave, group=combi, count=1)
        db.session.commit()
        other_token = world.seal(other.id, phase="c")
    budget = int(svc.CARD_GUESS_BUDGET.split("/")[0])
    client = app.test_client()
    rng = random.Random(3)
    with nothing_stored(app):
        for i in range(budget + 20):
            card = "".join(rng.choice(svc.CODE_ALPHABET) for _ in range(svc.CARD_CODE_LENGTH))
            response = client.post("/k/step", data={"t": world.tokens["card"], "code": card,
                                                    "key": "go"})
            assert_clear(response, status=422 if i < budget else 429)
        # The right card waits too, in this class; the class next door is not slowed down.
        right = client.post("/k/step", data={"t": world.tokens["card"],
                                             "code": world.cards[0], "key": "go"})
        assert_clear(right, status=429)
    assert "Hallo!" in client.post("/k/step", data={"t": other_token, "code": other_card,
                                                    "key": "go"}).text
    clock(61)
    assert "Hallo!" in client.post("/k/step", data={"t": world.tokens["card"],
                                                    "code": world.cards[0], "key": "go"}).text


@ABUSE
@given(code=st.one_of(st.text(st.sampled_from(svc.CODE_ALPHABET), min_size=6, max_size=6),
                      st.text(st.characters(codec="utf-8"), min_size=1, max_size=12)),
       way=st.integers(0, 2), lang=st.sampled_from(["nl", "en"]))
def test_guessed_codes_get_a_clear_no_and_store_nothing(app: Flask, world: World, code: str,
                                                        way: int, lang: str) -> None:
    normalised = svc.normalise_code(code)
    assume(normalised not in (world.code, world.combi_code, world.other_code))
    assume("/" not in code and code.strip(".") and code not in ("step", "send", "talk"))
    reset_budget()
    client = app.test_client()
    with nothing_stored(app):
        if way == 2:
            response = client.post("/k/", data={"code": code, "key": "go", "lang": lang})
        else:
            path = "/k/" if way == 0 else "/k/kiosk/"
            response = client.get(f"{path}{quote(code, safe='')}?lang={lang}")
    assert_clear(response, lang, status=404)
    assert str(text("code_unknown", lang)).replace("'", "&#39;") in response.text

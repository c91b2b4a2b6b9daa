"""The pupil's questionnaire in a real browser: Chromium at tablet size, with touch (issue 4).

Every pupil screen is checked with axe-core (no serious or critical problem) and saved as a
screenshot in test-artifacts/screenshots/pupil-*.png for a person to look at. axe-core comes from
``npm ci --prefix tests/pupil`` and is injected as an init script (so the pages' own strict
Content-Security-Policy stays on).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from surveys.extensions import db
from surveys.models import (
    ClassSession,
    ConversationRequest,
    Group,
    InstrumentVersion,
    Response,
    School,
)
from surveys.services import sessions as svc
from tests.browser.harness import TABLET_LANDSCAPE, TABLET_PORTRAIT, new_page, screenshot
from tests.foundation import factories as f
from tests.pupil.test_pupil_flow import make_class

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"

#: Replaces the browser's speech synthesis: records what would be spoken, and in which language.
SPEECH_STUB = """
window.__spoken = [];
Object.defineProperty(window, "speechSynthesis", { configurable: true, value: {
  speaking: false, pending: false, paused: false,
  speak: function (u) { window.__spoken.push({ text: u.text, lang: u.lang });
                        setTimeout(function () { if (u.onend) { u.onend(); } }, 0); },
  cancel: function () {}, pause: function () {}, resume: function () {},
  getVoices: function () { return []; },
  addEventListener: function () {}
}});
"""

AXE_RUN = """async () => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return result.violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => ({ id: v.id, impact: v.impact, help: v.help,
                 nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ")) }));
}"""


def fast(app: Flask, **extra: object) -> None:
    settings: dict[str, object] = {"KIOSK_RESET_SECONDS": 0.3, "PUPIL_ADVANCE_MS": 0,
                                   "PUPIL_RETRY_MS": 100, "RATELIMIT_ENABLED": False}
    app.config.update({**settings, **extra})


def pupil_page(browser, viewport, *, js: bool = True):  # type: ignore[no-untyped-def]
    page = new_page(browser, viewport, touch=True, js=js)
    if js:
        if not AXE.exists():
            message = f"axe-core missing at {AXE}: run npm ci --prefix tests/pupil"
            if os.environ.get("KLASKLIMAAT_REQUIRE_BROWSER") == "1":
                pytest.fail(message)
            pytest.skip(message)
        page.context.add_init_script(SPEECH_STUB)
        page.context.add_init_script(path=str(AXE))
    page.emulate_media(reduced_motion="reduce")  # no button animations to wait for
    return page


def screens(page) -> int:  # type: ignore[no-untyped-def]
    return page.evaluate("() => (window.klasklimaat && window.klasklimaat.screens) || 0")


def tap(page, locator, before: int | None = None) -> int:  # type: ignore[no-untyped-def]
    """Tap something that leads to the next screen, wait for that screen; its number."""
    if before is None:
        before = screens(page)
    locator.tap(force=True)  # each screen is checked once by axe; skip per-tap waiting
    page.wait_for_function("n => window.klasklimaat.screens > n", arg=before, timeout=10_000,
                           polling=20)
    return before + 1


class Looker:
    """Checks each kind of screen once with axe and keeps a screenshot of it."""

    def __init__(self, page, prefix: str) -> None:  # type: ignore[no-untyped-def]
        self.page, self.prefix, self.seen = page, prefix, set()  # type: ignore[var-annotated]

    def look(self, name: str) -> None:
        if name in self.seen:
            return
        self.seen.add(name)
        violations = self.page.evaluate(AXE_RUN)
        assert violations == [], (name, violations)
        screenshot(self.page, f"pupil-{self.prefix}-{name}")


def screen_kind(page) -> str:  # type: ignore[no-untyped-def]
    classes = page.locator("#screen").get_attribute("class") or ""
    return next(c[len("screen-"):] for c in classes.split() if c.startswith("screen-"))


def answer_everything(page, looker: Looker | None = None, choose=lambda i, n: n - 1) -> int:  # type: ignore[no-untyped-def]
    """Tap through every question until the done screen; returns how many were answered."""
    answered = 0
    while (kind := screen_kind(page)) != "done":
        if looker:
            n = page.locator(".option").count()
            looker.look(f"{kind}-{n}" if kind == "question" else kind)
        if kind == "question":
            options = page.locator(".option")
            tap(page, options.nth(choose(answered, options.count())))
            answered += 1
        else:
            tap(page, page.locator("button[value=next]"))
    return answered


def test_a_class_of_25_pupils_in_kiosk_mode(browser, live_server: str, app: Flask) -> None:  # type: ignore[no-untyped-def]
    fast(app)
    ids = make_class(app, grades=(4,), name="Groep 4")
    with app.app_context():  # the safety questionnaire only: 25 pupils must go quickly
        db.session.get(ClassSession, ids["session"]).wave.teacher_feedback = False
        db.session.commit()
    page = pupil_page(browser, TABLET_LANDSCAPE)
    page.goto(f"{live_server}/k/kiosk/{ids['code']}")
    order: list[str] = []
    for pupil in range(25):
        page.wait_for_selector(".screen-welcome", timeout=10_000)
        tap(page, page.get_by_role("button", name="Beginnen"))
        answered = answer_everything(page, choose=lambda i, n, p=pupil: (i + p) % n)
        assert answered == 10
        tap(page, page.get_by_role("button", name="Versturen"))
        assert screen_kind(page) == "talk"
        tap(page, page.get_by_role("button", name="Nee, nu niet"))
        assert screen_kind(page) == "thanks"
        with app.app_context():
            new = set(map(str, db.session.scalars(select(Response.id)))) - set(order)
            assert len(new) == 1
            order.extend(new)
        # The tablet goes back to the start by itself for the next pupil.
    page.wait_for_selector(".screen-welcome", timeout=10_000)
    assert page.evaluate("() => window.klasklimaat.queue()") == []
    with app.app_context():
        assert db.session.get(ClassSession, ids["session"]).finished_count == 25
        ids_stored = [str(i) for i in db.session.scalars(select(Response.id))]
        assert len(ids_stored) == 25
    # P2: the order of the ids says nothing about the order of arrival.
    assert sorted(order) != order
    assert sorted(order, reverse=True) != order
    page.context.close()


def test_an_idle_kiosk_forgets_the_unfinished_questionnaire(browser, live_server: str,  # type: ignore[no-untyped-def]
                                                            app: Flask) -> None:
    fast(app, PUPIL_IDLE_SECONDS=1)
    ids = make_class(app)
    page = pupil_page(browser, TABLET_PORTRAIT)
    page.goto(f"{live_server}/k/kiosk/{ids['code']}")
    tap(page, page.get_by_role("button", name="Beginnen"))
    tap(page, page.locator(".option").nth(3))
    assert screen_kind(page) == "question"
    page.wait_for_selector(".screen-welcome", timeout=5_000)
    assert "veilig op het schoolplein" not in page.content()
    page.context.close()


def test_back_skip_read_aloud_and_a_send_that_fails_twice(browser, live_server: str,  # type: ignore[no-untyped-def]
                                                        app: Flask) -> None:
    fast(app, PUPIL_RETRY_MS=300)
    ids = make_class(app, grades=(3, 4), teachers=2, name="Groep 3/4")
    page = pupil_page(browser, TABLET_PORTRAIT)
    look = Looker(page, "portrait")
    page.goto(f"{live_server}/k/")
    look.look("code")
    for ch in str(ids["code"]):
        page.get_by_role("button", name=ch, exact=True).tap()
    assert page.locator("#code").input_value() == ids["code"]
    tap(page, page.get_by_role("button", name="Verder"))
    look.look("welcome")
    # Read-aloud hands Dutch text to the speech synthesis.
    page.get_by_role("button", name="Lees voor").tap()
    spoken = page.evaluate("() => window.__spoken")
    assert spoken[-1]["lang"] == "nl-NL" and "Dit is geen toets" in spoken[-1]["text"]
    tap(page, page.get_by_role("button", name="Beginnen"))
    look.look("grade")
    tap(page, page.get_by_role("button", name="Groep 3"))
    # Groep 3: the question is read out by itself, and can be heard again.
    spoken = page.evaluate("() => window.__spoken")
    assert spoken[-1] == {"text": "Ik voel me veilig in de klas. Nee. Soms. Ja.", "lang": "nl-NL"}
    page.get_by_role("button", name="Nog een keer voorlezen").tap()
    assert len(page.evaluate("() => window.__spoken")) == len(spoken) + 1
    look.look("question-3")
    tap(page, page.get_by_role("radio", name="Soms"))
    assert page.locator("h1").inner_text() == "Ik voel me veilig op het schoolplein."
    tap(page, page.get_by_role("button", name="Terug"))
    assert page.get_by_role("radio", name="Soms").is_checked()
    tap(page, page.get_by_role("radio", name="Ja"))
    tap(page, page.get_by_role("button", name="Zeg ik liever niet"))
    assert page.locator("h1").inner_text() == "Ik voel me veilig op weg naar school."
    answer_everything(page, look)
    look.look("done")
    attempts = {"n": 0}

    def flaky(route) -> None:  # type: ignore[no-untyped-def]
        attempts["n"] += 1
        if attempts["n"] <= 2:
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route("**/k/send", flaky)
    page.get_by_role("button", name="Versturen").tap()
    page.wait_for_selector("text=Het lukt nog niet", timeout=5_000)
    assert len(page.evaluate("() => window.klasklimaat.queue()")) == 1
    look.look("sending")
    page.wait_for_selector(".screen-talk", timeout=10_000)
    assert attempts["n"] == 3
    assert page.evaluate("() => window.klasklimaat.queue()") == []
    with app.app_context():
        [response] = db.session.scalars(select(Response)).all()
        assert response.grade == 3
        values = {(a.item_key, a.part): a.value for a in response.answers}
        assert values[("veilig_klas", 0)] == 3 and values[("veilig_plein", 0)] is None
        assert {a.part for a in response.answers} == {0, 1, 2}
    look.look("talk")
    # The conversation request.
    tap(page, page.get_by_role("button", name="Ja, graag"))
    look.look("vertrouwenspersoon")
    assert "meester Joris" in page.locator("h1").inner_text()
    page.get_by_label("Je voornaam").fill("Mila")
    tap(page, page.get_by_role("button", name="Stuur mijn naam"))
    look.look("thanks")
    assert "Er komt iemand naar je toe" in page.content()
    page.context.close()

    with app.app_context():
        school = db.session.get(School, ids["school"])
        assert [r.first_name for r in svc.conversation_requests_for(school)] == ["Mila"]
        assert db.session.scalars(select(ConversationRequest.group_label)).one() == "Groep 3/4"


def test_the_conversation_request_reaches_the_inbox_and_nowhere_else(browser, live_server: str,  # type: ignore[no-untyped-def]
                                                                     app: Flask) -> None:
    fast(app)
    ids = make_class(app, grades=(6,), name="Groep 6")
    with app.app_context():
        school = db.session.get(School, ids["school"])
        other = f.school("buren", "De Buren")
        f.user(other, role="coordinator", email="vp-buren@example.org")
        db.session.commit()
    page = pupil_page(browser, TABLET_LANDSCAPE)
    page.goto(f"{live_server}/k/{ids['code']}")
    tap(page, page.get_by_role("button", name="Beginnen"))
    answer_everything(page, choose=lambda i, n: 0)
    tap(page, page.get_by_role("button", name="Versturen"))
    tap(page, page.get_by_role("button", name="Ja, graag"))
    page.get_by_label("Je voornaam").fill("Daan")
    page.get_by_label("Je groep").fill("groep 6b")
    tap(page, page.get_by_role("button", name="Stuur mijn naam"))
    with app.app_context():
        school = db.session.get(School, ids["school"])
        other = db.session.scalars(select(School).where(School.slug == "buren")).one()
        assert [(r.first_name, r.group_label) for r in svc.conversation_requests_for(school)] == [
            ("Daan", "groep 6b")]
        assert svc.conversation_requests_for(other) == []
    # Not on the teacher's session page, not with the answers.
    teacher = page.context.browser.new_context(locale="nl-NL")
    staff = teacher.new_page()
    staff.goto(f"{live_server}/login")
    staff.get_by_label("E-mailadres").fill("t0@example.org")
    staff.get_by_label("Wachtwoord").fill(f.PASSWORD)
    staff.get_by_role("button", name="Inloggen").click()
    staff.goto(f"{live_server}/sessions/{ids['session']}")
    assert "1 van 25 vragenlijsten klaar" in staff.content()
    assert "Daan" not in staff.content()
    screenshot(staff, "pupil-teacher-session")
    teacher.close()
    page.context.close()


def test_groep_3_and_groep_7_each_get_their_own_instrument(browser, live_server: str,  # type: ignore[no-untyped-def]
                                                           app: Flask) -> None:
    fast(app)
    ids = make_class(app, grades=(3,), name="Groep 3")
    with app.app_context():
        school = db.session.get(School, ids["school"])
        group7 = f.group(school, name="Groep 7", grades=(7,), teachers=[])
        wave = db.session.get(ClassSession, ids["session"]).wave
        db.session.commit()
        session7 = svc.open_session(group=group7, wave=wave, user=None)
        db.session.commit()
        code7, group7_id = session7.code, group7.id
    for code, first_labels, grade, kind in (
            (ids["code"], ["Nee", "Soms", "Ja"], 3, "veiligheid-3-4"),
            (code7, ["Klopt helemaal niet", "Klopt niet zo", "Klopt wel", "Klopt helemaal"], 7,
             "veiligheid-5-8")):
        page = pupil_page(browser, TABLET_LANDSCAPE)
        look = Looker(page, f"landscape-groep{grade}")
        page.goto(f"{live_server}/k/{code}")
        tap(page, page.get_by_role("button", name="Beginnen"))
        assert page.locator(".option .word").all_inner_texts() == first_labels
        answer_everything(page, look)
        tap(page, page.get_by_role("button", name="Versturen"))
        page.context.close()
        with app.app_context():
            grades = db.session.scalars(select(Response.grade)).all()
            assert grade in grades
            assert kind in set(db.session.scalars(select(InstrumentVersion.instrument_id)))
    with app.app_context():
        used = set(db.session.scalars(select(InstrumentVersion.instrument_id)))
        assert {"veiligheid-3-4", "leraar-3-4", "veiligheid-5-8"} <= used
        assert "leraar-5-8" not in used  # groep 7 here has no teacher on record
        assert db.session.get(Group, group7_id).name == "Groep 7"


def test_the_same_flow_without_javascript(browser, live_server: str, app: Flask) -> None:  # type: ignore[no-untyped-def]
    fast(app, KIOSK_RESET_SECONDS=2)
    ids = make_class(app, grades=(4,), name="Groep 4", cards=True)
    page = pupil_page(browser, TABLET_PORTRAIT, js=False)
    page.goto(f"{live_server}/k/kiosk/{ids['code']}")
    assert page.get_by_role("heading").inner_text() == "Typ de code van jouw kaartje"
    assert page.locator(".speak").is_hidden()
    screenshot(page, "pupil-nojs-card")
    page.locator("#code").fill(ids["cards"][0])  # type: ignore[index]
    page.get_by_role("button", name="Verder").click()
    page.get_by_role("button", name="Beginnen").click()
    count = 0
    while page.locator(".screen-done").count() == 0:
        if page.locator(".screen-question").count():
            if count == 1:
                page.get_by_role("button", name="Zeg ik liever niet").click()
            else:
                page.locator(".option").first.click()
                page.get_by_role("button", name="Verder").click()
            count += 1
        else:
            page.get_by_role("button", name="Verder").click()
    screenshot(page, "pupil-nojs-done")
    page.get_by_role("button", name="Versturen").click()
    page.get_by_role("button", name="Nee, nu niet").click()
    assert page.get_by_role("heading").inner_text() == "Dank je wel!"
    screenshot(page, "pupil-nojs-thanks")
    # The kiosk tablet returns to the start for the next pupil, without JavaScript too.
    page.wait_for_selector("text=Typ de code van jouw kaartje", timeout=5_000)
    page.context.close()
    with app.app_context():
        [response] = db.session.scalars(select(Response)).all()
        values = {a.item_key: a.value for a in response.answers if a.part == 0}
        assert values["veilig_klas"] == 1 and values["veilig_plein"] is None
        assert db.session.get(ClassSession, ids["session"]).finished_count == 1


def test_screens_in_english_landscape_and_the_friendly_errors(browser, live_server: str,  # type: ignore[no-untyped-def]
                                                              app: Flask) -> None:
    fast(app)
    ids = make_class(app, grades=(5,), name="Groep 5", cards=True)
    page = pupil_page(browser, TABLET_LANDSCAPE)
    look = Looker(page, "landscape")
    page.goto(f"{live_server}/k/{ids['code']}")
    look.look("card")
    page.locator("#code").fill("ACEFHKMN")
    tap(page, page.get_by_role("button", name="Verder"))
    assert "Dit kaartje werkt niet" in page.content()
    look.look("card-refused")
    page.locator("#code").fill(ids["cards"][1])  # type: ignore[index]
    tap(page, page.get_by_role("button", name="Verder"))
    tap(page, page.get_by_role("button", name="English"))
    assert page.locator("h1").inner_text() == "Hello! Thanks for joining in."
    look.look("welcome-en")
    tap(page, page.get_by_role("button", name="Let's start"))
    answer_everything(page, look, choose=lambda i, n: i % n)
    page.get_by_role("button", name="Read aloud").tap()
    assert page.evaluate("() => window.__spoken")[-1]["lang"] == "en-GB"
    page.context.close()
    page = pupil_page(browser, TABLET_LANDSCAPE)
    look = Looker(page, "landscape")
    page.goto(f"{live_server}/k/")
    page.locator("#code").fill("AAAAAA")
    tap(page, page.get_by_role("button", name="Verder"))
    assert "Deze code kennen we niet" in page.content()
    look.look("code-unknown")
    page.goto(f"{live_server}/k/nope/nope")
    look.look("stale")
    page.context.close()

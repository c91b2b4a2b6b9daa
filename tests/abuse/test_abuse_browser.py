"""The "wait a moment" screen and the friendly refusals in a real browser (Chromium, tablet
size, touch): checked with axe-core and kept as screenshots in
test-artifacts/screenshots/abuse-*.png for a person to look at.
"""

from __future__ import annotations

import pytest
from flask import Flask

from tests.abuse.common import World
from tests.browser.harness import TABLET_LANDSCAPE, TABLET_PORTRAIT, new_page, screenshot
from tests.foundation import factories as f
from tests.pupil.test_pupil_browser import AXE_RUN, pupil_page, tap

pytestmark = pytest.mark.browser


def test_the_wait_screen_on_a_tablet(browser, live_server: str, app: Flask,  # type: ignore[no-untyped-def]
                                     world: World) -> None:
    app.config.update(PUPIL_CODE_GUESS_BUDGET="2/minute", PUPIL_ADVANCE_MS=0)
    page = pupil_page(browser, TABLET_PORTRAIT)
    page.goto(f"{live_server}/k/")
    for code in ("AAAAAA", "CCCCCC", world.code):  # two wrong codes spend this small budget
        page.locator("#code").fill(code)
        tap(page, page.get_by_role("button", name="Verder"))
    assert page.locator("h1").inner_text() == "Even geduld"
    assert "Scan die, dan kun je meteen beginnen" in page.content()
    assert page.evaluate(AXE_RUN) == []
    screenshot(page, "abuse-wait-portrait")
    # Trying again while the budget is spent keeps the child on the same friendly screen.
    tap(page, page.get_by_role("button", name="Nog een keer proberen"))
    assert page.locator("h1").inner_text() == "Even geduld"
    page.context.close()

    page = pupil_page(browser, TABLET_LANDSCAPE)
    page.goto(f"{live_server}/k/kiosk/{world.code}?lang=en")
    assert page.locator("h1").inner_text() == "Just a moment"
    assert page.evaluate(AXE_RUN) == []
    screenshot(page, "abuse-wait-landscape-en")
    tap(page, page.get_by_role("link", name="Nederlands"))
    assert page.locator("h1").inner_text() == "Even geduld"
    # The class's QR code (its pass) goes straight in, budget or not.
    page.goto(f"{live_server}/k/{world.pass_}")
    assert page.locator("h1").inner_text() == "Hallo! Fijn dat je meedoet."
    page.context.close()


def test_the_friendly_refusals_and_the_teachers_qr_codes(browser, live_server: str, app: Flask,  # type: ignore[no-untyped-def]
                                           world: World) -> None:
    page = pupil_page(browser, TABLET_PORTRAIT)
    page.goto(f"{live_server}/k/kiosk/{world.pass_}")
    tap(page, page.get_by_role("button", name="Beginnen"))
    # A tampered answer: the form is changed in the page, as a curious child with tools might.
    page.evaluate("""() => { const r = document.querySelector('input[name=answer]');
                             r.value = '9'; r.checked = true; }""")
    tap(page, page.get_by_role("button", name="Verder"))
    assert "Kies een van de gezichtjes" in page.content()
    assert page.evaluate(AXE_RUN) == []
    screenshot(page, "abuse-tampered-answer")
    page.context.close()
    # Too much at once, as a page: the tablet's form is swapped for a huge one.
    page = pupil_page(browser, TABLET_PORTRAIT, js=False)
    page.goto(f"{live_server}/k/kiosk/{world.pass_}")
    page.evaluate("""() => { const f = document.querySelector('form#nav');
                             const i = document.createElement('input'); i.type = 'hidden';
                             i.name = 'padding'; i.value = 'x'.repeat(100000);
                             f.appendChild(i); }""")
    page.get_by_role("button", name="Beginnen").click()
    assert page.locator("h1").inner_text() == "Oeps, dat ging niet goed"
    screenshot(page, "abuse-too-large")
    page.context.close()
    # The teacher's session page: the class code to type, and both QR codes with the pass.
    page = new_page(browser, TABLET_LANDSCAPE)
    page.goto(f"{live_server}/login")
    page.get_by_label("E-mailadres").fill(world.teacher_email)
    page.get_by_label("Wachtwoord").fill(f.PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.goto(f"{live_server}/sessions/{world.session}")
    assert world.code in page.locator("[data-testid=class-code]").inner_text()
    for image in (page.locator("img.qr").first, page.locator("[data-testid=kiosk-qr]")):
        assert image.evaluate("img => img.complete && img.naturalWidth > 0")
    assert world.pass_ in page.content()  # the QR code's link, shown under it
    screenshot(page, "abuse-teacher-session-qr")
    page.context.close()

"""The home page and staff login in a real browser, at tablet and laptop size."""

from __future__ import annotations

import pytest
from flask import Flask

from surveys.extensions import db
from tests.browser.harness import LAPTOP, TABLET_PORTRAIT, new_page, screenshot
from tests.foundation import factories as f

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("viewport", "size"), [(TABLET_PORTRAIT, "tablet"), (LAPTOP, "laptop")])
def test_home_and_login_in_a_browser(browser, live_server: str, app: Flask, viewport, size) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        f.user(f.school(), role="director", email="dir@example.org", name="Anouk de Vries")
        db.session.commit()
    page = new_page(browser, viewport)
    page.goto(live_server + "/")
    assert page.locator("h1").inner_text() == "Klasklimaat: hoe veilig voelen onze leerlingen zich?"
    screenshot(page, f"home-{size}")
    page.get_by_role("link", name="Inloggen voor medewerkers").click()
    page.get_by_label("E-mailadres").fill("dir@example.org")
    page.get_by_label("Wachtwoord").fill("fout wachtwoord")
    page.get_by_role("button", name="Inloggen").click()
    assert page.get_by_role("status").inner_text() == (
        "Dit e-mailadres en wachtwoord horen niet bij elkaar."
    )
    screenshot(page, f"login-refused-{size}")
    page.get_by_label("E-mailadres").fill("dir@example.org")
    page.get_by_label("Wachtwoord").fill(f.PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(live_server + "/director/")  # "/" leads to the role's start page
    assert "Anouk de Vries · directeur" in page.locator("header").inner_text()
    page.get_by_role("link", name="English").click()
    assert "Years and groups" in page.get_by_role("navigation", name="Main").inner_text()
    page.get_by_role("button", name="Log out").click()
    assert "Staff login" in page.locator("header").inner_text()
    assert page.locator("h1").inner_text() == "Klasklimaat: how safe do our pupils feel?"
    page.context.close()

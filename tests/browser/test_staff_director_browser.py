"""The director's path in a real browser, at laptop and tablet size: a school year with groups,
a survey wave, incidents registered and imported. Screenshots go to test-artifacts/."""

from __future__ import annotations

import pytest
from flask import Flask

from surveys.extensions import db
from tests.browser.harness import LAPTOP, TABLET_PORTRAIT, new_page, screenshot
from tests.foundation import factories as f

pytestmark = pytest.mark.browser

INCIDENTS_CSV = (
    "date,group,category,handled_by,description\n"
    "2026-10-14,Groep 5,pesten,leraar,Buitengesloten bij het spel; gesprek met de klas\n"
    "2026-10-20,,vernieling,directeur,Ruit van het fietsenhok\n"
)


@pytest.mark.parametrize(("viewport", "size"), [(LAPTOP, "laptop"), (TABLET_PORTRAIT, "tablet")])
def test_a_director_sets_up_a_year_a_wave_and_incidents(  # type: ignore[no-untyped-def]
    browser, live_server: str, app: Flask, viewport, size, tmp_path
) -> None:
    with app.app_context():
        school = f.school("de-linde", "Basisschool De Linde")
        f.user(school, "director", "directeur@linde.nl", "Anouk de Vries")
        f.user(school, "teacher", "sanne@linde.nl", "juf Sanne")
        f.user(school, "teacher", "ahmed@linde.nl", "meester Ahmed")
        db.session.commit()
    page = new_page(browser, viewport)
    page.goto(live_server + "/login")
    page.get_by_label("E-mailadres").fill("directeur@linde.nl")
    page.get_by_label("Wachtwoord").fill(f.PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(live_server + "/director/")
    assert page.locator("h1").inner_text() == "Basisschool De Linde"
    screenshot(page, f"director-start-empty-{size}")

    # A school year with two groups.
    page.get_by_role("link", name="Nieuw schooljaar").first.click()
    page.get_by_label("Schooljaar").fill("2026-2027")
    screenshot(page, f"director-year-new-{size}")
    page.get_by_role("button", name="Schooljaar aanmaken").click()
    assert "Schooljaar 2026-2027 is aangemaakt" in page.get_by_role("status").inner_text()
    for name, grades, pupils, teachers in (("Groep 3/4", ("3", "4"), "26",
                                            ("juf Sanne", "meester Ahmed")),
                                           ("Groep 5", ("5",), "27", ("juf Sanne",))):
        page.get_by_role("link", name="Nieuwe groep").click()
        page.get_by_label("Naam").fill(name)
        for grade in grades:
            page.get_by_role("group", name="Leerjaren").get_by_label(grade, exact=True).check()
        page.get_by_label("Aantal leerlingen").fill(pupils)
        for teacher in teachers:
            page.get_by_label(teacher).check()
        if name == "Groep 5":
            screenshot(page, f"director-group-form-{size}")
        page.get_by_role("button", name="Groep opslaan").click()
    table = page.locator("table").inner_text()
    assert "Groep 3/4" in table and "juf Sanne, meester Ahmed" in table
    screenshot(page, f"director-year-{size}")

    # The new-school-year step, looked at but not taken.
    page.get_by_role("link", name="Volgend schooljaar beginnen").click()
    assert page.locator("input[value='Groep 4/5']").count() == 1
    screenshot(page, f"director-next-year-{size}")

    # A survey wave.
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Afnames").click()
    page.get_by_role("link", name="Nieuwe afname").click()
    screenshot(page, f"director-wave-new-{size}")
    page.get_by_role("button", name="Afname opslaan").click()
    assert "Afname Najaar is opgeslagen." in page.get_by_role("status").inner_text()
    page.get_by_role("button", name="Openen Najaar").click()
    assert "open" in page.locator("table").inner_text()
    screenshot(page, f"director-waves-{size}")

    # Register an incident, then import two.
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Incidenten").click()
    page.get_by_role("link", name="Incident registreren").click()
    page.get_by_label("Datum").fill("2026-10-07")
    page.get_by_label("Groep", exact=True).select_option(label="Groep 5 (2026-2027)")
    page.get_by_label("pesten, treiteren en/of chantage").check()
    page.get_by_label("schoolplein").check()
    page.get_by_role("group", name="Ouders geïnformeerd").get_by_label("ja").check()
    page.get_by_label("Korte beschrijving").fill("Uitgelachen tijdens de pauze; gesprek gevoerd.")
    screenshot(page, f"incident-form-{size}")
    page.get_by_role("button", name="Registreren").click()
    assert "Het incident is geregistreerd." in page.get_by_role("status").inner_text()
    page.get_by_role("link", name="Importeren (CSV)").click()
    bad = tmp_path / "fout.csv"
    bad.write_text(INCIDENTS_CSV.replace("pesten", "ruzie"))
    page.get_by_label("CSV-bestand").set_input_files(str(bad))
    page.get_by_role("button", name="Importeren").click()
    assert "Het bestand is niet geïmporteerd" in page.get_by_role("alert").inner_text()
    screenshot(page, f"incident-import-refused-{size}")
    good = tmp_path / "incidenten.csv"
    good.write_text(INCIDENTS_CSV)
    page.get_by_label("CSV-bestand").set_input_files(str(good))
    page.get_by_role("button", name="Importeren").click()
    assert "2 incidenten zijn geïmporteerd." in page.get_by_role("status").inner_text()
    rows = page.locator("table.incidents tbody tr")
    assert rows.count() == 3
    screenshot(page, f"incidents-{size}")
    page.get_by_label("Categorie").select_option("vernieling")
    page.get_by_role("button", name="Filteren").click()
    assert rows.count() == 1

    # The overview now shows what was made; the settings and the log are one click away.
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Overzicht").click()
    screenshot(page, f"director-start-{size}")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Instellingen").click()
    screenshot(page, f"director-settings-{size}")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Logboek").click()
    assert "incidenten geïmporteerd" in page.locator("table").inner_text()
    screenshot(page, f"director-log-{size}")
    page.context.close()

"""Each role walks its results pages in Chromium on the demo school; the figures on the page are
those of the analysis module for the same data; screenshots at laptop and tablet size."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.serving import make_server

from analysis.description import group_table
from surveys.extensions import db
from surveys.models import School
from surveys.services.analysis_data import find_wave, wave_data
from surveys.services.demo import DEMO_PASSWORD
from surveys.services.organisation import find_year
from tests.browser.harness import LAPTOP, TABLET_PORTRAIT, new_page, screenshot
from tests.results.conftest import YEAR, Demo

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def demo_server(demo_app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, demo_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def expected(demo_app: Flask) -> dict[str, dict[str, float]]:
    """construct → unit label → estimate, from ``analysis`` (plus "school")."""
    with demo_app.app_context():
        school = db.session.scalar(select(School).where(School.slug == "vlinderboom"))
        year = find_year(school, YEAR)
        data = wave_data(school, year, find_wave(year, None))
        out = {}
        for construct in ("veiligheid", "welbevinden", "hulp", "gepest"):
            table = group_table(data, construct)
            out[construct] = {r.label: r.estimate for r in table.rows}
            out[construct]["school"] = table.total.estimate
        return out


def _login(page, base: str, local: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/login?lang=en")
    page.fill("input[name=email]", f"{local}@vlinderboom.example")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def _shots(browser, base: str, local: str, paths: list[tuple[str, str]]) -> None:  # type: ignore[no-untyped-def]
    for viewport, size in ((LAPTOP, "laptop"), (TABLET_PORTRAIT, "tablet")):
        page = new_page(browser, viewport)
        _login(page, base, local)
        for name, path in paths:
            page.goto(base + path)
            screenshot(page, f"results-{name}-{size}")
        page.context.close()


def _value(page, selector: str) -> float:  # type: ignore[no-untyped-def]
    return float(page.locator(selector).first.get_attribute("data-value"))


def test_director_walks_the_overview(browser, demo_server: str, demo_ids: Demo,  # type: ignore[no-untyped-def]
                                     expected) -> None:
    page = new_page(browser, LAPTOP)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    _login(page, demo_server, "directeur")
    page.goto(f"{demo_server}/results/school?lang=en")
    assert page.locator("h1").inner_text().startswith("Basisschool De Vlinderboom")
    for construct in ("veiligheid", "welbevinden", "hulp", "gepest"):
        shown = _value(page, f'#heatmap tr[data-group="Groep 6"] td[data-construct="{construct}"]')
        assert shown == pytest.approx(expected[construct]["Groep 6"])
        total = _value(page, f'#heatmap tr.total td[data-construct="{construct}"]')
        assert total == pytest.approx(expected[construct]["school"])
    text = page.locator('#heatmap tr[data-group="Groep 6"] td[data-construct="veiligheid"]')
    assert text.inner_text().startswith(f"{expected['veiligheid']['Groep 6']:.2f}")
    assert page.locator('#heatmap tr[data-group="Groep 8"] .protected').count() == 4
    attention = page.locator("#attention").inner_text()
    assert "Groep 6" in attention and "Groep 8" in attention and "Groep 3" not in attention
    assert page.locator('#trends tr[data-year] td[data-construct="veiligheid"]').count() == 3
    # every chart loaded (CSP allows data: images) and has a text alternative
    images = page.locator("figure.chart img")
    assert images.count() >= 2
    for i in range(images.count()):
        image = images.nth(i)
        assert image.get_attribute("alt")
        assert image.evaluate("img => img.complete && img.naturalWidth > 0")
    assert not [e for e in errors if "Content Security Policy" in e], errors
    page.context.close()
    _shots(browser, demo_server, "directeur", [
        ("director-overview", "/results/school?lang=nl"),
        ("director-group6", f"/results/groups/{demo_ids.groups['Groep 6']}?lang=nl"),
        ("director-group8", f"/results/groups/{demo_ids.groups['Groep 8']}?lang=nl"),
        ("director-improvements", "/results/improvements?lang=nl"),
        ("director-exports", f"/results/schools/{demo_ids.school}/exports?lang=nl"),
    ])


def test_teacher_walks_her_group_and_feedback(browser, demo_server: str, demo_ids: Demo,  # type: ignore[no-untyped-def]
                                              expected) -> None:
    page = new_page(browser, TABLET_PORTRAIT)
    _login(page, demo_server, "eva")
    page.goto(f"{demo_server}/results/?lang=en")
    page.click("text=Groep 6")
    page.wait_for_load_state()
    for construct in ("veiligheid", "gepest"):
        shown = _value(page, f'#constructs tr[data-construct="{construct}"] td[data-value]')
        assert shown == pytest.approx(expected[construct]["Groep 6"])
    assert page.locator("#items table.items").count() >= 3
    assert "Groep 8" not in page.locator("main").inner_text()
    page.goto(f"{demo_server}/results/feedback?lang=en")
    assert page.locator("#feedback-table tr[data-construct]").count() == 5
    page.context.close()
    _shots(browser, demo_server, "eva", [
        ("teacher-group6", f"/results/groups/{demo_ids.groups['Groep 6']}?lang=nl"),
        ("teacher-feedback", "/results/feedback?lang=nl"),
    ])


def test_coordinator_walks_the_school_figures(browser, demo_server: str, expected) -> None:  # type: ignore[no-untyped-def]
    page = new_page(browser, LAPTOP)
    _login(page, demo_server, "vertrouwenspersoon")
    page.goto(f"{demo_server}/results/coordinator?lang=en")
    shown = _value(page, '#totals [data-construct="veiligheid"]')
    assert shown == pytest.approx(expected["veiligheid"]["school"])
    assert _value(page, '#totals [data-construct="gepest"]') == pytest.approx(
        expected["gepest"]["school"])
    assert page.locator(".inbox-note a").count() == 1
    page.context.close()
    _shots(browser, demo_server, "vertrouwenspersoon", [
        ("coordinator", "/results/coordinator?lang=nl")])

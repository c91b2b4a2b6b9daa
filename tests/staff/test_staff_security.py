"""Web security of the staff side: headers, CSRF, login throttling, sessions, set-password links."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from surveys import auth
from surveys.extensions import db
from surveys.models import AuditEvent, User
from surveys.services import accounts
from tests.foundation import factories as f
from tests.staff.conftest import World, login


def test_every_response_carries_the_security_headers(client: FlaskClient) -> None:
    for url in ("/", "/login", "/bestaat-niet", "/static/staff.css"):
        response = client.get(url)
        csp = response.headers["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
        assert directives["script-src"] == "'self'"  # no inline script, no eval
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert directives["frame-ancestors"] == "'none'"
        assert directives["object-src"] == "'none'"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert "Strict-Transport-Security" not in response.headers  # plain HTTP here


def test_hsts_is_sent_over_https(client: FlaskClient) -> None:
    response = client.get("/login", base_url="https://school.example")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_staff_pages_are_not_cached_and_cookies_are_httponly_and_lax(
    app: Flask, world: World
) -> None:
    client = app.test_client()
    response = login(client, world.director)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get("/director/").headers["Cache-Control"] == "no-store"


def test_the_session_cookie_is_secure_outside_development(app: Flask, world: World) -> None:
    app.config["SESSION_COOKIE_SECURE"] = True  # what production configuration sets
    response = login(app.test_client(), world.director)
    assert "Secure" in response.headers["Set-Cookie"]


def test_no_template_contains_inline_script_or_unescaped_output() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "templates"
    for path in root.rglob("*.html"):
        text = path.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), f"inline script in {path}"
        assert not re.search(r"\bon[a-z]+\s*=\s*\"", text), f"inline event handler in {path}"
        assert "|safe" not in text.replace(" ", ""), f"|safe in {path}"


def test_school_and_user_text_is_escaped(app: Flask, world: World) -> None:
    with app.app_context():
        from surveys.models import Group

        group = db.session.get(Group, world.group)
        group.name = "<script>alert(1)</script>"
        db.session.commit()
    client = app.test_client()
    login(client, world.director)
    page = client.get(f"/director/years/{world.year}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def csrf_token(client: FlaskClient, url: str) -> str:
    page = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
    assert match is not None, f"no CSRF token on {url}"
    return match.group(1)


def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(
    app: Flask, world: World
) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    token = csrf_token(client, "/login")
    client.post("/login", data={"email": world.director, "password": f.PASSWORD,
                                "csrf_token": token})
    form = {"occurred_on": "2026-10-07", "group_id": str(world.group), "category": "pesten",
            "location": "plein", "handled_by": "leraar", "parents_informed": "",
            "follow_up": "open", "description": ""}
    response = client.post("/incidents/new", data=form)
    assert response.status_code == 400
    assert "Dit formulier is verlopen" in response.get_data(as_text=True)
    response = client.post("/incidents/new", data={**form, "csrf_token": "forged"})
    assert response.status_code == 400
    # Logging out needs the token too (a cross-site page cannot log staff out).
    assert client.post("/logout").status_code == 400
    with app.app_context():
        assert db.session.query(AuditEvent).filter_by(action="incident_registered").count() == 0
    ok = client.post("/incidents/new",
                     data={**form, "csrf_token": csrf_token(client, "/incidents/new")})
    assert ok.status_code == 302


# --- login throttling ------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 10, 1, 9, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(auth, "now", fake)
    return fake


def test_five_wrong_passwords_lock_the_account_for_a_minute(
    app: Flask, world: World, clock: Clock
) -> None:
    client = app.test_client()
    for _ in range(5):
        assert "horen niet bij elkaar" in login(client, world.teacher, "wrong!").get_data(
            as_text=True)
    # Now even the right password is refused, with a message that says why.
    refused = login(client, world.teacher)
    assert refused.status_code == 200
    assert "Wacht een minuut" in refused.get_data(as_text=True)
    clock.advance(59)
    assert login(client, world.teacher).status_code == 200
    clock.advance(2)
    assert login(client, world.teacher).status_code == 302
    with app.app_context():
        user = db.session.query(User).filter_by(email=world.teacher).one()
        assert user.failed_logins == 0 and user.locked_until is None


def test_the_lock_is_per_account_so_colleagues_behind_the_same_address_can_log_in(
    app: Flask, world: World, clock: Clock
) -> None:
    client = app.test_client()
    for _ in range(6):
        login(client, world.teacher, "wrong!")
    colleague = app.test_client()  # same 127.0.0.1, as a whole school behind one router
    assert login(colleague, world.other_teacher).status_code == 302


def test_at_most_so_many_wrong_passwords_an_hour_per_account(
    app: Flask, world: World, clock: Clock
) -> None:
    assert app.config["LOGIN_FAILURES_PER_HOUR"] == 100  # the default
    app.config["LOGIN_FAILURES_PER_HOUR"] = 12  # the same rule, quicker to test
    client = app.test_client()
    for attempt in range(12):
        if attempt and attempt % 5 == 0:
            clock.advance(61)  # step past each short lock
        assert login(client, world.teacher, "wrong!").status_code == 200
    clock.advance(61)
    response = login(client, world.teacher)  # even the right password, this hour
    assert response.status_code == 429
    assert "Te veel pogingen" in response.get_data(as_text=True)
    # Unknown addresses are limited the same way, and other accounts are not affected.
    assert login(app.test_client(), world.other_teacher).status_code == 302


# --- sessions --------------------------------------------------------------------------------


def test_a_password_change_logs_out_every_other_browser(app: Flask, world: World) -> None:
    laptop, tablet = app.test_client(), app.test_client()
    login(laptop, world.teacher)
    login(tablet, world.teacher)
    assert tablet.get("/teacher/").status_code == 200
    wrong = laptop.post("/account/password", data={
        "current": "not it at all", "password": "a new long password", "confirm":
        "a new long password"})
    assert "Het huidige wachtwoord klopt niet" in wrong.get_data(as_text=True)
    assert tablet.get("/teacher/").status_code == 200
    response = laptop.post("/account/password", data={
        "current": f.PASSWORD, "password": "a new long password",
        "confirm": "a new long password"})
    assert response.status_code == 302
    assert laptop.get("/teacher/").status_code == 200  # this browser stays logged in
    assert tablet.get("/teacher/").status_code == 302  # the other one is sent to login
    assert login(app.test_client(), world.teacher, f.PASSWORD).status_code == 200
    assert login(app.test_client(), world.teacher, "a new long password").status_code == 302


def test_a_stale_cookie_from_before_logout_is_worth_nothing(app: Flask, world: World) -> None:
    client = app.test_client()
    login(client, world.director)
    cookie = client.get_cookie("session")
    assert cookie is not None
    saved = cookie.value
    client.post("/logout")
    thief = app.test_client()
    thief.set_cookie("session", saved)
    assert thief.get("/director/").status_code == 302


# --- set-password links ----------------------------------------------------------------------


def test_an_admin_issues_a_one_time_set_password_link(app: Flask, world: World) -> None:
    admin = app.test_client()
    login(admin, world.admin)
    page = admin.post("/admin/accounts/new", data={
        "email": "nieuw@linde.nl", "display_name": "juf Nieuw", "role": "teacher",
        "school_id": str(world.school)}).get_data(as_text=True)
    link = re.search(r'value="(http://localhost/set-password/[^"]+)"', page)
    assert link is not None
    path = link.group(1).removeprefix("http://localhost")
    newcomer = app.test_client()
    assert newcomer.get(path).status_code == 200
    short = newcomer.post(path, data={"password": "short", "confirm": "short"})
    assert short.status_code == 200  # refused: too short, the link still works
    done = newcomer.post(path, data={"password": "een lang wachtwoord", "confirm":
                                     "een lang wachtwoord"})
    assert done.status_code == 302
    assert newcomer.get(path).status_code == 404  # used once
    assert login(newcomer, "nieuw@linde.nl", "een lang wachtwoord").status_code == 302
    # A newer link voids the older one.
    with app.app_context():
        user = db.session.query(User).filter_by(email="nieuw@linde.nl").one()
        first = accounts.issue_set_password_link(user)
        second = accounts.issue_set_password_link(user)
        db.session.commit()
    assert app.test_client().get(f"/set-password/{first}").status_code == 404
    assert app.test_client().get(f"/set-password/{second}").status_code == 200


def test_a_set_password_link_expires_and_is_stored_hashed(app: Flask, world: World) -> None:
    with app.app_context():
        user = db.session.query(User).filter_by(email=world.teacher).one()
        past = dt.datetime.now(dt.UTC) - dt.timedelta(days=8)
        token = accounts.issue_set_password_link(user, now=past)
        from surveys.models import SetPasswordToken

        stored = db.session.query(SetPasswordToken).one()
        assert token not in stored.token_hash and len(stored.token_hash) == 64
        db.session.commit()
    assert app.test_client().get(f"/set-password/{token}").status_code == 404

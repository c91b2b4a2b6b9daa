"""The application: configuration, the home page, staff login and logout."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from surveys import create_app
from surveys.config import ConfigurationError
from surveys.extensions import db
from surveys.models import User
from tests.foundation import factories as f


def test_production_without_secret_key_refuses_to_start(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("KLASKLIMAAT_ENV", "production")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/x.sqlite3")
    with pytest.raises(ConfigurationError, match="SECRET_KEY is not set"):
        create_app()


def test_development_generates_a_secret_key_once_into_the_instance_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("KLASKLIMAAT_ENV", "development")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/x.sqlite3")
    import surveys

    monkeypatch.setattr(surveys.Flask, "instance_path", str(tmp_path), raising=False)
    first = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite3"})
    second = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite3"})
    key_file = Path(first.instance_path) / "secret_key"
    assert key_file.exists() and oct(key_file.stat().st_mode)[-3:] == "600"
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"] == key_file.read_text()
    assert len(first.config["SECRET_KEY"]) == 64
    assert not first.config["SESSION_COOKIE_SECURE"] or first.config["ENVIRONMENT"] != "development"


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@db.example/k")
    monkeypatch.setenv("KLASKLIMAAT_ENV", "production")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.example/k"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_k_can_only_be_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRIVACY_K", "3")
    with pytest.raises(ConfigurationError, match="never lowered"):
        create_app({"TESTING": True, "SECRET_KEY": "x" * 32})


def test_the_home_page_says_what_this_is_in_dutch_and_english(client: FlaskClient) -> None:
    page = client.get("/", headers={"Accept-Language": "nl"}).get_data(as_text=True)
    assert "Klasklimaat: hoe veilig voelen onze leerlingen zich?" in page
    assert "nooit een cijfer voor minder dan vijf leerlingen" in page.replace("\n", " ")
    english = client.get("/?lang=en").get_data(as_text=True)
    assert "how safe do our pupils feel?" in english
    assert "No figure is ever shown for fewer than five pupils" in english


def login(client: FlaskClient, email: str, password: str = f.PASSWORD, next_: str = ""):  # type: ignore[no-untyped-def]
    url = "/login" + (f"?next={next_}" if next_ else "")
    return client.post(url, data={"email": email, "password": password})


@pytest.fixture
def teacher(app: Flask) -> str:
    with app.app_context():
        school = f.school()
        user = f.user(school, email="juf@example.org", name="juf Sanne")
        db.session.commit()
        return user.email


def test_staff_log_in_and_out(client: FlaskClient, teacher: str) -> None:
    response = login(client, teacher.upper())
    assert response.status_code == 302 and response.headers["Location"] == "/"
    # "/" leads a logged-in teacher to their own start page.
    assert "juf Sanne" in client.get("/?lang=nl", follow_redirects=True).get_data(as_text=True)
    response = client.post("/logout")
    assert response.status_code == 302
    assert "juf Sanne" not in client.get("/").get_data(as_text=True)


def test_a_wrong_password_is_refused_without_saying_which_part_is_wrong(
    client: FlaskClient, teacher: str
) -> None:
    for email in (teacher, "niemand@example.org"):
        page = login(client, email, "wrong password!").get_data(as_text=True)
        assert "Dit e-mailadres en wachtwoord horen niet bij elkaar." in page
    assert "juf Sanne" not in client.get("/").get_data(as_text=True)


def test_passwords_are_stored_as_argon2id(app: Flask, teacher: str) -> None:
    with app.app_context():
        user = db.session.query(User).filter_by(email=teacher).one()
        assert user.password_hash.startswith("$argon2id$")
        params = dict(p.split("=") for p in user.password_hash.split("$")[3].split(","))
        assert int(params["m"]) >= 19 * 1024 and int(params["t"]) >= 2


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/?x=1", "/?x=1"),
        ("https://evil.example/", "/"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_next_only_leads_to_this_site(
    client: FlaskClient, teacher: str, target: str, expected: str
) -> None:
    response = login(client, teacher, next_=target)
    assert response.headers["Location"] == expected


def test_logout_voids_every_earlier_cookie_of_the_account(app: Flask, teacher: str) -> None:
    laptop, tablet = app.test_client(), app.test_client()
    login(laptop, teacher)
    login(tablet, teacher)
    assert "juf Sanne" in tablet.get("/", follow_redirects=True).get_data(as_text=True)
    laptop.post("/logout")
    assert "juf Sanne" not in tablet.get("/", follow_redirects=True).get_data(as_text=True)


def test_a_new_session_is_started_at_login(client: FlaskClient, teacher: str) -> None:
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    login(client, teacher)
    with client.session_transaction() as session:
        assert "planted" not in session


def test_login_form_needs_a_csrf_token(app: Flask, teacher: str) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    response = login(client, teacher)
    assert response.status_code == 400  # refused with a friendly page, nobody is logged in
    assert "Dit formulier is verlopen" in response.get_data(as_text=True)
    assert "juf Sanne" not in client.get("/").get_data(as_text=True)
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token is not None
    ok = client.post(
        "/login", data={"email": teacher, "password": f.PASSWORD, "csrf_token": token.group(1)}
    )
    assert ok.status_code == 302


def test_unknown_pages_get_a_friendly_404(client: FlaskClient) -> None:
    response = client.get("/bestaat-niet", headers={"Accept-Language": "nl"})
    assert response.status_code == 404
    assert "Deze pagina bestaat niet." in response.get_data(as_text=True)

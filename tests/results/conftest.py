"""Fixtures for the results tests: the demo school, logged-in clients per role, its ids."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from surveys.extensions import db
from surveys.models import Group, School, SchoolYear, User
from surveys.services.demo import DEMO_PASSWORD, school_year_names

YEAR = school_year_names(1)[0]
PREVIOUS = school_year_names(2)[0]


@dataclass(frozen=True)
class Demo:
    school: int
    year: int
    groups: dict[str, int]  # this year's groups by name
    previous_groups: dict[str, int]
    eva: int
    sanne: int
    tim: int


def login(client: FlaskClient, local: str) -> FlaskClient:
    response = client.post("/login", data={"email": f"{local}@vlinderboom.example",
                                           "password": DEMO_PASSWORD})
    assert response.status_code == 302, response.status_code
    return client


@pytest.fixture(scope="session")
def demo_ids(demo_app: Flask) -> Demo:
    with demo_app.app_context():
        school = db.session.scalar(select(School).where(School.slug == "vlinderboom"))
        years = {y.name: y for y in db.session.scalars(
            select(SchoolYear).where(SchoolYear.school_id == school.id))}

        def groups(name: str) -> dict[str, int]:
            return {g.name: g.id for g in db.session.scalars(
                select(Group).where(Group.school_year_id == years[name].id))}

        users = {u.email.split("@")[0]: u.id for u in db.session.scalars(select(User))}
        return Demo(school.id, years[YEAR].id, groups(YEAR), groups(PREVIOUS), users["eva"],
                    users["sanne"], users["tim"])


@pytest.fixture(scope="session")
def clients(demo_app: Flask) -> dict[str, FlaskClient]:
    """One logged-in client per demo role (reused: logging in is deliberately slow)."""
    return {role: login(demo_app.test_client(), local) for role, local in (
        ("director", "directeur"), ("coordinator", "vertrouwenspersoon"), ("eva", "eva"),
        ("sanne", "sanne"), ("admin", "beheer"))}

"""Fixtures for the staff side: two schools, every role, groups, a wave, incidents, requests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient

from surveys.extensions import db
from surveys.models import Board, ClassSession, ConversationRequest, ImprovementPoint, Incident
from tests.foundation import factories as f


@dataclass
class World:
    """Ids of everything the staff tests use; ``b_`` marks the other school."""

    school: int
    director: str
    teacher: str
    other_teacher: str
    coordinator: str
    admin: str
    year: int
    group: int  # taught by ``teacher``
    other_group: int  # taught by ``other_teacher``
    wave: int
    incident: int  # in ``group``
    other_incident: int  # in ``other_group``
    request: str
    session: int  # a class session of ``group``
    other_session: int  # of ``other_group``
    account: int  # the teacher's account id
    other_account: int  # the other teacher's
    point: int  # an improvement point of this school
    b_point: int
    b_session: int
    b_school: int
    b_director: str
    b_admin: str
    b_year: int
    b_group: int
    b_wave: int
    b_incident: int
    b_request: str
    b_account: int


def login(client: FlaskClient, email: str, password: str = f.PASSWORD):  # type: ignore[no-untyped-def]
    return client.post("/login", data={"email": email, "password": password})


@pytest.fixture
def world(app: Flask, monkeypatch: pytest.MonkeyPatch) -> World:
    # One argon2 hash for all the fixture's accounts (each hash costs 19 MiB and ~50 ms).
    from surveys import passwords

    real_hash = passwords.hash_password
    cache: dict[str, str] = {}
    monkeypatch.setattr(passwords, "hash_password",
                        lambda pw: cache.get(pw) or cache.setdefault(pw, real_hash(pw)))
    with app.app_context():
        board_a, board_b = Board(name="Bestuur A"), Board(name="Bestuur B")
        db.session.add_all([board_a, board_b])
        db.session.flush()
        a = f.school("de-linde", "De Linde")
        a.board_id = board_a.id
        b = f.school("de-eik", "De Eik")
        b.board_id = board_b.id
        director = f.user(a, "director", "directeur@linde.nl", "Anouk de Vries")
        teacher = f.user(a, "teacher", "sanne@linde.nl", "juf Sanne")
        other_teacher = f.user(a, "teacher", "tim@linde.nl", "meester Tim")
        coordinator = f.user(a, "coordinator", "vp@linde.nl", "Marloes")
        admin = f.user(None, "admin", "admin@bestuur-a.nl", "Bestuur A")
        admin.board_id = board_a.id
        b_director = f.user(b, "director", "directeur@eik.nl", "Bert")
        b_teacher = f.user(b, "teacher", "juf@eik.nl", "juf Eik")
        b_admin = f.user(None, "admin", "admin@bestuur-b.nl", "Bestuur B")
        b_admin.board_id = board_b.id
        group = f.group(a, "Groep 5", (5,), teachers=[teacher])
        other_group = f.group(a, "Groep 6", (6,), teachers=[other_teacher])
        b_group = f.group(b, "Groep 5", (5,), teachers=[b_teacher])
        wave = f.wave(a)
        wave.status = "draft"
        b_wave = f.wave(b)
        day = dt.date(2026, 10, 5)
        incidents = [
            Incident(school_year=g.school_year, group=g, occurred_on=day, category="pesten",
                     handled_by="leraar", description="Uitgescholden op het plein")
            for g in (group, other_group, b_group)
        ]
        db.session.add_all(incidents)
        requests = [ConversationRequest(school_id=s.id, first_name=name, group_label="Groep 5",
                                        created_on=day)
                    for s, name in ((a, "Noor"), (b, "Daan"))]
        db.session.add_all(requests)
        wave.one_time_codes = True
        ends = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
        sessions = [ClassSession(wave=w, group=g, code=code, ends_at=ends,
                                 started_by_id=t.id)
                    for w, g, code, t in ((wave, group, "KLAS5A", teacher),
                                          (wave, other_group, "KLAS6A", other_teacher),
                                          (b_wave, b_group, "EIK5AA", b_teacher))]
        db.session.add_all(sessions)
        points = [ImprovementPoint(school_year=g.school_year, group=g, title="Pauzeplein")
                  for g in (group, b_group)]
        db.session.add_all(points)
        db.session.commit()
        monkeypatch.setattr(passwords, "hash_password", real_hash)
        return World(
            school=a.id, director=director.email, teacher=teacher.email,
            other_teacher=other_teacher.email, coordinator=coordinator.email,
            admin=admin.email, year=group.school_year_id, group=group.id,
            other_group=other_group.id, wave=wave.id, incident=incidents[0].id,
            other_incident=incidents[1].id, request=str(requests[0].id), b_school=b.id,
            b_director=b_director.email, b_admin=b_admin.email, b_year=b_group.school_year_id,
            b_group=b_group.id, b_wave=b_wave.id, b_incident=incidents[2].id,
            b_request=str(requests[1].id), b_account=b_teacher.id, session=sessions[0].id,
            other_session=sessions[1].id, b_session=sessions[2].id, account=teacher.id,
            other_account=other_teacher.id, point=points[0].id, b_point=points[1].id,
        )

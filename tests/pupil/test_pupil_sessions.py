"""Class sessions, one-time codes and the teacher's session pages (issue 4, part 1 and 2)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from flask import Flask
from sqlalchemy import select

from surveys.extensions import db
from surveys.models import ClassSession, OneTimeCode, SurveyWave
from surveys.services import sessions as svc
from surveys.services.responses import SCHOOL_TIMEZONE
from tests.foundation import factories as f

LOOKALIKES = set("0O1IL5S2Z8B6GQDUVJ")


def at(hour: int, minute: int = 0, day: dt.date = dt.date(2026, 10, 6)) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SCHOOL_TIMEZONE).astimezone(
        dt.UTC)


def setup_class(*, cards: bool = False, grades: tuple[int, ...] = (5,)):  # type: ignore[no-untyped-def]
    school = f.school()
    teacher = f.user(school, email="juf@example.org", name="juf Sanne")
    group = f.group(school, grades=grades, teachers=[teacher])
    wave = f.wave(school)
    wave.one_time_codes = cards
    db.session.flush()
    return school, teacher, group, wave


def test_class_codes_are_six_characters_without_lookalikes(ctx: Flask) -> None:
    codes = {svc.new_code(svc.CLASS_CODE_LENGTH) for _ in range(2000)}
    assert len(codes) > 1990
    assert all(len(c) == 6 and not (set(c) & LOOKALIKES) for c in codes)
    assert not set(svc.CODE_ALPHABET) & LOOKALIKES
    assert svc.normalise_code(" ac-e f ") == "ACEF"


def test_open_session_ends_at_the_end_of_the_school_day(ctx: Flask) -> None:
    _, teacher, group, wave = setup_class()
    session = svc.open_session(group=group, wave=wave, user=teacher, now=at(9, 0))
    db.session.commit()
    assert svc.aware(session.ends_at) == at(15, 30)
    assert svc.is_well_formed(session.code, 6)
    # Asking again while it is open gives the same session, not a second code.
    again = svc.open_session(group=group, wave=wave, user=teacher, now=at(10, 0))
    assert again.id == session.id
    assert svc.find_session(session.code, now=at(15, 29)) is not None
    assert svc.find_session(session.code, now=at(15, 31)) is None
    # After hours a session lasts an hour.
    svc.close_session(session, now=at(16, 0))
    db.session.commit()
    late = svc.open_session(group=group, wave=wave, user=teacher, now=at(16, 0))
    assert svc.aware(late.ends_at) == at(17, 0)
    assert late.code != session.code or late.id != session.id


def test_a_closed_session_lets_pupils_who_started_finish_within_the_grace_period(
        ctx: Flask) -> None:
    _, teacher, group, wave = setup_class()
    session = svc.open_session(group=group, wave=wave, user=teacher, now=at(9, 0))
    svc.close_session(session, now=at(10, 0))
    db.session.commit()
    assert svc.find_session(session.code, now=at(10, 1)) is None
    assert svc.may_continue(session, started=at(9, 50), now=at(10, 20))
    assert not svc.may_continue(session, started=at(9, 50), now=at(10, 31))
    assert not svc.may_continue(session, started=at(10, 5), now=at(10, 6))


def test_sessions_only_in_open_waves(ctx: Flask) -> None:
    _, teacher, group, wave = setup_class()
    wave.status = "closed"
    db.session.flush()
    with pytest.raises(svc.SessionError, match="not open"):
        svc.open_session(group=group, wave=wave, user=teacher)


def test_class_codes_are_rate_limited_per_code_not_per_address(app: Flask) -> None:
    client = app.test_client()
    with app.app_context():
        limit = int(svc.CLASS_CODE_LIMIT.split("/")[0])
        for _ in range(limit):
            assert svc.attempt_allowed("class", "WXYWXY")
        assert not svc.attempt_allowed("class", "WXYWXY")
        # Another code from the same address (the whole school shares one) is not blocked.
        assert svc.attempt_allowed("class", "WXYWXA")
    response = client.get("/k/WXYWXY")
    assert response.status_code == 429
    assert "Wacht even" in response.text
    assert client.get("/k/WXYWXC").status_code == 404


def test_one_time_codes_are_stored_hashed_and_work_once(ctx: Flask) -> None:
    _, _, group, wave = setup_class(cards=True)
    codes = svc.create_cards(wave=wave, group=group, count=5)
    db.session.commit()
    assert len(set(codes)) == 5 and all(len(c) == 8 for c in codes)
    stored = db.session.scalars(select(OneTimeCode.code_hash)).all()
    assert not set(codes) & set(stored) and len(stored) == 5
    assert {c.name for c in OneTimeCode.__table__.columns} == {
        "id", "wave_id", "group_id", "code_hash", "used"}
    assert svc.redeem_card(wave_id=wave.id, group_id=group.id, code=codes[0])
    assert not svc.redeem_card(wave_id=wave.id, group_id=group.id, code=codes[0])
    assert not svc.redeem_card(wave_id=wave.id, group_id=group.id + 1, code=codes[1])
    assert not svc.redeem_card(wave_id=wave.id, group_id=group.id, code="ACEFHKMN")
    assert svc.unused_cards(wave, group) == 4


def test_fifty_tablets_submitting_the_same_card_at_once_get_in_once(app: Flask) -> None:
    with app.app_context():
        _, teacher, group, wave = setup_class(cards=True)
        session = svc.open_session(group=group, wave=wave, user=teacher)
        [code] = svc.create_cards(wave=wave, group=group, count=1)
        db.session.commit()
        class_code = session.code
    app.config["RATELIMIT_ENABLED"] = False  # fifty tries of one code in a second is the test
    tokens = []
    for _ in range(50):
        response = app.test_client().get(f"/k/{class_code}")
        tokens.append(response.text.split('name="t" value="')[1].split('"')[0])
    barrier = threading.Barrier(50)
    results: list[bool] = []

    def tablet(token: str) -> None:
        client = app.test_client()
        barrier.wait()
        response = client.post("/k/step", data={"t": token, "code": code, "key": "go"})
        results.append("Hallo!" in response.text)

    threads = [threading.Thread(target=tablet, args=(tok,)) for tok in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(results) == 50
    assert results.count(True) == 1
    with app.app_context():
        assert db.session.scalars(select(OneTimeCode.used)).all() == [True]


# --- the teacher's pages -----------------------------------------------------------------------


def login(client, email: str) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/login", data={"email": email, "password": f.PASSWORD})
    assert response.status_code == 302


def test_teacher_starts_watches_and_closes_a_session(app: Flask) -> None:
    with app.app_context():
        school, _, group, wave = setup_class(cards=True)
        f.user(school, email="other@example.org", name="meester Bas")
        db.session.commit()
        group_id, wave_id = group.id, wave.id
    client = app.test_client()
    assert client.get("/sessions/").status_code == 302  # login required
    login(client, "juf@example.org")
    index = client.get("/sessions/")
    assert "Groep 5" in index.text and "Sessie starten" in index.text
    started = client.post("/sessions/start", data={"group_id": group_id, "wave_id": wave_id})
    assert started.status_code == 303
    page = client.get(started.headers["Location"])
    with app.app_context():
        session = db.session.scalars(select(ClassSession)).one()
        code, session_id = session.code, session.id
    assert code in page.text and f"/k/kiosk/{code}" in page.text
    assert "0 van 25 vragenlijsten klaar" in page.text
    qr = client.get(f"/sessions/{session_id}/qr.svg")
    assert qr.mimetype == "image/svg+xml" and b"<svg" in qr.data
    assert client.get(f"/sessions/{session_id}/count").get_json() == {
        "finished": 0, "size": 25, "open": True}
    cards = client.post(f"/sessions/{session_id}/cards", data={"count": "3"})
    assert cards.text.count('data-testid="card-code"') == 3
    assert client.post(f"/sessions/{session_id}/cards", data={"count": "0"}).status_code == 422
    closed = client.post(f"/sessions/{session_id}/close")
    assert closed.status_code == 303
    assert client.get(f"/sessions/{session_id}/count").get_json()["open"] is False
    assert app.test_client().get(f"/k/{code}").status_code == 404

    other = app.test_client()
    login(other, "other@example.org")
    assert other.get(f"/sessions/{session_id}").status_code == 403
    assert other.post("/sessions/start",
                      data={"group_id": group_id, "wave_id": wave_id}).status_code == 403


def test_a_session_is_not_started_in_a_wave_of_another_year(app: Flask) -> None:
    with app.app_context():
        school, _, group, _ = setup_class()
        other = f.wave(school, year="2025-2026")
        db.session.commit()
        group_id, other_id = group.id, other.id
    client = app.test_client()
    login(client, "juf@example.org")
    assert client.post("/sessions/start",
                       data={"group_id": group_id, "wave_id": other_id}).status_code == 404
    with app.app_context():
        assert db.session.scalars(select(SurveyWave)).all()
        assert not db.session.scalars(select(ClassSession)).all()

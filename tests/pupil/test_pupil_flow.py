"""The pupil's questionnaire as plain forms (no JavaScript), and what it stores (issue 4)."""

from __future__ import annotations

import datetime as dt
import logging
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import inspect, select

from surveys.blueprints.pupil import DropPupilRequests
from surveys.extensions import db
from surveys.models import (
    Answer,
    ClassSession,
    ConversationRequest,
    InstrumentVersion,
    Response,
    SubmissionReceipt,
)
from surveys.services import sessions as svc
from tests.foundation import factories as f

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "pupil"


def make_class(app: Flask, *, grades: tuple[int, ...] = (5,), teachers: int = 1,
               cards: bool = False, name: str = "Groep 5") -> dict[str, object]:
    with app.app_context():
        school = f.school()
        school.settings.vertrouwenspersoon_name = "meester Joris"
        school.settings.vertrouwenspersoon_contact = "Kamer 12, elke dinsdag"
        people = [f.user(school, email=f"t{i}@example.org", name=n)
                  for i, n in enumerate(["juf Sanne", "meester Ahmed"][:teachers])]
        group = f.group(school, name=name, grades=grades, teachers=people)
        wave = f.wave(school)
        wave.one_time_codes = cards
        db.session.commit()
        session = svc.open_session(group=group, wave=wave, user=people[0] if people else None)
        db.session.commit()
        codes = svc.create_cards(wave=wave, group=group, count=3) if cards else []
        db.session.commit()
        return {"code": session.code, "session": session.id, "school": school.id,
                "group": group.id, "wave": wave.id, "cards": codes,
                "teachers": [p.id for p in people]}


class Tablet:
    """A pupil on a tablet without JavaScript: reads each screen, presses its buttons."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.page = ""
        self.status = 0

    def _take(self, response) -> Tablet:  # type: ignore[no-untyped-def]
        self.status = response.status_code
        self.page = response.get_data(as_text=True)
        return self

    def get(self, url: str) -> Tablet:
        response = self.client.get(url)
        if response.status_code in (302, 303):
            response = self.client.get(response.headers["Location"])
        return self._take(response)

    @property
    def token(self) -> str:
        return re.search(r'name="t" value="([^"]+)"', self.page).group(1)  # type: ignore[union-attr]

    @property
    def heading(self) -> str:
        match = re.search(r"<h1[^>]*>(.*?)</h1>", self.page, re.S)
        return match.group(1).strip() if match else ""

    @property
    def screen(self) -> str:
        return re.search(r'class="screen screen-(\w+)', self.page).group(1)  # type: ignore[union-attr]

    def option_labels(self) -> list[str]:
        return re.findall(r'<span class="word">([^<]*)</span>', self.page)

    def option_values(self) -> list[int]:
        return [int(v) for v in re.findall(r'name="answer" value="(-?\d+)"', self.page)]

    def checked(self) -> int | None:
        match = re.search(r'name="answer" value="(-?\d+)" checked', self.page)
        return int(match.group(1)) if match else None

    def step(self, **form: object) -> Tablet:
        data = {"t": self.token, **{k: str(v) for k, v in form.items()}}
        return self._take(self.client.post("/k/step", data=data))

    def answer(self, value: int) -> Tablet:
        return self.step(do="next", answer=value)

    def send(self, submission_id: str | None = None) -> Tablet:
        # A tampering tablet may add a submission id of its own; the server ignores it and
        # uses the one made at the start, inside the signed token.
        data = {"t": self.token}
        if submission_id:
            data["sid"] = submission_id
        response = self.client.post("/k/send", data=data)
        self.status = response.status_code
        if response.status_code == 303:
            return self._take(self.client.get(response.headers["Location"]))
        return self._take(response)

    def talk(self, **form: object) -> Tablet:
        data = {"t": self.token, **{k: str(v) for k, v in form.items()}}
        return self._take(self.client.post("/k/talk", data=data))

    def answer_all(self, value_index: int = -1) -> list[str]:
        """Answer every question with the option at ``value_index``; the headings seen."""
        seen = []
        while self.screen != "done":
            seen.append(self.heading)
            if self.screen == "question":
                self.answer(self.option_values()[value_index])
            else:
                self.step(do="next")
            assert self.status == 200, self.page
        return seen


def stored(app: Flask) -> list[tuple[str, int, int | None, int | None]]:
    with app.app_context():
        rows = db.session.execute(
            select(Answer.item_key, Answer.part, Answer.teacher_id, Answer.value)).all()
        return [tuple(r) for r in rows]  # type: ignore[misc]


def test_a_pupil_goes_back_changes_an_answer_skips_one_and_sends(app: Flask) -> None:
    ids = make_class(app)
    tablet = Tablet(app.test_client()).get(f"/k/{ids['code']}")
    assert tablet.screen == "welcome"
    assert "Dit is geen toets" in tablet.page and "Niemand ziet wat jij kiest" in tablet.page
    tablet.step(do="start")
    assert tablet.heading == "Ik voel me veilig in de klas."
    assert tablet.option_labels() == [
        "Klopt helemaal niet", "Klopt niet zo", "Klopt wel", "Klopt helemaal"]
    assert "Nog 34 vragen" in tablet.page  # 19 about school, 15 about the teacher
    tablet.answer(2)
    assert tablet.heading == "Ik voel me veilig op het schoolplein."
    tablet.step(do="back")
    assert tablet.heading == "Ik voel me veilig in de klas." and tablet.checked() == 2
    tablet.answer(4)
    tablet.step(do="skip")  # the playground: "I'd rather not say"
    headings = tablet.answer_all(0)
    assert "Even uitleggen" in headings  # the explanation of bullying comes first
    assert "Nu een paar vragen over juf Sanne" in headings
    assert any("Juf Sanne" in h or "juf Sanne" in h for h in headings)
    assert tablet.heading == "Klaar! Goed gedaan."
    tablet.send()
    assert tablet.screen == "talk"
    answers = {(key, part): value for key, part, _, value in stored(app)}
    assert answers[("veilig_klas", 0)] == 4
    assert answers[("veilig_plein", 0)] is None
    assert answers[("veilig_gang_gym", 0)] == 1 or ("veilig_gang_gym", 0) not in answers
    with app.app_context():
        response = db.session.scalars(select(Response)).one()
        assert response.grade == 5 and response.submitted_on <= dt.date.today() + dt.timedelta(1)
        assert db.session.get(ClassSession, ids["session"]).finished_count == 1


def test_a_double_tap_or_a_retry_stores_one_response(app: Flask) -> None:
    ids = make_class(app)
    tablet = Tablet(app.test_client()).get(f"/k/{ids['code']}")
    tablet.step(do="start")
    tablet.answer_all()
    done_page = tablet.page
    tablet.send("same-submission-id-1")
    tablet.page = done_page
    tablet.send("same-submission-id-1")
    assert tablet.screen == "talk"
    with app.app_context():
        assert len(db.session.scalars(select(Response)).all()) == 1
        assert db.session.get(ClassSession, ids["session"]).finished_count == 1
        [receipt] = db.session.scalars(select(SubmissionReceipt)).all()
        assert "same-submission-id-1" not in receipt.digest


def test_a_replayed_token_stores_nothing_more_whatever_id_it_carries(app: Flask) -> None:
    """One finished questionnaire is one response, however often its page is replayed, with
    whichever submission ids, and one conversation request at most (P3b)."""
    ids = make_class(app)
    tablet = Tablet(app.test_client()).get(f"/k/{ids['code']}")
    tablet.step(do="start")
    tablet.answer_all()
    done_page = tablet.page
    for n in range(4):
        tablet.page = done_page
        tablet.send(f"forged-submission-{n}")
        assert tablet.screen == "talk"
    end_page = tablet.page
    for _ in range(3):
        tablet.page = end_page
        tablet.talk(do="request", first_name="Sam", group_label="Groep 5")
    with app.app_context():
        assert len(db.session.scalars(select(Response)).all()) == 1
        assert len(db.session.scalars(select(ConversationRequest)).all()) == 1
        assert db.session.get(ClassSession, ids["session"]).finished_count == 1


def test_nothing_is_stored_once_the_wave_is_closed(app: Flask) -> None:
    ids = make_class(app)
    tablet = Tablet(app.test_client()).get(f"/k/{ids['code']}")
    tablet.step(do="start")
    tablet.answer_all()
    with app.app_context():
        from surveys.models import SurveyWave

        db.session.get(SurveyWave, ids["wave"]).status = "closed"
        db.session.commit()
    tablet.send()
    assert tablet.status == 422
    with app.app_context():
        assert db.session.scalars(select(Response)).all() == []


def test_combination_group_asks_the_grade_and_duo_teachers_in_turn(app: Flask) -> None:
    ids = make_class(app, grades=(3, 4), teachers=2, name="Groep 3/4")
    tablet = Tablet(app.test_client()).get(f"/k/{ids['code']}")
    tablet.step(do="start")
    assert tablet.heading == "In welke groep zit jij?"
    assert "Groep 3" in tablet.page and "Groep 4" in tablet.page
    tablet.step(grade=3)
    assert tablet.option_labels() == ["Nee", "Soms", "Ja"]
    assert 'data-autoread="1"' in tablet.page and "Nog een keer voorlezen" in tablet.page
    headings = tablet.answer_all()
    sanne = headings.index("Nu een paar vragen over juf Sanne")
    ahmed = headings.index("Nu een paar vragen over meester Ahmed")
    assert sanne < ahmed
    assert all("Ahmed" not in h for h in headings[sanne:ahmed])
    tablet.send()
    rows = stored(app)
    assert {part for _, part, _, _ in rows} == {0, 1, 2}
    assert {(part, teacher) for _, part, teacher, _ in rows if part} == {
        (1, ids["teachers"][0]), (2, ids["teachers"][1])}
    with app.app_context():
        assert db.session.scalars(select(Response.grade)).one() == 3
        versions = set(db.session.scalars(select(InstrumentVersion.instrument_id)))
        assert versions == {"veiligheid-3-4", "leraar-3-4"}


def test_groep_7_gets_its_own_instrument_and_english_on_request(app: Flask) -> None:
    ids = make_class(app, grades=(7,), name="Groep 7")
    tablet = Tablet(app.test_client()).get(f"/k/{ids['code']}")
    assert 'data-autoread' not in tablet.page and "Lees voor" in tablet.page
    tablet.step(do="lang")
    assert tablet.heading == "Hello! Thanks for joining in." and '<html lang="en">' in tablet.page
    tablet.step(do="start")
    assert tablet.heading == "I feel safe in my classroom."
    assert 'data-speech-lang="en-GB"' in tablet.page
    tablet.step(do="lang")
    assert tablet.heading == "Ik voel me veilig in de klas."
    assert 'data-speech-lang="nl-NL"' in tablet.page
    tablet.answer_all()
    tablet.send()
    with app.app_context():
        versions = set(db.session.scalars(select(InstrumentVersion.instrument_id)))
        assert versions == {"veiligheid-5-8", "leraar-5-8"}


def test_the_keypad_works_without_javascript(app: Flask) -> None:
    ids = make_class(app)
    client = app.test_client()
    code = str(ids["code"])
    typed = ""
    for ch in code:
        page = client.post("/k/", data={"code": typed, "key": ch}).text
        typed = re.search(r'id="code" name="code"[^>]*value="(\w*)"', page).group(1)  # type: ignore[union-attr]
    assert typed == code
    page = client.post("/k/", data={"code": typed + "A", "key": "del"}).text
    assert f'value="{code}"' in page
    wrong = client.post("/k/", data={"code": "AAAAAA", "key": "go"})
    assert wrong.status_code == 404 and "Deze code kennen we niet" in wrong.text
    right = client.post("/k/", data={"code": code.lower(), "key": "go"})
    assert "Hallo! Fijn dat je meedoet." in right.text


def test_one_time_cards_without_javascript(app: Flask) -> None:
    ids = make_class(app, cards=True)
    first, second = Tablet(app.test_client()), Tablet(app.test_client())
    for tablet in (first, second):
        tablet.get(f"/k/{ids['code']}")
        assert tablet.heading == "Typ de code van jouw kaartje"
    card = ids["cards"][0]  # type: ignore[index]
    first.step(code=f"{card[:4]}-{card[4:]}", key="go")
    assert first.screen == "welcome"
    second.step(code=card, key="go")
    assert second.screen == "code" and "Dit kaartje werkt niet" in second.page
    first.step(do="start")
    first.answer_all()
    first.send()
    with app.app_context():
        assert len(db.session.scalars(select(Response)).all()) == 1


def test_tampered_or_stale_tokens_get_a_friendly_start_again(app: Flask) -> None:
    ids = make_class(app)
    client = app.test_client()
    tablet = Tablet(client).get(f"/k/{ids['code']}")
    token = tablet.token
    bad = client.post("/k/step", data={"t": token[:-3] + "abc", "do": "start"})
    assert bad.status_code == 400 and "Oeps, dit scherm is verlopen" in bad.text
    assert "Traceback" not in bad.text
    assert client.post("/k/step", data={}).status_code == 400
    refused = client.post("/k/send", data={"t": token, "sid": "abcdefgh1234"})
    assert refused.status_code == 422 and "Opnieuw beginnen" in refused.text
    fetch = client.post("/k/send", data={"t": "junk", "sid": "abcdefgh1234"},
                        headers={"X-Klasklimaat": "fetch"})
    assert fetch.status_code == 422 and fetch.get_json() == {"ok": False, "retry": False}
    assert client.get("/k/talk?t=junk").status_code == 400
    tablet.step(do="start")
    forged = client.post("/k/step", data={"t": tablet.token, "do": "next", "answer": "9"})
    assert forged.status_code == 422 and "Ik voel me veilig in de klas." in forged.text
    assert "Kies een van de gezichtjes" in forged.text
    with app.app_context():
        assert not db.session.scalars(select(Response)).all()


def test_closing_the_session_leaves_a_grace_period_for_who_started(app: Flask) -> None:
    ids = make_class(app)
    tablet = Tablet(app.test_client()).get(f"/k/{ids['code']}")
    tablet.step(do="start")
    with app.app_context():
        session = db.session.get(ClassSession, ids["session"])
        svc.close_session(session)
        db.session.commit()
    assert app.test_client().get(f"/k/{ids['code']}").status_code == 404
    middle = tablet.page
    tablet.answer_all()
    tablet.send()
    assert tablet.screen == "talk"
    # A screen token from before the close no longer moves on once the grace period is over.
    stale_tablet = Tablet(app.test_client())
    stale_tablet.page = middle
    with app.app_context():
        session = db.session.get(ClassSession, ids["session"])
        session.closed_at = svc.utcnow() - dt.timedelta(hours=2)
        db.session.commit()
    stale_tablet.step(do="next")
    assert stale_tablet.status == 410 and "Deze vragenlijst is nu dicht" in stale_tablet.page
    other = Tablet(app.test_client()).get(f"/k/{ids['code']}")
    assert other.status == 404
    late = Tablet(app.test_client())
    late.page = '<input type="hidden" name="t" value="' + tablet.token + '">'
    late._take(late.client.post("/k/talk", data={"t": late.token, "do": "yes"}))
    assert late.status == 200  # the conversation request stays possible after the end


def test_the_conversation_request_is_stored_apart_and_reaches_only_the_inbox(app: Flask) -> None:
    ids = make_class(app)
    tablet = Tablet(app.test_client()).get(f"/k/{ids['code']}")
    tablet.step(do="start")
    tablet.answer_all()
    tablet.send()
    assert tablet.heading == "Wil je met iemand praten over hoe het met je gaat?"
    tablet.talk(do="yes")
    assert tablet.heading == "Je kunt praten met meester Joris"
    assert "Kamer 12, elke dinsdag" in tablet.page and 'value="Groep 5"' in tablet.page
    tablet.talk(do="request", first_name="", group_label="Groep 5")
    assert "Schrijf je voornaam op" in tablet.page and tablet.status == 422
    tablet.talk(do="request", first_name="  Mila ", group_label="Groep 5")
    assert tablet.heading == "Dank je wel!" and "Er komt iemand naar je toe" in tablet.page
    with app.app_context():
        from surveys.models import School

        school = db.session.get(School, ids["school"])
        inbox = svc.conversation_requests_for(school)
        assert [(r.first_name, r.group_label) for r in inbox] == [("Mila", "Groep 5")]
        other = f.school("andere", "Andere school")
        db.session.commit()
        assert svc.conversation_requests_for(other) == []
        columns = {c.name for c in ConversationRequest.__table__.columns}
        assert not {"response_id", "submission", "created_at", "session_id"} & columns
        fks = {fk.column.table.name for fk in ConversationRequest.__table__.foreign_keys}
        assert "responses" not in fks and "answers" not in fks
        assert "Mila" not in str(stored(app))
        school_obj = db.session.get(School, ids["school"])
        for role in ("coordinator", "director"):
            f.user(school_obj, role=role, email=f"{role}@example.org", name=role)
        db.session.commit()
    # The coordinator's inbox page shows Mila; no other staff page does.
    pages: dict[str, str] = {}
    for email in ("coordinator@example.org", "director@example.org", "t0@example.org"):
        staff = app.test_client()
        staff.post("/login", data={"email": email, "password": f.PASSWORD})
        seen = []
        for url in ("/coordinator/", "/director/", "/teacher/", "/results/school",
                    "/results/coordinator", "/incidents/", f"/sessions/{ids['session']}"):
            response = staff.get(url)
            seen.append(response.get_data(as_text=True) if response.status_code == 200 else "")
        pages[email] = " ".join(seen)
    assert "Mila" in pages["coordinator@example.org"]
    assert "Mila" not in pages["director@example.org"]
    assert "Mila" not in pages["t0@example.org"]


def test_no_thanks_goes_straight_to_the_thank_you(app: Flask) -> None:
    ids = make_class(app)
    tablet = Tablet(app.test_client()).get(f"/k/kiosk/{ids['code']}")
    tablet.step(do="start")
    tablet.answer_all()
    tablet.send()
    tablet.talk(do="no")
    assert tablet.heading == "Dank je wel!"
    with app.app_context():  # back by the session's pass, not the guessable code
        home = f"/k/kiosk/{svc.class_pass(db.session.get(ClassSession, ids['session']))}"
    assert f'href="{home}"' in tablet.page and f'href="/k/kiosk/{ids["code"]}"' not in tablet.page
    assert 'http-equiv="refresh"' in tablet.page  # without JavaScript the kiosk resets too
    with app.app_context():
        assert not db.session.scalars(select(ConversationRequest)).all()


# --- anonymity (P1-P3) --------------------------------------------------------------------------


def test_responses_hold_no_forbidden_field(app: Flask) -> None:
    with app.app_context():
        columns = {c["name"] for c in inspect(db.engine).get_columns("responses")}
        assert columns == {"id", "wave_id", "group_id", "grade", "submitted_on"}
        types = {c["name"]: str(c["type"]).upper() for c in
                 inspect(db.engine).get_columns("responses")}
        assert "TIME" not in types["submitted_on"]
        answer_columns = {c["name"] for c in inspect(db.engine).get_columns("answers")}
        forbidden = {"ip", "user_agent", "session_id", "code", "created_at", "device"}
        assert not forbidden & (columns | answer_columns)


def test_pupil_request_lines_are_not_logged() -> None:
    filt = DropPupilRequests()

    def record(line: str) -> logging.LogRecord:
        return logging.LogRecord("werkzeug", logging.INFO, __file__, 1,
                                 '%s - - [%s] %s', ("10.0.0.7", "06/Oct/2026 10:01:02", line),
                                 None)

    assert not filt.filter(record('"POST /k/send HTTP/1.1" 303 -'))
    assert not filt.filter(record('"GET /k/ACEFHK HTTP/1.1" 200 -'))
    assert not filt.filter(record('"GET /static/pupil.js HTTP/1.1" 200 -'))
    assert filt.filter(record('"GET /login HTTP/1.1" 200 -'))
    assert any(isinstance(x, DropPupilRequests) for x in logging.getLogger("werkzeug").filters)


def test_pupil_pages_carry_a_strict_policy_and_no_inline_script(app: Flask) -> None:
    ids = make_class(app)
    response = app.test_client().get(f"/k/{ids['code']}")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"
    for template in TEMPLATES.glob("*.html"):
        source = template.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)", source), template.name
        assert not re.search(r"\son[a-z]+\s*=", source), template.name
        assert "|safe" not in source, template.name


@pytest.mark.parametrize("path", ["/k/", "/k/nope", "/k/kiosk/AAAAAA"])
def test_pupil_screens_never_show_a_stack_trace(app: Flask, path: str) -> None:
    response = app.test_client().get(path)
    assert response.status_code in (200, 404)
    assert "Typ de klascode" in response.text


def test_the_token_on_the_tablet_cannot_be_read_or_changed(app: Flask) -> None:
    """The screens' token carries the answers so far; whoever picks up the tablet can read
    nothing from it (it is encrypted), and a changed token is refused as stale."""
    import base64

    ids = make_class(app)
    tablet = Tablet(app.test_client()).get(f"/k/{ids['code']}")
    tablet.step(do="start")
    tablet.answer(4)
    tablet.answer(1)
    token = tablet.token
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    for visible in (b'"a":', b'"st":', b'"sid":', b'"v":1'):
        assert visible not in raw
    changed = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    tablet.page = tablet.page.replace(token, changed)
    tablet.step(do="next", answer=2)
    assert tablet.status == 400 and tablet.screen != "question"

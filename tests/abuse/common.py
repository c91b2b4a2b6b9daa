"""What the abuse tests share: a small school with a pupil at every screen, row counts, and the
check that a refusal is clear, in the child's language, and changed nothing.

The world is built with the project's factories (``tests/foundation/factories.py``) and the
pupil blueprint's own functions: a token for each screen is sealed exactly as the screens seal
it, so that a test can start at any screen without tapping through the questionnaire first.
Walking the real flow is done where it matters (``tests/abuse/test_abuse_replay.py``, the
guessing run), with the pupil tests' ``Tablet``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field

from flask import Flask
from hypothesis import HealthCheck, settings
from markupsafe import escape
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from surveys.blueprints import pupil as bp
from surveys.extensions import db, limiter
from surveys.models import (
    Answer,
    ClassSession,
    ConstructScore,
    ConversationRequest,
    InstrumentVersion,
    OneTimeCode,
    Response,
    SubmissionReceipt,
)
from surveys.pupil_texts import text
from surveys.services import sessions as svc
from tests.foundation import factories as f

#: Hypothesis for these tests: few examples (each is one or two requests against a real
#: database), the same examples on every run, no deadline (a shared machine is slow at times).
#: Examples share the test's app and world on purpose; each one counts rows before and after
#: itself, so the function-scoped fixtures are safe to reuse across examples.
ABUSE = settings(max_examples=20, deadline=None, derandomize=True, database=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture,
                                        HealthCheck.too_slow])

#: Every pupil route, as the abuse tests address them.
POST_ROUTES = ("/k/", "/k/step", "/k/send", "/k/talk")
GET_ROUTES = ("/k/", "/k/{code}", "/k/kiosk/{code}", "/k/talk")
#: The form fields the pupil screens use, for random forms that look almost right.
FIELDS = ("t", "do", "answer", "grade", "code", "key", "lang", "first_name", "group_label",
          "sid")

#: What a refusal may say, per language: each is a complete sentence a child can act on.
REFUSALS = ("stale_heading", "closed_heading", "code_unknown", "pass_unknown", "wait_heading",
            "oops_heading", "try_again_text", "pick_an_answer", "pick_a_grade", "card_used",
            "code_too_many", "name_needed")


def counts(app: Flask) -> dict[str, int]:
    """Rows that a pupil route could add or change: nothing of these may move on a refusal."""
    with app.app_context():
        def rows(model: type) -> int:
            return int(db.session.scalar(select(func.count()).select_from(model)) or 0)

        return {
            "responses": rows(Response),
            "answers": rows(Answer),
            "construct_scores": rows(ConstructScore),
            "receipts": rows(SubmissionReceipt),
            "conversation_requests": rows(ConversationRequest),
            "instrument_versions": rows(InstrumentVersion),
            "class_sessions": rows(ClassSession),
            "cards_used": int(db.session.scalar(select(func.count()).select_from(OneTimeCode)
                                                .where(OneTimeCode.used.is_(True))) or 0),
            "finished": int(db.session.scalar(select(func.coalesce(
                func.sum(ClassSession.finished_count), 0))) or 0),
        }


@contextlib.contextmanager
def nothing_stored(app: Flask) -> Iterator[None]:
    before = counts(app)
    yield
    assert counts(app) == before


def assert_clear(response: TestResponse, lang: str = "nl", *, status: int | None = None) -> None:
    """A 4xx (never a 5xx) that says what to do, in ``lang``, with no technical detail."""
    code = response.status_code
    assert 400 <= code < 500, (code, response.get_data(as_text=True)[:500])
    if status is not None:
        assert code == status, code
    if response.is_json:  # the tablet's retry queue: a refusal it can act on
        assert response.get_json() == {"ok": False, "retry": False}
        return
    page = response.get_data(as_text=True)
    assert f'<html lang="{lang}">' in page, page[:300]
    said = [text(key, lang) for key in REFUSALS]
    assert any(str(escape(line)) in page for line in said), page
    assert "Traceback" not in page and "Internal Server Error" not in page


def other_lang(lang: str) -> str:
    return "en" if lang == "nl" else "nl"


def reset_budget() -> None:
    """Forget every code counter (the guessing budget too): an example starts afresh."""
    limiter.reset()


@dataclass
class World:
    """One school with a pupil at every screen, and a second school next door."""

    app: Flask
    code: str  # the class code of Groep 5
    session: int
    pass_: str  # Groep 5's class pass (QR code, kiosk)
    combi_code: str
    card_session: int
    cards: list[str]
    other_session: int  # Groep 5 of the other school
    other_code: str
    teacher_email: str
    tokens: dict[str, str] = field(default_factory=dict)

    def seal(self, session_id: int | None = None, *, phase: str = "w", lang: str = "nl",
             grade: int | None = None, answers: str = "all", kiosk: bool = False,
             at_end: bool = True, **changes: object) -> str:
        """A token as the screens seal it, for ``phase`` ("c", "w", "g", "s" or "end").

        ``answers``: "all" (every question answered), "none"; the question phase ("s") is at
        its last screen (done) when ``at_end``, else at its first.
        """
        with self.app.test_request_context():
            session = db.session.get(ClassSession, session_id or self.session)
            assert session is not None
            state = bp.new_state(session, kiosk=kiosk, lang=lang)
            state["p"] = phase
            if phase == "s":
                pupil = bp.Pupil(state, session, svc.utcnow())
                bp.enter_questions(pupil, grade or min(session.group.grades))
                plan = pupil.plan()
                if answers == "all":
                    state["a"] = {str(i): q.instrument.scales[q.item.scale].values[-1]
                                  for i, q in enumerate(plan.questions)}
                state["i"] = len(plan.screens) - 1 if at_end else 0
            elif phase == "end":
                state = {key: state[key] for key in ("v", "sid", "st", "l", "k", "n")}
                state["p"] = "end"
            state.update(changes)
            return bp.dump(state)

    def plan_length(self, session_id: int | None = None, grade: int = 5) -> int:
        with self.app.test_request_context():
            session = db.session.get(ClassSession, session_id or self.session)
            state = bp.new_state(session, kiosk=False, lang="nl")
            pupil = bp.Pupil(state, session, svc.utcnow())
            bp.enter_questions(pupil, grade)
            return len(pupil.plan().questions)


def build_world(app: Flask) -> World:
    with app.app_context():
        school = f.school()
        school.settings.vertrouwenspersoon_name = "meester Joris"
        teacher = f.user(school, email="juf@example.org", name="juf Sanne")
        group = f.group(school, teachers=[teacher])
        combi = f.group(school, name="Groep 3/4", grades=(3, 4), teachers=[teacher])
        wave = f.wave(school)
        wave.teacher_feedback = False  # shorter questionnaires: the abuse is what is tested
        card_wave = f.wave(school, name="Voorjaar")
        card_wave.one_time_codes = True
        card_wave.teacher_feedback = False
        other_school = f.school("andere", "Andere school")
        other_group = f.group(other_school)
        other_wave = f.wave(other_school)
        db.session.commit()
        sessions = [svc.open_session(group=g, wave=w, user=None) for g, w in (
            (group, wave), (combi, wave), (group, card_wave), (other_group, other_wave))]
        db.session.commit()
        cards = svc.create_cards(wave=card_wave, group=group, count=2)
        db.session.commit()
        main, combined, carded, other = sessions
        world = World(app=app, code=main.code, session=main.id, pass_=svc.class_pass(main),
                      combi_code=combined.code, card_session=carded.id, cards=cards,
                      other_session=other.id, other_code=other.code,
                      teacher_email="juf@example.org")
        combi_id = combined.id
    world.tokens = {
        "welcome": world.seal(phase="w"),
        "grade": world.seal(combi_id, phase="g"),
        "question": world.seal(phase="s", answers="none", at_end=False),
        "done": world.seal(phase="s"),
        "end": world.seal(phase="end"),
        "card": world.seal(world.card_session, phase="c"),
    }
    return world


def random_code() -> str:
    return svc.new_code(svc.CLASS_CODE_LENGTH)


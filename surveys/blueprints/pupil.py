"""The pupil's questionnaire on a classroom tablet (DESIGN §6), under ``/k/``.

No login and no server-side state: the pupil's place in the questionnaire and the answers so far
travel between screens in a signed, short-lived token (a hidden form field), never in the
database, so nothing on the server ties a device to answers before they are submitted together at
the end through the responses service (``prepare`` then ``store``). Without JavaScript every
screen is a plain form; pupil.js adds one-tap answers, read-aloud, a retry queue for the final
submit and the kiosk reset.

Anonymity (DESIGN §4 P1-P3): these routes log nothing (the development server's request log
lines for ``/k/`` are dropped by a logging filter installed with the blueprint); the code a pupil
types is never stored with or beside a response; only the date is.

Bad input (DESIGN §9) gets a clear answer in the child's words and changes nothing: a posted
body must be a small url-encoded form (413 and 415 otherwise), a token must be genuine and of
the right shape, a tampered answer or grade keeps the pupil on the screen with a 422, an
unknown action gets a 400. Typed class codes go through the guessing budget of
``services.sessions`` (a 429 "wait a moment" screen); the QR code and kiosk tablets use the
session's unguessable pass instead.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import logging
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from weakref import WeakKeyDictionary

from cryptography.fernet import Fernet, InvalidToken
from flask import (
    Blueprint,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy import Engine, select
from sqlalchemy.orm import joinedload
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response as WerkzeugResponse

import instruments
from instruments import Instrument, Item
from surveys.database import begin_write
from surveys.extensions import csrf, db
from surveys.models import ClassSession, Group, GroupTeacher, SurveyWave
from surveys.pupil_texts import LANGUAGES, text
from surveys.services import sessions as svc
from surveys.services.responses import AnswerIn, SubmissionError, Target, prepare, store

PREFIX = "/k"
bp = Blueprint("pupil", __name__, url_prefix=PREFIX)
csrf.exempt(bp)  # no login here: the signed screen token is what makes a form genuine

#: How long a screen token is good for between two screens (a slow child, a long break).
STEP_MAX_AGE = 4 * 3600
#: How long a finished questionnaire waiting on a tablet (no network) can still be delivered.
SUBMIT_MAX_AGE = 7 * 24 * 3600
SPEECH_LANG = {"nl": "nl-NL", "en": "en-GB"}
SKIPPED = -1
#: The largest body a pupil screen posts: a token (at most 20,000 characters) and a few short
#: fields. The app-wide MAX_CONTENT_LENGTH is far larger, for the staff's CSV uploads.
PUPIL_MAX_BODY = 64 * 1024
FORM_TYPE = "application/x-www-form-urlencoded"
#: What each screen may ask of /k/step; anything else is a tampered form.
STEP_ACTIONS = {"c": {"next", "lang"}, "w": {"start", "next", "back", "lang"},
                "g": {"next", "back", "lang"}, "s": {"next", "skip", "back", "lang"}}
TALK_ACTIONS = {None, "yes", "no", "skip", "request"}

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; "
       "object-src 'none'")


# --- privacy of the request log ----------------------------------------------------------------


class DropPupilRequests(logging.Filter):
    """Drop request log lines of the pupil routes: they would hold an address, a time and a code.

    Werkzeug's development server logs every request with the client's address and the time; a
    line per pupil beside a response's date could tie answers to a tablet or to an order.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is not ours to judge
            return True
        return not any(mark in message for mark in (
            f" {PREFIX}/", f" {PREFIX} ", " /static/pupil."))


_FILTER = DropPupilRequests()


@bp.record_once
def _install_log_filter(_state: Any) -> None:
    logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, DropPupilRequests) for f in logger.filters):
        logger.addFilter(_FILTER)


@bp.before_request
def _only_small_forms() -> Any:
    """A pupil screen posts a small url-encoded form; anything else is refused before it is read.

    JSON, text and multipart bodies (with files or without) get a 415, a body over
    ``PUPIL_MAX_BODY`` a 413, each with a friendly page (or the queue's JSON), and nothing read.
    """
    request.max_content_length = current_app.config.get("PUPIL_MAX_CONTENT_LENGTH",
                                                        PUPIL_MAX_BODY)
    if request.content_length is not None and request.content_length > request.max_content_length:
        raise RequestEntityTooLarge
    has_body = bool(request.content_length) or "chunked" in request.headers.get(
        "Transfer-Encoding", "").lower()
    if request.method == "POST" and has_body and request.mimetype != FORM_TYPE:
        return _unreadable(415, "unreadable_text")
    return None


def _unreadable(status: int, key: str) -> Any:
    """A body we will not read: said in the language asked for in the address, or Dutch."""
    lang = request.args.get("lang") if request.args.get("lang") in LANGUAGES else "nl"
    if wants_json():
        return jsonify(ok=False, retry=False), status
    return render("message.html", lang=lang, status=status,
                  speech=text("oops_heading", lang) + ". " + text(key, lang),
                  heading=text("oops_heading", lang), body=text(key, lang),
                  link=url_for("pupil.start", lang=lang), link_text=text("start_again", lang))


@bp.errorhandler(413)
def _too_large(_error: Exception) -> Any:
    return _unreadable(413, "too_big_text")


@bp.after_request
def _headers(response: WerkzeugResponse) -> WerkzeugResponse:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# --- the screen token --------------------------------------------------------------------------


class StaleToken(Exception):
    """The token is missing, tampered with or too old: the pupil starts again."""


def _fernet() -> Fernet:
    """The key that seals pupil tokens, derived from the app's secret key.

    The token travels through the tablet (hidden fields, the offline queue), so it is
    encrypted as well as signed: nobody who picks up the tablet can read a child's answers from
    it, and nobody can change them.
    """
    secret = current_app.config["SECRET_KEY"].encode()
    key = hashlib.sha256(b"klasklimaat-pupil-token-v2\x00" + secret).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def dump(state: dict[str, Any]) -> str:
    return _fernet().encrypt(json.dumps(state, separators=(",", ":")).encode()).decode()


def load(token: str | None, max_age: int) -> tuple[dict[str, Any], dt.datetime]:
    """The state in a token and the moment it was sealed; StaleToken when it is not good."""
    if not token or len(token) > 20_000:
        raise StaleToken
    fernet = _fernet()
    try:
        raw = token.encode("ascii")
        state = json.loads(fernet.decrypt(raw, ttl=max_age))
        signed = dt.datetime.fromtimestamp(fernet.extract_timestamp(raw), tz=dt.UTC)
    except (InvalidToken, UnicodeEncodeError, ValueError):
        raise StaleToken from None
    if not well_formed(state):
        raise StaleToken
    return state, signed


def _is_int(value: object) -> bool:
    return type(value) is int  # not bool, not float


def well_formed(state: object) -> bool:
    """The token's state has the shape this code writes (a sealed token is genuine, but a
    token from another version, or a bug, must not reach the database as a 500)."""
    if not isinstance(state, dict) or not _is_int(state.get("v")) or state["v"] != 1:
        return False
    if not (_is_int(state.get("sid")) and _is_int(state.get("st"))
            and state.get("l") in LANGUAGES and state.get("k") in (0, 1)
            and _is_int(state.get("k")) and isinstance(state.get("n"), str)
            and 8 <= len(state["n"]) <= 100):
        return False
    phase = state.get("p")
    if phase == "end":
        return True
    if phase not in STEP_ACTIONS:
        return False
    answers = state.get("a")
    return ((state.get("g") is None or _is_int(state.get("g"))) and _is_int(state.get("i"))
            and (state.get("fp") is None or isinstance(state.get("fp"), str))
            and isinstance(answers, dict)
            and all(k.isascii() and k.isdigit() and _is_int(v) for k, v in answers.items())
            and (phase != "s" or _is_int(state.get("g"))))


# --- what a pupil is asked ---------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    instrument: Instrument
    item: Item
    part: int
    teacher: str | None


@dataclass(frozen=True)
class Screen:
    kind: str  # "intro", "teacher", "question", "done"
    question: int | None = None
    intro: str | None = None
    teacher: str | None = None


@dataclass
class Plan:
    questions: list[Question] = field(default_factory=list)
    screens: list[Screen] = field(default_factory=list)

    def fingerprint(self) -> str:
        parts = [f"{q.instrument.id}:{q.instrument.version}:{q.part}:{q.item.key}:{q.teacher}"
                 for q in self.questions]
        return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def instruments_for(wave: SurveyWave, group: Group, grade: int) -> list[Instrument]:
    if wave.instruments:
        chosen = [instruments.get(wi.instrument_id, wi.version)
                  for wi in wave.instruments_for_grade(grade)]
    else:
        chosen = list(instruments.for_grade(grade, teacher_feedback=True))
    if not wave.teacher_feedback or not group.teacher_links:
        chosen = [i for i in chosen if not i.is_teacher_feedback]
    return sorted(chosen, key=lambda i: i.is_teacher_feedback)  # safety first, stable


def build_plan(wave: SurveyWave, group: Group, grade: int, lang: str) -> Plan:
    plan = Plan()
    teachers = [t.display_name for t in group.teachers]
    for instrument in instruments_for(wave, group, grade):
        rounds = list(enumerate(teachers, start=1)) if instrument.is_teacher_feedback \
            else [(0, None)]
        for part, teacher in rounds:
            if teacher is not None:
                plan.screens.append(Screen("teacher", teacher=teacher))
            seen: set[str] = set()
            for item in instrument.items:
                if item.construct not in seen:
                    seen.add(item.construct)
                    intro = instrument.constructs[item.construct].intro_text(lang, leraar=teacher)
                    if intro:
                        plan.screens.append(Screen("intro", intro=intro, teacher=teacher))
                plan.screens.append(Screen("question", question=len(plan.questions),
                                           teacher=teacher))
                plan.questions.append(Question(instrument, item, part, teacher))
    plan.screens.append(Screen("done"))
    return plan


# --- context of one pupil ----------------------------------------------------------------------


@dataclass
class Pupil:
    state: dict[str, Any]
    session: ClassSession
    signed: dt.datetime

    @property
    def lang(self) -> str:
        return self.state.get("l") if self.state.get("l") in LANGUAGES else "nl"

    @property
    def started(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(int(self.state["st"]), dt.UTC)

    @property
    def group(self) -> Group:
        return self.session.group

    @property
    def wave(self) -> SurveyWave:
        return self.session.wave

    def plan(self) -> Plan:
        """The questionnaire for this pupil's grade and language, from the process's short-lived
        plan cache (DESIGN §8: a screen should not reload the wave's instruments and the group's
        teachers from the database for every tap)."""
        grade = int(self.state["g"])
        cache = _PLANS.setdefault(db.engine, {})
        key = (self.session.id, self.session.wave_id, self.session.group_id, grade, self.lang)
        now = time.monotonic()
        hit = cache.get(key)
        if hit is not None and now - hit[0] < PLAN_TTL:
            return hit[1]
        if len(cache) > PLAN_CACHE_SIZE:
            cache.clear()
        plan = build_plan(self.wave, self.group, grade, self.lang)
        cache[key] = (now, plan)
        return plan


def target_of(pupil: Pupil) -> Target:
    """What storing needs of the session's wave and group, cached like the plan."""
    cache = _TARGETS.setdefault(db.engine, {})
    key = (pupil.session.wave_id, pupil.session.group_id)
    now = time.monotonic()
    hit = cache.get(key)
    if hit is not None and now - hit[0] < PLAN_TTL:
        return hit[1]
    if len(cache) > PLAN_CACHE_SIZE:
        cache.clear()
    target = Target.of(pupil.wave, pupil.group)
    cache[key] = (now, target)
    return target


#: How long a worker reuses a built plan. A plan changes only when the group's teachers are
#: edited during a session (instruments are fixed once a wave has answers); such an edit
#: reaches every screen within this time.
PLAN_TTL = 30.0
PLAN_CACHE_SIZE = 5_000
_PLANS: WeakKeyDictionary[Engine, dict[tuple[int, int, int, int, str], tuple[float, Plan]]] = (
    WeakKeyDictionary())
_TARGETS: WeakKeyDictionary[Engine, dict[tuple[int, int], tuple[float, Target]]] = (
    WeakKeyDictionary())

#: What storing a questionnaire reads of its session, loaded in one go (a handful of queries,
#: not a lazy load per attribute): the wave with its instruments, the group with grades and
#: teachers. The screens in between read only the session's row and take the plan from the cache.
SESSION_LOAD = (
    joinedload(ClassSession.wave).selectinload(SurveyWave.instruments),
    joinedload(ClassSession.group).selectinload(Group.grade_links),
    joinedload(ClassSession.group).selectinload(Group.teacher_links)
    .joinedload(GroupTeacher.user),
)


def pupil_from(token: str | None, max_age: int = STEP_MAX_AGE) -> Pupil:
    state, signed = load(token, max_age)
    return pupil_of(state, signed)


def pupil_of(state: dict[str, Any], signed: dt.datetime, *, everything: bool = False) -> Pupil:
    """The pupil in ``state``: the session's row, or with ``everything`` its wave and group
    too (for storing the answers)."""
    sid = state.get("sid")
    if not isinstance(sid, int) or isinstance(sid, bool) or not isinstance(state.get("st"), int):
        raise StaleToken
    query = select(ClassSession).where(ClassSession.id == sid)
    session = db.session.scalars(query.options(*SESSION_LOAD) if everything else query).first()
    if session is None:
        raise StaleToken
    return Pupil(state, session, signed)


def new_state(session: ClassSession, *, kiosk: bool, lang: str) -> dict[str, Any]:
    needs_card = session.wave.one_time_codes
    # "n" is this questionnaire's submission id, made when the child starts and carried in
    # the signed token: a retry or a double tap sends the same id, and a replayed token can
    # never be stored twice (P3b). It is never stored, only a keyed hash of it.
    return {"v": 1, "sid": session.id, "st": int(time.time()), "l": lang, "k": int(kiosk),
            "p": "c" if needs_card else "w", "g": None, "i": 0, "a": {}, "fp": None,
            "n": secrets.token_urlsafe(18)}


def school_language(session: ClassSession) -> str:
    chosen = request.values.get("lang")
    if chosen in LANGUAGES:
        return chosen
    settings = svc.settings_of(svc.school_of(session.group))
    return settings.default_language if settings.default_language in LANGUAGES else "nl"


def kiosk_home(session: ClassSession) -> str:
    """Where a kiosk tablet returns after each pupil: the session's pass, not the typed code, so
    that a tablet which served its class once never waits for the guessing budget."""
    return url_for("pupil.kiosk", code=svc.class_pass(session))


def asked_lang() -> str:
    """The language the request asks for (a form field or the address), else Dutch."""
    chosen = request.values.get("lang")
    return chosen if chosen in LANGUAGES else "nl"


# --- rendering ---------------------------------------------------------------------------------


def render(template: str, *, lang: str, speech: str, status: int = 200, **context: Any,
           ) -> tuple[str, int]:
    def t(key: str, **values: object) -> str:
        return text(key, lang, **values)

    context.setdefault("kiosk_home", None)
    context.setdefault("notice", None)
    context.setdefault("young", False)
    context.setdefault("autoread", False)
    page = render_template(
        f"pupil/{template}", t=t, lang=lang, speech=speech,
        speech_lang=SPEECH_LANG[lang], other_lang="en" if lang == "nl" else "nl",
        idle_seconds=current_app.config.get("PUPIL_IDLE_SECONDS", 180),
        reset_seconds=current_app.config.get("KIOSK_RESET_SECONDS", 15),
        retry_ms=current_app.config.get("PUPIL_RETRY_MS", 1000),
        advance_ms=current_app.config.get("PUPIL_ADVANCE_MS", 250),
        **context,
    )
    return page, status


def stale(lang: str = "nl", status: int = 400) -> tuple[str, int]:
    return render("message.html", lang=lang, status=status,
                  speech=text("stale_heading", lang) + ". " + text("stale_text", lang),
                  heading=text("stale_heading", lang), body=text("stale_text", lang),
                  link=url_for("pupil.start"), link_text=text("start_again", lang))


def closed(lang: str = "nl", status: int = 410) -> tuple[str, int]:
    return render("message.html", lang=lang, status=status,
                  speech=text("closed_heading", lang) + ". " + text("closed_text", lang),
                  heading=text("closed_heading", lang), body=text("closed_text", lang),
                  link=url_for("pupil.start"), link_text=text("to_start", lang))


def wait_screen(lang: str, seconds: int, *, code: str | None, kiosk: bool) -> Any:
    """The guessing budget (or this code's own limit) is spent: "wait a moment, then try
    again", and a word about the QR code, which works straight away."""
    heading, body, tip = (text("wait_heading", lang), text("code_too_many", lang),
                          text("wait_qr", lang))
    other = "en" if lang == "nl" else "nl"
    if request.method == "POST":
        retry_url, lang_url = None, url_for("pupil.start", lang=other)
    else:
        endpoint = "pupil.kiosk" if kiosk else "pupil.link"
        retry_url = url_for(endpoint, code=code, lang=lang)
        lang_url = url_for(endpoint, code=code, lang=other)
    page, status = render("wait.html", lang=lang, status=429, speech=f"{heading}. {body} {tip}",
                          heading=heading, body=body, tip=tip, retry_url=retry_url,
                          retry_code=code, lang_url=lang_url)
    return page, status, {"Retry-After": str(seconds)}


def keypad_screen(*, lang: str, card: bool, value: str = "", error: str | None = None,
                  token: str | None = None, status: int = 200) -> tuple[str, int]:
    heading = text("card_heading" if card else "code_heading", lang)
    help_text = text("card_help" if card else "code_help", lang)
    return render("code.html", lang=lang, status=status, speech=f"{heading}. {help_text}",
                  heading=heading, help_text=help_text, value=value, error=error, token=token,
                  card=card, keys=sorted(svc.CODE_ALPHABET, key=lambda c: (c.isdigit(), c)),
                  length=svc.CARD_CODE_LENGTH if card else svc.CLASS_CODE_LENGTH,
                  label=text("card_label" if card else "code_label", lang),
                  action=url_for("pupil.step") if card else url_for("pupil.start"))


def progress_text(lang: str, remaining: int, total: int) -> str:
    if remaining <= 0:
        return text("progress_none", lang)
    if remaining == 1:
        return text("progress_one", lang)
    if remaining < total / 2:
        return text("progress_half", lang, n=remaining)
    return text("progress_many", lang, n=remaining)


def show(pupil: Pupil, *, notice: str | None = None, status: int = 200) -> tuple[str, int]:
    """Render the screen the pupil's state points at, with a freshly signed token.

    ``notice`` is a line shown above the screen (a tampered form); ``status`` its HTTP status.
    """
    state, lang = pupil.state, pupil.lang
    kiosk = kiosk_home(pupil.session) if state.get("k") else None
    common: dict[str, Any] = {"kiosk_home": kiosk, "notice": notice, "status": status}
    phase = state["p"]
    if phase == "c":
        typed, error = state.pop("typed", ""), state.pop("err", None)
        return keypad_screen(lang=lang, card=True, token=dump(state), value=typed,
                             error=error or notice, status=status)
    if phase == "w":
        paragraphs = [text(f"welcome_{n}", lang) for n in (1, 2, 3, 4)]
        speech = " ".join([text("welcome_heading", lang) + ".", *paragraphs])
        young = min(pupil.group.grades) <= 4
        return render("welcome.html", lang=lang, speech=speech, token=dump(state),
                      paragraphs=paragraphs, young=young, **common)
    if phase == "g":
        grades = pupil.group.grades
        speech = text("grade_heading", lang) + " " + ", ".join(
            text("grade_option", lang, grade=g) for g in grades)
        return render("grade.html", lang=lang, speech=speech, token=dump(state), grades=grades,
                      young=min(grades) <= 4, **common)
    plan = pupil.plan()
    if state.get("fp") != plan.fingerprint():
        raise StaleToken
    index = max(0, min(int(state["i"]), len(plan.screens) - 1))
    state["i"] = index
    screen = plan.screens[index]
    grade = int(state["g"])
    young = grade <= 4
    total = len(plan.questions)
    answered_before = sum(1 for s in plan.screens[:index] if s.kind == "question")
    remaining = total - answered_before
    common.update(young=young, autoread=young, progress_value=answered_before,
                  progress_max=max(total, 1), progress_text=progress_text(lang, remaining, total))
    if screen.kind == "teacher":
        heading = text("teacher_heading", lang, leraar=screen.teacher)
        body = text("teacher_text", lang, leraar=screen.teacher)
        return render("intro.html", lang=lang, speech=f"{heading}. {body}", token=dump(state),
                      heading=heading, body=body, teacher=True, **common)
    if screen.kind == "intro":
        heading = text("intro_heading", lang)
        return render("intro.html", lang=lang, speech=screen.intro or "", token=dump(state),
                      heading=heading, body=screen.intro, teacher=False, **common)
    if screen.kind == "done":
        speech = text("done_heading", lang) + " " + text("done_text", lang)
        return render("done.html", lang=lang, speech=speech, token=dump(state), **common)
    question = plan.questions[screen.question or 0]
    item, instrument = question.item, question.instrument
    scale = instrument.scales[item.scale]
    words = item.render(lang, leraar=question.teacher)
    spoken = item.render(lang, leraar=question.teacher, spoken=True)
    options = [{"value": value, "label": label, "face": face,
                "spoken": scale.spoken_label(value, lang)}
               for value, label, face in scale.options(lang)]
    speech = spoken + " " + ". ".join(o["spoken"] for o in options) + "."
    chosen = state["a"].get(str(screen.question))
    return render("question.html", lang=lang, speech=speech, token=dump(state),
                  question_text=words, options=options, chosen=chosen,
                  n_options=len(options), **common)


# --- routes ------------------------------------------------------------------------------------


def join(raw: str, *, kiosk: bool) -> Any:
    """Into a class session by a typed code or by the session's pass (QR code, kiosk home)."""
    lang = asked_lang()
    entry = svc.enter(raw)
    by_pass = svc.is_class_pass(raw)
    code = "" if by_pass else svc.normalise_code(raw)[:svc.CLASS_CODE_LENGTH]
    if entry.outcome == "wait":
        return wait_screen(lang, entry.wait, code=code, kiosk=kiosk)
    if entry.outcome == "closed":
        return closed(lang)
    session = entry.session
    if session is None:
        return keypad_screen(lang=lang, card=False, value=code, status=404,
                             error=text("pass_unknown" if by_pass else "code_unknown", lang))
    lang = school_language(session)
    state = new_state(session, kiosk=kiosk, lang=lang)
    return show(Pupil(state, session, svc.utcnow()))


@bp.route("/", methods=["GET", "POST"])
def start() -> tuple[str, int]:
    """The code keypad. Without JavaScript each key is a submit button that adds a letter."""
    lang = asked_lang()
    if request.method == "GET":
        return keypad_screen(lang=lang, card=False)
    typed = svc.normalise_code(request.form.get("code"))[:svc.CLASS_CODE_LENGTH + 2]
    key = request.form.get("key", "go")
    if key == "del":
        return keypad_screen(lang=lang, card=False, value=typed[:-1])
    if len(key) == 1 and key in svc.CODE_ALPHABET:
        return keypad_screen(lang=lang, card=False, value=(typed + key)[:svc.CLASS_CODE_LENGTH])
    if key != "go":
        return keypad_screen(lang=lang, card=False, value=typed[:svc.CLASS_CODE_LENGTH],
                             error=text("try_again_text", lang), status=400)
    return join(typed, kiosk=False)


@bp.get("/<code>")
def link(code: str) -> Any:
    """The QR code's target: the session's pass (or a typed class code) in the address."""
    return join(code, kiosk=False)


@bp.get("/kiosk/<code>")
def kiosk(code: str) -> Any:
    """A classroom tablet shared by the class: returns here, by the pass, after each pupil."""
    return join(code, kiosk=True)


@bp.post("/step")
def step() -> tuple[str, int]:
    """Every move between screens: answer, skip, back, next, grade, language, card code."""
    lang = request.form.get("lang") if request.form.get("lang") in LANGUAGES else "nl"
    try:
        pupil = pupil_from(request.form.get("t"))
    except StaleToken:
        return stale(lang)
    state = pupil.state
    if state["p"] not in STEP_ACTIONS:  # the token of another screen (the end)
        return stale(pupil.lang)
    if not svc.may_continue(pupil.session, pupil.started):
        return closed(pupil.lang)
    do = request.form.get("do", "next")
    try:
        if do not in STEP_ACTIONS[state["p"]]:
            return show(pupil, notice=text("try_again_text", pupil.lang), status=400)
        if do == "lang":
            state["l"] = "en" if pupil.lang == "nl" else "nl"
            if state["p"] == "c":
                state["typed"] = svc.normalise_code(request.form.get("code"))
            return show(pupil)
        phase = state["p"]
        if phase == "c":
            return card_step(pupil, do)
        if phase == "w":
            if do != "back":
                grades = pupil.group.grades
                if len(grades) > 1:
                    state["p"] = "g"
                else:
                    enter_questions(pupil, grades[0])
        elif phase == "g":
            if do == "back":
                state["p"] = "w"
            else:
                grade = _int(request.form.get("grade"))
                if grade not in pupil.group.grades:
                    return show(pupil, notice=text("pick_a_grade", pupil.lang), status=422)
                enter_questions(pupil, grade)
        elif not move(pupil, do):
            return show(pupil, notice=text("pick_an_answer", pupil.lang), status=422)
        return show(pupil)
    except StaleToken:
        return stale(pupil.lang)


def _int(value: str | None) -> int | None:
    """A whole number as a form sends it: ASCII digits with an optional minus, nothing else
    (no spaces, no "٣" or "３" that Python's int() would also take)."""
    if value is None or not 1 <= len(value) <= 4:
        return None
    digits = value[1:] if value.startswith("-") else value
    return int(value) if digits.isascii() and digits.isdigit() else None


def enter_questions(pupil: Pupil, grade: int) -> None:
    state = pupil.state
    if state.get("g") != grade:
        state["a"] = {}
    state.update(p="s", g=grade, i=0)
    state["fp"] = pupil.plan().fingerprint()


def move(pupil: Pupil, do: str) -> bool:
    """Apply ``do`` on a question screen; False (nothing changed) for a tampered answer."""
    state = pupil.state
    plan = pupil.plan()
    if state.get("fp") != plan.fingerprint():
        raise StaleToken
    index = max(0, min(int(state["i"]), len(plan.screens) - 1))
    screen = plan.screens[index]
    if do == "back":
        if index == 0:
            state["p"] = "g" if len(pupil.group.grades) > 1 else "w"
        else:
            state["i"] = index - 1
        return True
    if screen.kind == "question":
        key = str(screen.question)
        question = plan.questions[screen.question or 0]
        scale = question.instrument.scales[question.item.scale]
        value = _int(request.form.get("answer"))
        if do == "skip":
            state["a"][key] = SKIPPED
        elif value is not None and value in scale.values:
            state["a"][key] = value
        elif request.form.get("answer") is not None:
            return False  # a tampered value: stay on this screen
    state["i"] = min(index + 1, len(plan.screens) - 1)
    return True


def card_step(pupil: Pupil, do: str) -> tuple[str, int]:
    state, lang = pupil.state, pupil.lang
    typed = svc.normalise_code(request.form.get("code"))
    key = request.form.get("key", "go")
    if key == "del":
        state["typed"] = typed[:-1]
        return show(pupil)
    if len(key) == 1 and key in svc.CODE_ALPHABET:
        state["typed"] = (typed + key)[:svc.CARD_CODE_LENGTH]
        return show(pupil)
    if key != "go":
        state["typed"] = typed[:svc.CARD_CODE_LENGTH]
        return show(pupil, notice=text("try_again_text", lang), status=400)
    if svc.card_guessing_wait(pupil.session.id) or not svc.attempt_allowed("card", typed):
        state.update(typed=typed, err=text("code_too_many", lang))
        return show(pupil, status=429)
    if not svc.redeem_card(wave_id=pupil.session.wave_id, group_id=pupil.session.group_id,
                           code=typed):
        if svc.is_well_formed(typed, svc.CARD_CODE_LENGTH):
            svc.count_failed_card(pupil.session.id)
        state.update(typed=typed, err=text("card_used", lang))
        return show(pupil, status=422)
    state["p"] = "w"
    return show(pupil)


def wants_json() -> bool:
    return request.headers.get("X-Klasklimaat") == "fetch"


@bp.post("/send")
def send() -> Any:
    """Store the finished questionnaire, once, however often the tablet sends it (P3b)."""
    lang = asked_lang()
    try:
        state, signed = load(request.form.get("t"), max_age=SUBMIT_MAX_AGE)
        pupil = pupil_of(state, signed)
        lang = pupil.lang
        state = pupil.state
        if state.get("p") != "s" or state.get("g") is None:
            raise StaleToken
        plan = pupil.plan()
        if state.get("fp") != plan.fingerprint():
            raise StaleToken
        if state["i"] != len(plan.screens) - 1:  # only the done screen sends (its token)
            raise StaleToken
    except StaleToken:
        return _refuse(stale(lang))
    session = pupil.session
    end = svc.session_end(session)
    # Finished in time: started before the session ended, and the last screen was reached
    # within the grace period (the token's own signing time), however late it arrives.
    if pupil.started >= end or pupil.signed > end + svc.grace():
        return _refuse(closed(lang))
    if pupil.wave.status != "open":
        return _refuse(closed(lang))
    submission_id = state.get("n")
    if not isinstance(submission_id, str) or not 8 <= len(submission_id) <= 100:
        return _refuse(stale(lang))
    answers = []
    for index, question in enumerate(plan.questions):
        value = state["a"].get(str(index))
        answers.append(AnswerIn(question.instrument.id, question.instrument.version,
                                question.item.key,
                                None if value in (None, SKIPPED) else int(value),
                                question.part))
    try:
        prepared = prepare(target_of(pupil), int(state["g"]), answers)
    except SubmissionError:
        return _refuse(stale(lang))
    # Everything is read, checked and scored: only now the write transaction (on SQLite the
    # write lock), held for the inserts and the commit alone.
    session_id = session.id
    begin_write()
    stored = store(prepared, submission_id)
    if stored is not None:
        svc.count_finished(session_id)
    db.session.commit()
    after = dump({"v": 1, "sid": session_id, "st": state["st"], "l": lang,
                  "k": state.get("k", 0), "p": "end", "n": submission_id})
    target = url_for("pupil.talk", t=after)
    if wants_json():
        return jsonify(ok=True, next=target)
    return redirect(target, code=303)


def _refuse(page: tuple[str, int]) -> Any:
    """A submission that can never succeed: a friendly page, or JSON the queue can act on."""
    db.session.rollback()  # end send()'s transaction at once
    if wants_json():
        return jsonify(ok=False, retry=False), 422
    return page[0], 422


def end_pupil(token: str | None) -> Pupil:
    pupil = pupil_from(token, max_age=STEP_MAX_AGE)
    if pupil.state.get("p") != "end":
        raise StaleToken
    override = request.values.get("lang")
    if override in LANGUAGES:
        pupil.state["l"] = override
    return pupil


@bp.route("/talk", methods=["GET", "POST"])
def talk() -> tuple[str, int]:
    """"Do you want to talk to someone?" and the conversation request, apart from answers (P6)."""
    try:
        pupil = end_pupil(request.values.get("t"))
    except StaleToken:
        return stale(asked_lang())
    lang = pupil.lang
    token = dump(pupil.state)
    school = svc.school_of(pupil.group)
    person = svc.vertrouwenspersoon(school)
    kiosk = kiosk_home(pupil.session) if pupil.state.get("k") else None
    do = request.form.get("do") if request.method == "POST" else None
    if do not in TALK_ACTIONS:
        speech = text("talk_heading", lang) + " " + text("talk_text", lang)
        return render("talk.html", lang=lang, speech=speech, token=token, kiosk_home=kiosk,
                      notice=text("try_again_text", lang), status=400)
    if do in ("no", "skip"):
        return thanks_page(pupil, requested=False)
    if do in ("yes", "request"):
        error = None
        first_name = svc.clean_text(request.form.get("first_name"))
        group_label = svc.clean_text(request.form.get("group_label")) or pupil.group.name
        if do == "request":
            if first_name:
                # One request per finished questionnaire: a replayed page adds nothing.
                if svc.claim_conversation(pupil.wave.id, pupil.state.get("n")):
                    svc.request_conversation(school_id=school.id, group_id=pupil.group.id,
                                             first_name=first_name, group_label=group_label)
                db.session.commit()
                return thanks_page(pupil, requested=True)
            error = text("name_needed", lang)
        heading = (text("vp_heading", lang, name=person.name) if person.name
                   else text("vp_heading_unknown", lang))
        speech = " ".join([heading + ".", text("vp_role", lang),
                           text("vp_contact", lang, name=person.name) + " " + person.contact
                           if person.contact else text("vp_ask_teacher", lang),
                           text("vp_form", lang)])
        return render("vertrouwenspersoon.html", lang=lang, speech=speech, token=token,
                      heading=heading, person=person, first_name=first_name,
                      group_label=group_label, error=error, kiosk_home=kiosk,
                      status=422 if error else 200)
    speech = text("talk_heading", lang) + " " + text("talk_text", lang)
    return render("talk.html", lang=lang, speech=speech, token=token, kiosk_home=kiosk)


def thanks_page(pupil: Pupil, *, requested: bool) -> tuple[str, int]:
    lang = pupil.lang
    kiosk = kiosk_home(pupil.session) if pupil.state.get("k") else None
    lines = [text("thanks_text", lang)]
    if requested:
        lines.insert(0, text("request_done", lang))
    if kiosk:
        lines.append(text("thanks_kiosk", lang))
    speech = text("thanks_heading", lang) + ". " + " ".join(lines)
    return render("thanks.html", lang=lang, speech=speech, lines=lines, kiosk_home=kiosk,
                  kiosk_reset=bool(kiosk), token=dump(pupil.state))


@bp.before_app_request
def _unrouted_pupil_paths() -> Any:
    """An address under /k/ that matches no pupil route (or not with this method) gets the
    pupil's own friendly page, not the staff error page: blueprint error handlers never see
    routing errors, so they are caught here, before the app would raise them."""
    error = request.routing_exception
    if error is None or not (request.path == PREFIX or request.path.startswith(PREFIX + "/")):
        return None
    status = getattr(error, "code", None)
    if status not in (404, 405):
        return None  # a redirect (/k to /k/) goes ahead
    lang = request.args.get("lang") if request.args.get("lang") in LANGUAGES else "nl"
    page, status = stale(lang, status=status)
    return page, status, {"Content-Security-Policy": CSP, "Cache-Control": "no-store"}


@bp.errorhandler(404)
def _not_found(_error: Exception) -> tuple[str, int]:
    return stale(asked_lang(), status=404)


@bp.errorhandler(405)
def _bad_method(_error: Exception) -> tuple[str, int]:
    return stale(asked_lang(), status=405)

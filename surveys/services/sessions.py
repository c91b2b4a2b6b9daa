"""Class sessions, one-time codes and conversation requests: the use cases behind the tablet.

A class session is what a teacher starts for one group in an open wave: a six-character class code
(no look-alike characters) that pupils type on a tablet. It ends at the close button or by itself
at the end of the school day; a pupil who started before the end may finish within a grace period.

Nothing here links a pupil, a device or a code to a response (DESIGN §4 P1-P3): the session only
counts finished questionnaires, one-time codes are stored hashed with a ``used`` flag (no time, no
reference to a response), and a conversation request is stored on its own (P6).

How a guessing run against class codes is slowed down
-----------------------------------------------------
A class code is short so that a seven-year-old can type it: 18 characters, six places, 34 million
codes. The per-code limit (``CLASS_CODE_LIMIT``) stops anyone hammering one code, but a run that
tries a *different* code each time is not slowed by it at all, and limiting per address is
forbidden (P3: a whole school sits behind one address). So there are two ways into a session:

- **The typed code** (``/k/`` keypad, ``/k/<code>``, ``/k/kiosk/<code>``) goes through one
  instance-wide budget of *failed* lookups: ``CODE_GUESS_BUDGET`` (30 in any moving 60 seconds,
  app setting ``PUPIL_CODE_GUESS_BUDGET``). A code that is found costs nothing; a well-formed code
  that matches no open session costs one; a malformed code (wrong length, a look-alike letter) is
  refused without a database lookup and costs nothing, since its answer is the same whatever is
  open. When the budget is spent, every typed lookup answers 429 with a friendly "wait a moment"
  screen *without* being evaluated, until the oldest failure leaves the window. A guessing run
  therefore learns at most 30 answers a minute: 12,600 in a seven-hour school day, which finds
  one of 4 open sessions with a chance of about 1 in 700 per day (without the budget, one client
  at 100 lookups a second would find one about every three school days).
- **The class pass** (``class_pass``): an HMAC of the session, keyed by the app's secret (132
  bits, unguessable). The QR code on the board, the kiosk link's QR code and the kiosk tablet's
  way home after each pupil all carry it, as ``/k/<pass>`` and ``/k/kiosk/<pass>``. Its keyed
  hash is checked before the database is asked, and it never goes through the budget, so a
  class that scans, and every kiosk tablet that has served its class once, keeps working during
  a run. It is as public as the code on the board and dies with the session (a closed
  session's pass shows "this questionnaire is closed"). Pupils who are already answering hold a
  sealed token and never look up a code again.
- **One-time card codes** (eight characters, typed after the class code) get the same kind of
  budget, per class session: ``CARD_GUESS_BUDGET`` failed cards in any moving minute
  (``PUPIL_CARD_GUESS_BUDGET``), then "wait a moment" for that class only. Cards are only
  tried by someone already inside a session, and a class does not mistype thirty cards a minute.

The trade-off: while a run goes on, pupils who *type* a code wait too (the budget cannot tell a
guesser from a child who mistyped, without the address we may not use), so a run can keep the
keypad shut for everyone on the instance; the wait screen sends them to the QR code, and the
teacher's page offers QR codes for both the class and the kiosk link. Thirty mistyped codes a
minute is far more than one school's classes produce; an instance serving many schools at once
should raise ``PUPIL_CODE_GUESS_BUDGET`` (and so accept proportionally more guesses). The budget
lives in the limiter storage (``RATELIMIT_STORAGE_URI``): ``memory://`` counts per worker
process, so with gunicorn's ``-w 4`` a run gets four budgets; point it at redis to share one.
Check and count are two steps, so concurrent failures can overshoot the budget by the number of
requests in flight.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import math
import re
import secrets
import time
import unicodedata
from dataclasses import dataclass

from flask import current_app
from limits import parse as parse_limit
from limits.storage import MovingWindowSupport
from limits.strategies import MovingWindowRateLimiter, RateLimiter
from sqlalchemy import bindparam, select, update

from surveys.database import begin_write
from surveys.extensions import db, limiter
from surveys.models import (
    ClassSession,
    ConversationRequest,
    Group,
    OneTimeCode,
    School,
    SchoolSettings,
    SchoolYear,
    SurveyWave,
    User,
)
from surveys.services.responses import SCHOOL_TIMEZONE, school_today

#: Letters and digits that cannot be mistaken for one another on a tablet screen or a printed
#: card: no 0/O/Q/D, 1/I/L/J, 5/S, 2/Z, 8/B, 6/G, U/V (18 characters, 34 million class codes).
CODE_ALPHABET = "ACEFHKMNPRTWXY3479"
CLASS_CODE_LENGTH = 6
CARD_CODE_LENGTH = 8
#: A pupil who started before the session ended may finish within this many minutes.
DEFAULT_GRACE_MINUTES = 30
#: Attempts per code (never per address: a whole school sits behind one, DESIGN §4 P3).
CLASS_CODE_LIMIT = "120/minute"
CARD_CODE_LIMIT = "10/minute"
#: Failed class-code lookups the whole instance allows in a moving window (see the module text).
CODE_GUESS_BUDGET = "30/minute"
#: Failed card codes one class session allows in a moving window (see the module text).
CARD_GUESS_BUDGET = "30/minute"
MAX_CARDS = 60


class SessionError(ValueError):
    """A session cannot be opened or used as asked; the message says why."""


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def aware(moment: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes; every stored moment is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


# --- codes -------------------------------------------------------------------------------------


def normalise_code(raw: str | None) -> str:
    """Upper-case, without spaces and dashes."""
    return "".join(ch for ch in (raw or "").upper() if ch.isascii() and ch.isalnum())[:16]


def new_code(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def is_well_formed(code: str, length: int) -> bool:
    return len(code) == length and all(ch in CODE_ALPHABET for ch in code)


def format_card_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def card_hash(code: str) -> str:
    """A keyed hash of a card code: a stolen database does not reveal the cards."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"card:{code}".encode(), hashlib.sha256).hexdigest()


def _throttling() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED", True))


def attempt_allowed(kind: str, code: str) -> bool:
    """Count one attempt at ``code``; False when this code was tried too often (per code only)."""
    if not _throttling():
        return True
    limit = parse_limit(CLASS_CODE_LIMIT if kind == "class" else CARD_CODE_LIMIT)
    return bool(limiter.limiter.hit(limit, "pupil-code", kind, code))


# --- the instance-wide budget of failed class-code lookups -------------------------------------

def _budget(setting: str, default: str) -> tuple[RateLimiter, object]:
    """The moving-window limiter over the configured storage, and the budget."""
    budget = parse_limit(current_app.config.get(setting, default))
    storage = limiter.storage
    strategy = (MovingWindowRateLimiter(storage) if isinstance(storage, MovingWindowSupport)
                else limiter.limiter)  # a storage without moving windows: fixed windows
    return strategy, budget


def _wait(setting: str, default: str, *key: str) -> int:
    if not _throttling():
        return 0
    strategy, budget = _budget(setting, default)
    if strategy.test(budget, *key):  # type: ignore[arg-type]
        return 0
    reset = strategy.get_window_stats(budget, *key).reset_time  # type: ignore[arg-type]
    return max(1, math.ceil(reset - time.time()))


def _spend(setting: str, default: str, *key: str) -> None:
    if _throttling():
        strategy, budget = _budget(setting, default)
        strategy.hit(budget, *key)  # type: ignore[arg-type]


def guessing_wait() -> int:
    """0 while typed codes may be looked up; else the seconds until the budget has room again."""
    return _wait("PUPIL_CODE_GUESS_BUDGET", CODE_GUESS_BUDGET, "pupil-code-guess", "instance")


def count_failed_lookup() -> None:
    """Spend one unit of the budget: a well-formed code matched no open session."""
    _spend("PUPIL_CODE_GUESS_BUDGET", CODE_GUESS_BUDGET, "pupil-code-guess", "instance")


def card_guessing_wait(session_id: int) -> int:
    """Like ``guessing_wait``, for the card codes typed in one class session."""
    return _wait("PUPIL_CARD_GUESS_BUDGET", CARD_GUESS_BUDGET, "pupil-card-guess",
                 str(session_id))


def count_failed_card(session_id: int) -> None:
    _spend("PUPIL_CARD_GUESS_BUDGET", CARD_GUESS_BUDGET, "pupil-card-guess", str(session_id))


# --- the class pass: the QR code's and the kiosk's way in --------------------------------------

_PASS = re.compile(r"([1-9][0-9]{0,17})\.([A-Za-z0-9_-]{22})")


def _pass_mac(session_id: int) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"klasklimaat-class-pass-v1:{session_id}".encode(),
                      hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:16]).decode().rstrip("=")


def class_pass(session: ClassSession) -> str:
    """An unguessable name of ``session`` for links and QR codes: ``<id>.<keyed hash>``."""
    return f"{session.id}.{_pass_mac(session.id)}"


def is_class_pass(raw: str | None) -> bool:
    return bool(raw) and _PASS.fullmatch(raw or "") is not None


def session_for_pass(raw: str) -> ClassSession | None:
    """The session a pass names (open or not), or None for a pass that is not genuine.

    The keyed hash is checked before the database is asked, so forged passes cost nothing.
    """
    match = _PASS.fullmatch(raw)
    if match is None or not hmac.compare_digest(match.group(2), _pass_mac(int(match.group(1)))):
        return None
    return db.session.get(ClassSession, int(match.group(1)))


@dataclass(frozen=True)
class Entry:
    """What a tablet's way into a class session led to.

    ``outcome`` is "open" (``session`` is set), "closed" (a genuine pass of a session that has
    ended), "unknown" (no open session), or "wait" (the guessing budget is spent; ``wait``
    seconds until it has room).
    """

    outcome: str
    session: ClassSession | None = None
    wait: int = 0


def enter(raw: str | None) -> Entry:
    """Find the session a typed class code or a class pass names (see the module text)."""
    if is_class_pass(raw):
        session = session_for_pass(raw or "")
        if session is None:
            return Entry("unknown")
        return Entry("open" if session_is_open(session) else "closed", session)
    code = normalise_code(raw)
    if not is_well_formed(code, CLASS_CODE_LENGTH):
        return Entry("unknown")  # answered the same whatever is open: no lookup, no cost
    wait = guessing_wait()
    if wait:
        return Entry("wait", wait=wait)
    if not attempt_allowed("class", code):
        return Entry("wait", wait=60)
    session = find_session(code)
    if session is None:
        count_failed_lookup()
        return Entry("unknown")
    return Entry("open", session)


# --- sessions ----------------------------------------------------------------------------------


def school_of(group: Group) -> School:
    return group.school_year.school


def settings_of(school: School) -> SchoolSettings:
    if school.settings is None:
        school.settings = SchoolSettings()
        db.session.flush()
    return school.settings


def end_of_school_day(group: Group, now: dt.datetime | None = None) -> dt.datetime:
    """When a session started now ends: the school's end of day (Europe/Amsterdam), or an hour
    from now when the school day is (nearly) over already (a session after hours)."""
    now = now or utcnow()
    local_now = now.astimezone(SCHOOL_TIMEZONE)
    ends = settings_of(school_of(group)).school_day_ends
    end = dt.datetime.combine(local_now.date(), ends, tzinfo=SCHOOL_TIMEZONE)
    if end <= local_now + dt.timedelta(minutes=30):
        end = local_now + dt.timedelta(hours=1)
    return end.astimezone(dt.UTC)


def open_waves(group: Group) -> list[SurveyWave]:
    return list(db.session.scalars(
        select(SurveyWave)
        .where(SurveyWave.school_year_id == group.school_year_id, SurveyWave.status == "open")
        .order_by(SurveyWave.starts_on, SurveyWave.id)
    ))


def session_is_open(session: ClassSession, now: dt.datetime | None = None) -> bool:
    now = now or utcnow()
    return session.closed_at is None and now < aware(session.ends_at)


def session_end(session: ClassSession) -> dt.datetime:
    """The moment the session stopped (or will stop) admitting new pupils."""
    end = aware(session.ends_at)
    if session.closed_at is not None:
        end = min(end, aware(session.closed_at))
    return end


def grace() -> dt.timedelta:
    return dt.timedelta(minutes=current_app.config.get("PUPIL_GRACE_MINUTES",
                                                       DEFAULT_GRACE_MINUTES))


def may_continue(session: ClassSession, started: dt.datetime,
                 now: dt.datetime | None = None) -> bool:
    """A pupil who started at ``started`` may still move on: the session is open, or it ended
    after they started and the grace period has not run out."""
    now = now or utcnow()
    if session_is_open(session, now):
        return True
    end = session_end(session)
    return started < end and now < end + grace()


def open_session(*, group: Group, wave: SurveyWave, user: User | None,
                 now: dt.datetime | None = None) -> ClassSession:
    """Start (or return the already open) session of ``group`` in ``wave``; the caller commits."""
    begin_write()
    now = now or utcnow()
    if wave.status != "open":
        raise SessionError("this wave is not open")
    if wave.school_year_id != group.school_year_id:
        raise SessionError("this wave belongs to another school year than the group")
    if not group.grades:
        raise SessionError("this group has no grade levels")
    for existing in db.session.scalars(select(ClassSession).where(
            ClassSession.group_id == group.id, ClassSession.wave_id == wave.id,
            ClassSession.closed_at.is_(None))):
        if session_is_open(existing, now):
            return existing
    code = _unused_class_code(now)
    session = ClassSession(wave_id=wave.id, group_id=group.id,
                           started_by_id=user.id if user else None, code=code,
                           opened_at=now, ends_at=end_of_school_day(group, now))
    db.session.add(session)
    db.session.flush()
    return session


def _unused_class_code(now: dt.datetime) -> str:
    for _ in range(50):
        code = new_code(CLASS_CODE_LENGTH)
        clash = db.session.scalars(select(ClassSession).where(ClassSession.code == code))
        if not any(session_is_open(s, now) or may_continue(s, now - grace(), now)
                   for s in clash):
            return code
    raise SessionError("no free class code found; try again")  # pragma: no cover


def close_session(session: ClassSession, now: dt.datetime | None = None) -> None:
    begin_write()
    db.session.refresh(session)
    if session.closed_at is None:
        session.closed_at = now or utcnow()


def find_session(code: str, now: dt.datetime | None = None) -> ClassSession | None:
    """The open session with this class code, or None."""
    if not is_well_formed(code, CLASS_CODE_LENGTH):
        return None
    now = now or utcnow()
    for session in db.session.scalars(select(ClassSession).where(ClassSession.code == code)
                                      .order_by(ClassSession.id.desc())):
        if session_is_open(session, now):
            return session
    return None


def count_finished(session_id: int) -> None:
    """One more finished questionnaire in this session (a counter, nothing else)."""
    table = ClassSession.__table__
    db.session.execute(table.update().where(table.c.id == bindparam("session"))
                       .values(finished_count=table.c.finished_count + 1),
                       {"session": session_id})


def sessions_for(user: User, groups: list[Group]) -> list[ClassSession]:
    ids = [g.id for g in groups]
    if not ids:
        return []
    return list(db.session.scalars(select(ClassSession).where(ClassSession.group_id.in_(ids))
                                   .order_by(ClassSession.opened_at.desc()).limit(30)))


def groups_for(user: User) -> list[Group]:
    """The groups this user may run sessions for, in the school years that have an open wave."""
    from surveys.permissions import may_run_sessions, school_ids

    ids = school_ids(user)
    query = (select(Group).join(SchoolYear, Group.school_year_id == SchoolYear.id)
             .where(SchoolYear.id.in_(select(SurveyWave.school_year_id)
                                      .where(SurveyWave.status == "open")))
             .order_by(Group.name))
    if ids is not None:
        query = query.where(SchoolYear.school_id.in_(ids))
    return [g for g in db.session.scalars(query) if may_run_sessions(user, g)]


# --- one-time codes ----------------------------------------------------------------------------


def create_cards(*, wave: SurveyWave, group: Group, count: int) -> list[str]:
    """Make ``count`` new card codes for the group; returns the plain codes (shown only now)."""
    begin_write()
    if not wave.one_time_codes:
        raise SessionError("this wave does not use one-time codes")
    if not 1 <= count <= MAX_CARDS:
        raise SessionError(f"make between 1 and {MAX_CARDS} cards at a time")
    codes: list[str] = []
    while len(codes) < count:
        code = new_code(CARD_CODE_LENGTH)
        if code in codes:
            continue
        digest = card_hash(code)
        if db.session.scalar(select(OneTimeCode.id).where(OneTimeCode.code_hash == digest)):
            continue
        db.session.add(OneTimeCode(wave_id=wave.id, group_id=group.id, code_hash=digest))
        codes.append(code)
    db.session.flush()
    return codes


def unused_cards(wave: SurveyWave, group: Group) -> int:
    return len(db.session.scalars(select(OneTimeCode.id).where(
        OneTimeCode.wave_id == wave.id, OneTimeCode.group_id == group.id,
        OneTimeCode.used.is_(False))).all())


def redeem_card(*, wave_id: int, group_id: int, code: str) -> bool:
    """Use a card code: True for exactly one caller, even when fifty try it at once (P3).

    One conditional UPDATE decides; its row count says whether this caller won. Only a flag
    changes: no time, no device, nothing that points at the answers that follow. Commits.
    """
    if not is_well_formed(code, CARD_CODE_LENGTH):
        return False
    begin_write()
    result = db.session.execute(
        update(OneTimeCode)
        .where(OneTimeCode.code_hash == card_hash(code), OneTimeCode.used.is_(False),
               OneTimeCode.wave_id == wave_id, OneTimeCode.group_id == group_id)
        .values(used=True)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


# --- conversation requests (P6) ----------------------------------------------------------------


@dataclass(frozen=True)
class VertrouwensPersoon:
    name: str
    contact: str


def vertrouwenspersoon(school: School) -> VertrouwensPersoon:
    settings = settings_of(school)
    return VertrouwensPersoon(settings.vertrouwenspersoon_name,
                              settings.vertrouwenspersoon_contact)


def claim_conversation(wave_id: int, submission_id: object) -> bool:
    """True the first time the questionnaire ``submission_id`` asks for a conversation."""
    from surveys.services.responses import claim_receipt

    if not isinstance(submission_id, str) or not submission_id:
        return False
    begin_write()
    return claim_receipt(wave_id, "conversation:" + submission_id)


def clean_text(value: str | None, limit: int = 60) -> str:
    """A short line a child typed: control characters out (PostgreSQL refuses NUL), spaces
    squeezed, at most ``limit`` characters."""
    kept = "".join(" " if unicodedata.category(ch) in ("Cc", "Cs") else ch for ch in value or "")
    return " ".join(kept.split())[:limit].strip()


def request_conversation(*, school_id: int, group_id: int | None, first_name: str,
                         group_label: str) -> ConversationRequest:
    """Store a pupil's wish to talk, apart from any answers: a random id and the date only."""
    begin_write()
    first_name = clean_text(first_name)
    group_label = clean_text(group_label)
    if not first_name:
        raise SessionError("a first name is needed")
    request = ConversationRequest(school_id=school_id, group_id=group_id,
                                  first_name=first_name, group_label=group_label,
                                  created_on=school_today())
    db.session.add(request)
    db.session.flush()
    return request


def conversation_requests_for(school: School, *, include_handled: bool = False,
                              ) -> list[ConversationRequest]:
    """The coordinator's inbox: this school's requests, open ones first, by date and name."""
    query = select(ConversationRequest).where(ConversationRequest.school_id == school.id)
    if not include_handled:
        query = query.where(ConversationRequest.handled.is_(False))
    query = query.order_by(ConversationRequest.handled, ConversationRequest.created_on.desc(),
                           ConversationRequest.first_name)
    return list(db.session.scalars(query))

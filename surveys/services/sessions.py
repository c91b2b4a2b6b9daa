"""Class sessions, one-time codes and conversation requests: the use cases behind the tablet.

A class session is what a teacher starts for one group in an open wave: a six-character class code
(no look-alike characters) that pupils type on a tablet. It ends at the close button or by itself
at the end of the school day; a pupil who started before the end may finish within a grace period.

Nothing here links a pupil, a device or a code to a response (DESIGN §4 P1-P3): the session only
counts finished questionnaires, one-time codes are stored hashed with a ``used`` flag (no time, no
reference to a response), and a conversation request is stored on its own (P6).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from flask import current_app
from limits import parse as parse_limit
from sqlalchemy import select, update

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


def attempt_allowed(kind: str, code: str) -> bool:
    """Count one attempt at ``code``; False when this code was tried too often (per code only)."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return True
    limit = parse_limit(CLASS_CODE_LIMIT if kind == "class" else CARD_CODE_LIMIT)
    return bool(limiter.limiter.hit(limit, "pupil-code", kind, code))


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
    db.session.execute(update(ClassSession).where(ClassSession.id == session_id)
                       .values(finished_count=ClassSession.finished_count + 1))


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


def request_conversation(*, school_id: int, group_id: int | None, first_name: str,
                         group_label: str) -> ConversationRequest:
    """Store a pupil's wish to talk, apart from any answers: a random id and the date only."""
    begin_write()
    first_name = " ".join(first_name.split())[:60]
    group_label = " ".join(group_label.split())[:60]
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

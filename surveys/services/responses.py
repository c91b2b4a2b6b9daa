"""The one way answers get in: ``submit_response``.

The pupil screens, the CSV import, the demo and the benchmarks all call it. It checks the
answers against the instrument versions the wave uses, then stores the response, its answers and
its construct scores (DESIGN §7) together; on any problem it raises ``SubmissionError`` before
anything is written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import Engine, bindparam, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

import instruments
from analysis.scoring import construct_score, to_common_scale
from instruments import Instrument
from surveys.extensions import db
from surveys.models import (
    Answer,
    ConstructScore,
    Group,
    InstrumentVersion,
    Response,
    SubmissionReceipt,
    SurveyWave,
)

SCHOOL_TIMEZONE = ZoneInfo("Europe/Amsterdam")


class SubmissionError(ValueError):
    """The answers cannot be stored as given; the message says what is wrong."""


@dataclass(frozen=True)
class AnswerIn:
    """One answer as a pupil screen or an import hands it in.

    ``value`` is None when the pupil chose "I'd rather not say". ``part`` is 0 for the pupil's
    own questionnaire and 1, 2 ... for the teacher-feedback round about the group's first,
    second ... teacher.
    """

    instrument_id: str
    version: int
    item_key: str
    value: int | None
    part: int = 0


def school_today() -> dt.date:
    """Today's date at the school. Only the date is ever stored with a response (P1)."""
    return dt.datetime.now(SCHOOL_TIMEZONE).date()


def receipt_digest(wave_id: int, submission_id: str) -> str:
    """A keyed hash of the tablet's submission id: checkable for retries, useless otherwise."""
    key = current_app.config["SECRET_KEY"].encode()
    message = f"{wave_id}:{submission_id}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


#: The receipt statement of each dialect, built once (its parameters are bound at execution).
_CLAIM: dict[str, Any] = {}


def claim_receipt(wave_id: int, key: str) -> bool:
    """Record that ``key`` has been used in this wave; False when it already was.

    One ``INSERT ... ON CONFLICT DO NOTHING``: concurrent claims of one key resolve on the
    unique digest, so exactly one wins, on SQLite and PostgreSQL alike (on PostgreSQL a second
    claim waits for the first's transaction and then finds the key taken). The caller commits.
    """
    digest = receipt_digest(wave_id, key)
    dialect = db.session.get_bind().dialect.name
    statement = _CLAIM.get(dialect)
    if statement is None:
        table = SubmissionReceipt.__table__
        dialect_insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        statement = _CLAIM[dialect] = (
            dialect_insert(table)
            .values(digest=bindparam("digest"), wave_id=bindparam("wave_id"))
            .on_conflict_do_nothing().returning(table.c.digest))
    # RETURNING, not rowcount: psycopg reports no row count for this statement.
    return db.session.execute(statement, {"digest": digest, "wave_id": wave_id}).first() \
        is not None


#: Instrument version ids read back from the database and checked against their files, per
#: database engine. A committed version row never changes (a changed file must get a new
#: version), so once read and checked its id serves every later request of the process. A row
#: this transaction registers itself is remembered in the session only, until it is committed.
_VERSION_IDS: WeakKeyDictionary[Engine, dict[tuple[str, int, str], int]] = WeakKeyDictionary()


def instrument_version_id(instrument: Instrument) -> int:
    """The id of this instrument version's row, registering it on first use.

    A stored version whose content hash differs from the file is refused: a changed wording
    must be a new version, or old answers would be read against words the pupil never saw.
    """
    key = (instrument.id, instrument.version, instrument.content_hash)
    checked = _VERSION_IDS.setdefault(db.engine, {})
    registered: dict[tuple[str, int, str], int] = db.session().info.setdefault(
        "instrument_versions", {})
    if key in checked:
        return checked[key]
    if key in registered:
        return registered[key]
    row = db.session.scalar(
        select(InstrumentVersion).where(
            InstrumentVersion.instrument_id == instrument.id,
            InstrumentVersion.version == instrument.version,
        )
    )
    cache = checked
    if row is None:
        cache = registered
        try:
            with db.session.begin_nested():
                row = InstrumentVersion(
                    instrument_id=instrument.id,
                    version=instrument.version,
                    content_hash=instrument.content_hash,
                )
                db.session.add(row)
        except IntegrityError:  # registered at the same moment by another submission
            row = db.session.scalars(
                select(InstrumentVersion).where(
                    InstrumentVersion.instrument_id == instrument.id,
                    InstrumentVersion.version == instrument.version,
                )
            ).one()
    if row.content_hash != instrument.content_hash:
        raise SubmissionError(
            f"instrument {instrument.id} v{instrument.version} has changed since answers were "
            "stored with it; give the changed file a new version number"
        )
    cache[key] = row.id
    return row.id


@dataclass(frozen=True)
class Target:
    """Where a response goes, with what checking its answers needs of the wave and the group.

    Read once from the ORM objects (``Target.of``); the pupil screens keep one per class session
    for a short while, so storing a questionnaire does not reload the wave's instruments and the
    group's teachers every time.
    """

    wave_id: int
    wave_year_id: int
    group_id: int
    group_year_id: int
    group_name: str
    grades: tuple[int, ...]
    teacher_ids: tuple[int, ...]
    #: (grade, instrument id, version) the wave assigns; None when the wave names none.
    assigned: frozenset[tuple[int, str, int]] | None

    @classmethod
    def of(cls, wave: SurveyWave, group: Group) -> Target:
        return cls(
            wave_id=wave.id, wave_year_id=wave.school_year_id, group_id=group.id,
            group_year_id=group.school_year_id, group_name=group.name,
            grades=tuple(group.grades),
            teacher_ids=tuple(link.user_id for link in group.teacher_links),
            assigned=frozenset((wi.grade, wi.instrument_id, wi.version)
                               for wi in wave.instruments) or None,
        )

    def allowed(self, grade: int) -> set[tuple[str, int]] | None:
        """The (id, version) pairs the wave assigns to ``grade``; None when it names none."""
        if self.assigned is None:
            return None
        return {(i, v) for g, i, v in self.assigned if g == grade}


def validate(
    *, wave: SurveyWave, group: Group, grade: int, answers: Sequence[AnswerIn]
) -> dict[tuple[str, int, int], dict[str, int | None]]:
    """Check the answers; return them as {(instrument, version, part): {item: value}}."""
    return check(Target.of(wave, group), grade, answers)


def check(
    target: Target, grade: int, answers: Sequence[AnswerIn]
) -> dict[tuple[str, int, int], dict[str, int | None]]:
    """Check the answers for ``target``; return them as {(instrument, version, part): {item:
    value}}. Raises ``SubmissionError`` with what is wrong."""
    if target.group_year_id != target.wave_year_id:
        raise SubmissionError(f"group {target.group_name!r} is not in the wave's school year")
    if grade not in target.grades:
        shown = ", ".join(str(g) for g in target.grades) or "none"
        raise SubmissionError(
            f"grade {grade} is not a grade of {target.group_name} (grades: {shown})")
    if not answers:
        raise SubmissionError("a response needs at least one answer")
    allowed = target.allowed(grade)
    n_teachers = len(target.teacher_ids)
    parts: dict[tuple[str, int, int], dict[str, int | None]] = {}
    for answer in answers:
        try:
            instrument = instruments.get(answer.instrument_id, answer.version)
        except KeyError:
            raise SubmissionError(
                f"unknown instrument {answer.instrument_id!r} version {answer.version}"
            ) from None
        if grade not in instrument.grades:
            raise SubmissionError(
                f"instrument {instrument.id} is not for groep {grade}"
                f" (it serves groep {', '.join(map(str, instrument.grades))})"
            )
        if allowed is not None and (instrument.id, instrument.version) not in allowed:
            raise SubmissionError(
                f"this wave does not use {instrument.id} v{instrument.version} for groep {grade}"
            )
        if instrument.is_teacher_feedback:
            if not 1 <= answer.part <= max(n_teachers, 1):
                raise SubmissionError(
                    f"teacher feedback part {answer.part} does not name a teacher of "
                    f"{target.group_name}"
                )
        elif answer.part != 0:
            raise SubmissionError(f"{instrument.id} is not teacher feedback; part must be 0")
        try:
            item = instrument.item(answer.item_key)
        except KeyError:
            raise SubmissionError(
                f"{instrument.id} v{instrument.version} has no item {answer.item_key!r}"
            ) from None
        if answer.value is not None:
            scale = instrument.scales[item.scale]
            if isinstance(answer.value, bool) or answer.value not in scale.values:
                raise SubmissionError(
                    f"item {item.key}: {answer.value!r} is not one of the answer values "
                    f"{', '.join(map(str, scale.values))}"
                )
        bucket = parts.setdefault((instrument.id, instrument.version, answer.part), {})
        if item.key in bucket:
            raise SubmissionError(f"item {item.key} is answered twice")
        bucket[item.key] = answer.value
    return parts


def score_rows(
    instrument: Instrument, values: dict[str, int | None]
) -> list[tuple[str, float | None, float | None, int, int]]:
    """Per construct: (construct, value, common, n_items, n_answered) for one instrument part."""
    rows = []
    for key, construct in instrument.constructs.items():
        items = instrument.items_for(key)
        answers = [values.get(item.key) for item in items]
        scale = instrument.scales[items[0].scale]
        value = construct_score(
            answers,
            kind=construct.kind,
            scale_min=scale.min,
            scale_max=scale.max,
            reverse=[item.reverse for item in items],
            threshold=construct.threshold,
        )
        if value is None or construct.kind != "mean":
            common = value
        else:
            common = to_common_scale(value, scale.min, scale.max)
        answered = sum(a is not None for a in answers)
        rows.append((key, value, common, len(items), answered))
    return rows


@dataclass(frozen=True)
class Prepared:
    """A checked and scored response, ready to store: everything but the writing.

    ``prepare`` needs no write transaction, so the pupil screens do it before they take
    SQLite's write lock, which is then held only for the inserts and the commit.
    """

    target: Target
    grade: int
    submitted_on: dt.date
    #: Per instrument part: (instrument, part, teacher id, answers by item, construct scores).
    blocks: tuple[tuple[Instrument, int, int | None, dict[str, int | None],
                        list[tuple[str, float | None, float | None, int, int]]], ...]


def prepare(target: Target, grade: int, answers: Sequence[AnswerIn],
            submitted_on: dt.date | None = None) -> Prepared:
    """Check the answers and compute their construct scores; ``SubmissionError`` if they do
    not fit the wave's instruments."""
    parts = check(target, grade, answers)
    teacher_ids = target.teacher_ids
    blocks = []
    for (instrument_id, version, part), values in parts.items():
        instrument = instruments.get(instrument_id, version)
        teacher_id = teacher_ids[part - 1] if 0 < part <= len(teacher_ids) else None
        blocks.append((instrument, part, teacher_id, values, score_rows(instrument, values)))
    return Prepared(target, grade, submitted_on or school_today(), tuple(blocks))


def store(prepared: Prepared, submission_id: str | None = None) -> Response | None:
    """Write a prepared response (receipt, response, answers, scores) in the caller's write
    transaction; None when ``submission_id`` was stored already. The caller commits."""
    target = prepared.target
    if submission_id is not None:
        if not 8 <= len(submission_id) <= 100:
            raise SubmissionError("the submission id must be 8 to 100 characters long")
        if not claim_receipt(target.wave_id, submission_id):
            return None

    # Stored with one Core INSERT, not through the unit of work: the id is random (P1, P2) and
    # nothing else in this session refers to the row. The object returned is not attached.
    response = Response(
        id=uuid.uuid4(),
        wave_id=target.wave_id,
        group_id=target.group_id,
        grade=prepared.grade,
        submitted_on=prepared.submitted_on,
    )
    db.session.execute(Response.__table__.insert(), {
        "id": response.id, "wave_id": response.wave_id, "group_id": response.group_id,
        "grade": response.grade, "submitted_on": response.submitted_on})

    answer_rows: list[dict[str, object]] = []
    score_rows_out: list[dict[str, object]] = []
    for instrument, part, teacher_id, values, scores in prepared.blocks:
        version_id = instrument_version_id(instrument)
        for item_key, value in values.items():
            answer_rows.append(
                {
                    "response_id": response.id,
                    "instrument_version_id": version_id,
                    "item_key": item_key,
                    "part": part,
                    "teacher_id": teacher_id,
                    "value": value,
                }
            )
        for construct, value, common, n_items, n_answered in scores:
            score_rows_out.append(
                {
                    "response_id": response.id,
                    "construct": construct,
                    "part": part,
                    "teacher_id": teacher_id,
                    "instrument_version_id": version_id,
                    "value": value,
                    "common": common,
                    "n_items": n_items,
                    "n_answered": n_answered,
                }
            )
    # Core executemany on the tables (one statement each), not the ORM's bulk path.
    db.session.execute(Answer.__table__.insert(), answer_rows)
    db.session.execute(ConstructScore.__table__.insert(), score_rows_out)
    return response


def submit_response(
    *,
    wave: SurveyWave | None = None,
    group: Group | None = None,
    target: Target | None = None,
    grade: int,
    answers: Sequence[AnswerIn],
    submission_id: str | None = None,
    submitted_on: dt.date | None = None,
) -> Response | None:
    """Validate and store one pupil's answers with their construct scores.

    Give the ``wave`` and ``group``, or a ``target`` read from them earlier. Returns the stored
    response, or None when ``submission_id`` was already stored (a retry or a double tap:
    exactly one response exists either way). Raises ``SubmissionError`` and writes nothing when
    the answers do not fit the wave's instruments. Executes the inserts; the caller commits.
    """
    if target is None:
        if wave is None or group is None:
            raise TypeError("submit_response needs a wave and a group, or a target")
        target = Target.of(wave, group)
    return store(prepare(target, grade, answers, submitted_on), submission_id)

"""A fictional demo school (and large synthetic boards for the benchmarks).

``build_demo(schools=1, years=3, seed=...)`` makes "Basisschool De Vlinderboom": groups 1-8 with
a combination group and a duo-taught group, an autumn wave per school year, responses generated
from the shipped instruments and incidents across the categories. Planted in the latest year,
so that the attention list has something true to find:

- Groep 6: low feeling of safety and many bullied pupils;
- Groep 4: a spike in incidents;
- Groep 7: a cohort whose safety declined since it was Groep 6 the year before;
- Groep 8: only four pupils responded (fewer than k = 5: protected, never described);
- response rates vary from group to group, and one incident of sexual intimidation is registered.

The answers come from a simple model of pupils (a latent level per construct, bullied or not),
drawn with NumPy a whole grade of a group at a time (the demo school pupil by pupil, in the
order it always was, so that a seed still gives the same demo school). Their construct scores
are computed by the submission's own ``score_rows`` and each wave is written in bulk: binary
``COPY`` on PostgreSQL, one executemany per table on SQLite, after the submission's own
``validate`` has checked one pupil of every group and grade. A board of 50 schools with 5 years
(38,100 responses, 1.1 million answers) takes one to one and a half minutes on a 2-core machine
instead of the several minutes that one ``submit_response`` per pupil took. The same seed gives
the same data.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import Table, func, select, text
from sqlalchemy.engine import Connection

import instruments
from instruments import Instrument, Item
from surveys import passwords
from surveys.extensions import db
from surveys.models import (
    INCIDENT_CATEGORIES,
    INCIDENT_LOCATIONS,
    Answer,
    Board,
    ConstructScore,
    Group,
    Incident,
    Response,
    School,
    SurveyWave,
    User,
    WaveInstrument,
)
from surveys.services.accounts import create_user
from surveys.services.organisation import create_school, get_or_create_year
from surveys.services.responses import (
    AnswerIn,
    SubmissionError,
    instrument_version_id,
    score_rows,
    validate,
)

DEMO_PASSWORD = "klasklimaat-demo"  # noqa: S105 (printed on purpose: demo only)
DEMO_SLUG = "vlinderboom"
DEMO_NAME = "Basisschool De Vlinderboom"


@dataclass(frozen=True)
class GroupPlan:
    name: str
    grades: tuple[int, ...]
    size: int
    previous: str | None
    teachers: tuple[str, ...]


# (name, grades, size, previous group's name, teachers' display names)
GROUPS = (
    GroupPlan("Groep 1/2a", (1, 2), 25, None, ("juf Fatima",)),
    GroupPlan("Groep 1/2b", (1, 2), 24, None, ("juf Lieke",)),
    GroupPlan("Groep 3", (3,), 26, "Groep 1/2a", ("juf Sanne", "meester Ahmed")),
    GroupPlan("Groep 4", (4,), 25, "Groep 3", ("juf Noor",)),
    GroupPlan("Groep 5", (5,), 27, "Groep 4", ("meester Tim",)),
    GroupPlan("Groep 6", (6,), 24, "Groep 5", ("juf Eva",)),
    GroupPlan("Groep 7", (7,), 26, "Groep 6", ("meester Jeroen",)),
    GroupPlan("Groep 7/8", (7, 8), 22, "Groep 7/8", ("juf Mirjam",)),
    GroupPlan("Groep 8", (8,), 23, "Groep 7", ("meester Kees",)),
)

#: Incident categories in the order of how often a school registers them (rough weights).
CATEGORY_WEIGHTS = {
    "pesten": 5,
    "fysiek_geweld": 4,
    "bedreiging": 2,
    "online_intimidatie": 2,
    "vernieling": 2,
    "diefstal": 1,
    "discriminatie": 1,
    "heling": 0.2,
    "seksuele_intimidatie": 0.1,
    "seksueel_misbruik": 0.0,
    "extremisme": 0.0,
}


def database_is_empty() -> bool:
    return not db.session.scalar(select(func.count()).select_from(School))


def existing_logins() -> list[tuple[str, str]]:
    """The demo accounts already in the database, in the order ``build_demo`` printed them."""
    domain = _domain(DEMO_SLUG)
    wanted = [
        f"{local}@{domain}"
        for local in ("beheer", "directeur", "vertrouwenspersoon", "eva", "sanne")
    ]
    found = dict(
        db.session.execute(select(User.email, User.role).where(User.email.in_(wanted))).all()
    )
    return [(email, found[email]) for email in wanted if email in found]


def school_year_names(years: int, today: dt.date | None = None) -> list[str]:
    today = today or dt.date.today()
    start = today.year if today.month >= 8 else today.year - 1
    return [f"{y}-{y + 1}" for y in range(start - years + 1, start + 1)]


def build_demo(
    *,
    schools: int = 1,
    years: int = 3,
    seed: int = 2026,
    on_step: Callable[[], None] | None = None,
) -> list[tuple[str, str]]:
    """Create the demo school (plus ``schools - 1`` synthetic ones); return (email, role) logins.

    Commits once per school, so that a large board does not sit in one huge transaction.
    """
    if schools < 1 or years < 1:
        raise ValueError("--schools and --years must be at least 1")
    if db.session.scalar(select(School.id).where(School.slug == DEMO_SLUG)) is not None:
        raise ValueError(f"the demo school {DEMO_SLUG!r} already exists in this database")
    rng = np.random.default_rng(seed)
    # Every demo account has the same, published password: hash it once (argon2 is slow on
    # purpose, and a board has hundreds of accounts).
    password_hash = passwords.hash_password(DEMO_PASSWORD)
    scorer = Scorer()
    board = Board(name="Stichting Samen Leren (demo)")
    db.session.add(board)
    db.session.flush()
    logins: list[tuple[str, str]] = []
    admin = _account(f"beheer@{_domain(DEMO_SLUG)}", "Beheerder", "admin", None, password_hash)
    admin.board_id = board.id
    logins.append((admin.email, "admin"))
    for index in range(schools):
        slug = DEMO_SLUG if index == 0 else f"school-{index + 1:03d}"
        name = DEMO_NAME if index == 0 else f"Synthetische school {index + 1}"
        school_logins = _build_school(
            slug, name, board, years, rng, password_hash=password_hash, scorer=scorer,
            planted=index == 0, on_step=on_step,
        )
        if index == 0:
            logins.extend(school_logins)
        db.session.commit()
    # The tables just grew by orders of magnitude: give the query planner fresh statistics
    # (PostgreSQL's autovacuum would get there a little later; SQLite never would, and without
    # them it reads one school's scores by scanning every school's).
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    return logins


def _domain(slug: str) -> str:
    return f"{slug}.example"


def _account(
    email: str, display_name: str, role: str, school: School | None, password_hash: str
) -> User:
    user = create_user(email=email, display_name=display_name, role=role, school=school)
    user.password_hash = password_hash
    return user


def _build_school(
    slug: str,
    name: str,
    board: Board,
    years: int,
    rng: np.random.Generator,
    *,
    password_hash: str,
    scorer: Scorer,
    planted: bool,
    on_step: Callable[[], None] | None = None,
) -> list[tuple[str, str]]:
    school = create_school(slug, name, board_id=board.id)
    school.settings.vertrouwenspersoon_name = "juf Marieke"
    school.settings.vertrouwenspersoon_contact = (
        "Juf Marieke is er elke dinsdag en donderdag. Je vindt haar in het kamertje naast de "
        "bibliotheek, of je stopt een briefje in de brievenbus bij de ingang."
    )
    domain = _domain(slug)
    director = _account(
        f"directeur@{domain}", "Anouk de Vries", "director", school, password_hash
    )
    coordinator = _account(
        f"vertrouwenspersoon@{domain}", "juf Marieke", "coordinator", school, password_hash
    )
    teachers: dict[str, User] = {}
    for plan in GROUPS:
        for display in plan.teachers:
            if display not in teachers:
                local = display.split()[-1].lower()
                teachers[display] = _account(
                    f"{local}@{domain}", display, "teacher", school, password_hash
                )

    year_names = school_year_names(years)
    previous_groups: dict[str, Group] = {}
    for year_index, year_name in enumerate(year_names):
        latest = year_index == len(year_names) - 1
        year = get_or_create_year(school, year_name)
        groups: dict[str, Group] = {}
        for plan in GROUPS:
            size = int(plan.size + rng.integers(-3, 4))
            group = Group(school_year=year, name=plan.name, size=size)
            group.grades = list(plan.grades)
            group.set_teachers([teachers[t] for t in plan.teachers])
            if plan.previous and plan.previous in previous_groups:
                group.previous_group = previous_groups[plan.previous]
            db.session.add(group)
            groups[plan.name] = group
        db.session.flush()
        wave = _autumn_wave(year)
        db.session.flush()
        _fill_wave(
            wave,
            groups,
            rng,
            scorer,
            planted=planted and latest,
            year_index=year_index,
            n_years=len(year_names),
            planted_school=planted,
        )
        _incidents(year, groups, rng, planted=planted and latest, user=director)
        previous_groups = groups
        if on_step is not None:
            on_step()
    logins = [(director.email, "director"), (coordinator.email, "coordinator")]
    logins.append((teachers["juf Eva"].email, "teacher"))
    logins.append((teachers["juf Sanne"].email, "teacher"))
    return logins


def _autumn_wave(year) -> SurveyWave:  # type: ignore[no-untyped-def]
    start = year.starts_on.year
    wave = SurveyWave(
        school_year=year,
        name=f"Najaar {start}",
        starts_on=dt.date(start, 10, 1),
        ends_on=dt.date(start, 11, 15),
        status="closed",
        k=5,
        one_time_codes=False,
    )
    for grade in range(3, 9):
        for instrument in instruments.for_grade(grade, teacher_feedback=True):
            wave.instruments.append(
                WaveInstrument(grade=grade, instrument_id=instrument.id, version=instrument.version)
            )
    db.session.add(wave)
    return wave


@dataclass(frozen=True)
class Climate:
    """The true state of a group that the generated answers scatter around."""

    safety: float = 3.35  # on the common 1-4 metric
    wellbeing: float = 3.3
    help: float = 3.2
    bullied_share: float = 0.07
    teacher: float = 3.3
    response_rate: float = 0.9


def typical_climate(rng: np.random.Generator) -> Climate:
    """An ordinary group: close to the national picture, with a little scatter."""
    return Climate(
        safety=float(rng.normal(3.35, 0.07)),
        wellbeing=float(rng.normal(3.3, 0.07)),
        help=float(rng.normal(3.2, 0.08)),
        bullied_share=float(rng.uniform(0.04, 0.09)),
        teacher=float(rng.normal(3.3, 0.12)),
        response_rate=float(rng.uniform(0.78, 0.98)),
    )


def _climate(
    name: str,
    rng: np.random.Generator,
    *,
    planted: bool,
    year_index: int,
    n_years: int,
    planted_school: bool,
) -> Climate:
    base = typical_climate(rng)
    if planted_school and name == "Groep 6" and year_index == n_years - 2:
        # The cohort that declines: a content Groep 6 last year ...
        return Climate(3.55, 3.5, 3.4, 0.04, base.teacher, 0.95)
    if not planted:
        return base
    if name == "Groep 6":
        return Climate(2.75, 2.8, 2.75, 0.35, base.teacher - 0.2, 0.92)
    if name == "Groep 7":  # ... that has become Groep 7 this year, feeling less safe.
        return Climate(3.0, 3.05, 3.0, 0.10, base.teacher, 0.9)
    if name == "Groep 8":
        return Climate(
            base.safety, base.wellbeing, base.help, base.bullied_share, base.teacher, 4 / 23
        )
    if name == "Groep 5":
        return Climate(
            base.safety, base.wellbeing, base.help, base.bullied_share, base.teacher, 0.62
        )  # a low response rate: a data-quality warning, not a flag
    return base


def _fill_wave(
    wave: SurveyWave,
    groups: dict[str, Group],
    rng: np.random.Generator,
    scorer: Scorer,
    *,
    planted: bool,
    year_index: int,
    n_years: int,
    planted_school: bool,
) -> None:
    submitted_on = wave.starts_on + dt.timedelta(days=10)
    rows = ResponseRows(scorer)
    for name, group in groups.items():
        surveyed = [g for g in group.grades if g >= 3]
        if not surveyed:
            continue
        climate = _climate(
            name,
            rng,
            planted=planted,
            year_index=year_index,
            n_years=n_years,
            planted_school=planted_school,
        )
        n = round(group.size * climate.response_rate)
        if name == "Groep 8" and planted:
            n = 4
        teacher_ids = [link.user_id for link in group.teacher_links]
        if planted_school:
            # The demo school draws pupil by pupil (a grade, then the answers), in the order it
            # always has, so a seed gives the same demo school as when every pupil was
            # submitted one by one; the other schools draw a whole grade at once.
            pupils: Iterable[tuple[int, int]] = (
                (int(rng.choice(surveyed)), 1) for _ in range(n))
        else:
            grades = rng.choice(surveyed, size=n)
            pupils = [(g, int((grades == g).sum())) for g in sorted(set(grades.tolist()))]
        checked: set[int] = set()
        for grade, m in pupils:  # a generator: each grade is drawn just before its answers
            blocks = simulate_pupils(grade, len(teacher_ids), climate, m, rng)
            if grade not in checked:
                _check_block(wave, group, grade, blocks)
                checked.add(grade)
            rows.add(wave.id, group.id, grade, submitted_on, blocks, teacher_ids)
    rows.write(db.session.connection())


def _check_block(wave: SurveyWave, group: Group, grade: int, blocks: list[PupilAnswers]) -> None:
    """Submission's own check on the block's first pupil: the same instruments, parts and items
    as ``submit_response`` would accept from this group and grade (a generator bug fails here,
    not in a results page later)."""
    answers = [
        AnswerIn(b.instrument.id, b.instrument.version, key, value, b.part)
        for b in blocks
        for key, value in zip(b.keys, b.rows()[0], strict=True)
    ]
    try:
        validate(wave=wave, group=group, grade=grade, answers=answers)
    except SubmissionError as exc:  # pragma: no cover - a bug in the generator
        raise AssertionError(f"the demo generated answers submission refuses: {exc}") from exc


# --- pupils, drawn a block at a time ----------------------------------------------------------


@dataclass(frozen=True)
class PupilAnswers:
    """The answers of some pupils of one grade to one instrument (and teacher-feedback part):
    one row per pupil, one column per item (``keys``); ``skipped`` marks "I'd rather not say"."""

    instrument: Instrument
    part: int
    keys: tuple[str, ...]
    values: np.ndarray
    skipped: np.ndarray

    def rows(self) -> list[list[int | None]]:
        """Per pupil, the answers in ``keys`` order as plain ints, None where skipped."""
        return np.where(self.skipped, None, self.values.astype(object)).tolist()


def simulate_pupils(
    grade: int,
    n_teachers: int,
    climate: Climate,
    m: int,
    rng: np.random.Generator,
    *,
    teacher_feedback: bool = True,
) -> list[PupilAnswers]:
    """``m`` pupils of ``grade`` in a group of this ``climate``, answering every instrument
    their grade gets (teacher feedback once per teacher when ``teacher_feedback``).

    Each pupil has a latent level per safety construct around the group's; a bullied pupil
    feels less safe and less well, and answers the victimisation items accordingly. The
    climate's numbers may also be arrays with one value per pupil (pupils of several groups
    drawn at once). With ``m = 1`` the random numbers are drawn in the order of the
    pupil-by-pupil generator this replaced, so the demo school stays what it was.
    """
    latent = {
        "veiligheid": rng.normal(climate.safety, 0.45, m),
        "welbevinden": rng.normal(climate.wellbeing, 0.45, m),
        "hulp": rng.normal(climate.help, 0.5, m),
    }
    bullied = rng.random(m) < climate.bullied_share
    # being bullied goes with feeling less safe and less well
    latent["veiligheid"] = latent["veiligheid"] - 0.5 * bullied
    latent["welbevinden"] = latent["welbevinden"] - 0.4 * bullied
    out = []
    for instrument in instruments.for_grade(grade, teacher_feedback=teacher_feedback):
        if not instrument.is_teacher_feedback:
            out.append(_instrument_answers(instrument, 0, latent, bullied, rng))
            continue
        for part in range(1, max(n_teachers, 1) + 1):
            draws = rng.normal(climate.teacher, 0.45, (m, len(instrument.constructs)))
            teacher_latent = {key: draws[:, i] for i, key in enumerate(instrument.constructs)}
            out.append(
                _instrument_answers(instrument, part, teacher_latent, np.zeros(m, bool), rng)
            )
    return out


def _instrument_answers(
    instrument: Instrument,
    part: int,
    latent: dict[str, np.ndarray],
    bullied: np.ndarray,
    rng: np.random.Generator,
) -> PupilAnswers:
    m = len(bullied)
    keys: list[str] = []
    values: list[np.ndarray] = []
    skipped: list[np.ndarray] = []
    for construct_key, construct in instrument.constructs.items():
        items = instrument.items_for(construct_key)
        keys.extend(item.key for item in items)
        if construct.kind == "any_at_least":
            block = _victimisation(items, instrument, construct.threshold or 0, bullied, rng)
        else:
            block = _agreement(latent.get(construct_key, np.full(m, 3.3)), items, instrument, rng)
        values.append(block)
        skipped.append(rng.random(block.shape) < 0.02)  # "I'd rather not say"
    return PupilAnswers(instrument, part, tuple(keys), np.concatenate(values, axis=1),
                        np.concatenate(skipped, axis=1))


@functools.cache
def _scale_arrays(
    instrument: Instrument, items: tuple[Item, ...]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per item: the scale's lowest and highest value, its span, the answer noise's standard
    deviation and whether it is reverse-scored."""
    scales = [instrument.scales[item.scale] for item in items]
    low = np.array([s.min for s in scales])
    high = np.array([s.max for s in scales])
    span = high - low
    return low, high, span, 0.3 * span / 3, np.array([item.reverse for item in items])


def _agreement(
    level: np.ndarray, items: tuple[Item, ...], instrument: Instrument, rng: np.random.Generator
) -> np.ndarray:
    """Answers on an agreement scale around each pupil's ``level`` (on the 1-4 metric)."""
    low, high, span, sigma, reverse = _scale_arrays(instrument, items)
    noise = rng.normal(0, sigma, (len(level), len(items)))
    target = low + (level[:, None] - 1) / 3 * span + noise
    value = np.clip(np.rint(target), low, high).astype(np.int64)
    return np.where(reverse, low + high - value, value)


def _victimisation(
    items: Sequence[Item],
    instrument: Instrument,
    threshold: int,
    bullied: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    scale = instrument.scales[items[0].scale]
    below = [v for v in scale.values if v < threshold]
    at_or_above = [v for v in scale.values if v >= threshold]
    m, k = len(bullied), len(items)
    # Some children meet more unkindness than others, so "once or twice" answers go together:
    # each child has a propensity of their own, higher for a child who is bullied.
    propensity = np.empty(m)
    propensity[bullied] = rng.beta(2, 3, int(bullied.sum()))
    propensity[~bullied] = rng.beta(1, 7, int(m - bullied.sum()))
    values = np.where(rng.random((m, k)) < propensity[:, None], below[-1], below[0])
    # A bullied child answers one to three of the items at or above the threshold.
    for pupil in np.flatnonzero(bullied):
        for index in rng.choice(k, size=int(rng.integers(1, 4)), replace=False):
            values[pupil, int(index)] = int(rng.choice(at_or_above))
    return values.astype(np.int64)


# --- scores and bulk writing ------------------------------------------------------------------


class Scorer:
    """Construct scores by ``score_rows``, the very function a submission is scored with.

    A construct's score depends only on the answers to its own items, and the same few answer
    patterns recur across thousands of pupils, so each pattern is scored once and remembered.
    """

    def __init__(self) -> None:
        self._plans: dict[tuple[tuple[str, int], tuple[str, ...]], list[tuple]] = {}

    def _plan(self, block: PupilAnswers) -> list[tuple]:
        """Per construct: its name, a getter of its items' answers, and the patterns seen."""
        key = (block.instrument.key, block.keys)
        plan = self._plans.get(key)
        if plan is None:
            where = {k: i for i, k in enumerate(block.keys)}
            plan = []
            for construct in block.instrument.constructs:
                cols = [where[item.key] for item in block.instrument.items_for(construct)]
                getter = (operator.itemgetter(*cols) if len(cols) > 1
                          else lambda answers, i=cols[0]: (answers[i],))  # always a tuple
                plan.append((construct, getter, {}))
            self._plans[key] = plan
        return plan

    def scores(
        self, block: PupilAnswers, rows: Sequence[Sequence[int | None]]
    ) -> list[tuple[str, list[tuple[float | None, float | None, int, int]]]]:
        """Per construct, (value, common, n_items, n_answered) of every pupil of ``rows``
        (``block.rows()``), exactly as ``score_rows`` gives them."""
        plan = self._plan(block)
        out = []
        for construct, getter, known in plan:
            scored = []
            for answers in rows:
                pattern = getter(answers)
                score = known.get(pattern)
                if score is None:  # score this pupil: remember every construct's pattern
                    values = dict(zip(block.keys, answers, strict=True))
                    for row, (_c, other, seen) in zip(
                            score_rows(block.instrument, values), plan, strict=True):
                        seen[other(answers)] = row[1:]
                    score = known[pattern]
                scored.append(score)
            out.append((construct, scored))
        return out


RESPONSE_COLUMNS = ("id", "wave_id", "group_id", "grade", "submitted_on")
ANSWER_COLUMNS = ("response_id", "instrument_version_id", "item_key", "part", "teacher_id",
                  "value")
SCORE_COLUMNS = ("response_id", "construct", "part", "teacher_id", "instrument_version_id",
                 "value", "common", "n_items", "n_answered")


@dataclass
class ResponseRows:
    """Rows for the responses, answers and construct_scores tables, gathered for one bulk
    write. ``with_answers=False`` gathers responses and scores only."""

    scorer: Scorer
    with_answers: bool = True
    responses: list[tuple] = field(default_factory=list)
    answers: list[tuple] = field(default_factory=list)
    scores: list[tuple] = field(default_factory=list)

    def add(
        self,
        wave_id: int,
        group_id: int,
        grade: int,
        submitted_on: dt.date,
        blocks: Sequence[PupilAnswers],
        teacher_ids: Sequence[int],
    ) -> None:
        """One response per pupil of ``blocks`` (all of one grade), with its answers and scores.

        A response gets a random id (uuid4), as at submission: nothing in it tells the order in
        which pupils answered (P2).
        """
        if not blocks:
            return
        ids = [uuid.uuid4() for _ in range(len(blocks[0].values))]
        self.responses.extend((rid, wave_id, group_id, grade, submitted_on) for rid in ids)
        for block in blocks:
            version_id = instrument_version_id(block.instrument)
            part = block.part
            teacher_id = teacher_ids[part - 1] if 0 < part <= len(teacher_ids) else None
            rows = block.rows()
            if self.with_answers:
                keys = block.keys
                for rid, answers in zip(ids, rows, strict=True):
                    self.answers.extend(
                        (rid, version_id, key, part, teacher_id, value)
                        for key, value in zip(keys, answers, strict=True)
                    )
            for construct, scored in self.scorer.scores(block, rows):
                head = (construct, part, teacher_id, version_id)
                tails: dict[tuple, tuple] = {}  # a handful of distinct scores per construct
                for rid, score in zip(ids, scored, strict=True):
                    tail = tails.get(score)
                    if tail is None:
                        tail = tails[score] = head + score
                    self.scores.append((rid, *tail))

    def write(self, connection: Connection) -> None:
        write_rows(connection, Response.__table__, RESPONSE_COLUMNS, self.responses)
        write_rows(connection, Answer.__table__, ANSWER_COLUMNS, self.answers)
        write_rows(connection, ConstructScore.__table__, SCORE_COLUMNS, self.scores)
        self.responses, self.answers, self.scores = [], [], []


def write_rows(
    connection: Connection, table: Table, columns: Sequence[str], rows: Iterable[tuple]
) -> None:
    """Insert ``rows`` (tuples in ``columns`` order) into ``table`` in the connection's
    transaction: PostgreSQL's ``COPY`` through psycopg, an executemany elsewhere."""
    if connection.dialect.name == "postgresql":
        # Binary COPY with the columns' types fixed up front: psycopg then converts each value
        # without looking for a converter first (several times faster than text COPY).
        types = dict(connection.exec_driver_sql(
            "SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %(t)s::regclass "
            "AND attnum > 0", {"t": table.name}).all())
        names = ", ".join(f'"{c}"' for c in columns)
        with (connection.connection.driver_connection.cursor() as cursor,  # type: ignore[union-attr]
              cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN (FORMAT BINARY)') as copy):
            copy.set_types([types[c] for c in columns])
            for row in rows:
                copy.write_row(row)
        return
    # Elsewhere one executemany through the driver, each value in the form SQLAlchemy would
    # bind it (a UUID as SQLite stores it, say). When the primary key leads the columns, rows
    # go in key order, the order a SQLite table without rowid keeps, so each page is touched
    # once.
    batch = list(rows)
    if not batch:
        return
    dialect = connection.dialect
    processors = [
        (i, p) for i, p in enumerate(
            table.c[c].type.dialect_impl(dialect).bind_processor(dialect) for c in columns)
        if p is not None
    ]
    if processors:
        values = list(zip(*batch, strict=True))
        for i, process in processors:
            values[i] = tuple(map(process, values[i]))
        batch = list(zip(*values, strict=True))
    key = [c.name for c in table.primary_key.columns]
    if list(columns[: len(key)]) == key:
        batch.sort()
    sql = str(table.insert().compile(dialect=dialect, column_keys=list(columns)))
    connection.exec_driver_sql(sql, batch)


def _incidents(
    year,
    groups: dict[str, Group],
    rng: np.random.Generator,
    *,
    planted: bool,  # type: ignore[no-untyped-def]
    user: User,
) -> None:
    categories = list(CATEGORY_WEIGHTS)
    weights = np.array(list(CATEGORY_WEIGHTS.values()), dtype=float)
    weights /= weights.sum()
    last_day = min(year.ends_on, dt.date.today())
    span = max((last_day - year.starts_on).days, 1)
    for name, group in groups.items():
        count = int(rng.poisson(0.6 if 1 in group.grades else 1.2))
        if planted and name == "Groep 4":
            count = 9
        for _ in range(count):
            category = str(rng.choice(categories, p=weights))
            if planted and name == "Groep 4":
                category = str(rng.choice(["pesten", "fysiek_geweld", "bedreiging"]))
            _add_incident(year, group, category, rng, span, user)
    if planted:
        _add_incident(
            year, groups["Groep 5"], "seksuele_intimidatie", rng, span, user, handled_by="directeur"
        )


def _add_incident(
    year,
    group: Group,
    category: str,
    rng: np.random.Generator,
    span: int,  # type: ignore[no-untyped-def]
    user: User,
    handled_by: str | None = None,
) -> None:
    assert category in INCIDENT_CATEGORIES
    day = year.starts_on + dt.timedelta(days=int(rng.integers(20, span + 20)) % span)
    db.session.add(
        Incident(
            school_year=year,
            group=group,
            occurred_on=day,
            category=category,
            location=str(rng.choice(INCIDENT_LOCATIONS)),
            handled_by=handled_by or str(rng.choice(["leraar", "leraar", "leraar", "directeur"])),
            parents_informed=bool(rng.random() < 0.7),
            follow_up="afgerond",
            description=None,
            created_by_id=user.id,
        )
    )

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

Every answer goes in through ``submit_response``. The same seed gives the same data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
from sqlalchemy import func, select

import instruments
from instruments import Instrument, Scale
from surveys.extensions import db
from surveys.models import (
    INCIDENT_CATEGORIES,
    INCIDENT_LOCATIONS,
    Board,
    Group,
    Incident,
    School,
    SurveyWave,
    User,
    WaveInstrument,
)
from surveys.services.accounts import create_user
from surveys.services.organisation import create_school, get_or_create_year
from surveys.services.responses import AnswerIn, submit_response

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
    board = Board(name="Stichting Samen Leren (demo)")
    db.session.add(board)
    db.session.flush()
    logins: list[tuple[str, str]] = []
    admin = create_user(
        email=f"beheer@{_domain(DEMO_SLUG)}",
        display_name="Beheerder",
        role="admin",
        password=DEMO_PASSWORD,
    )
    admin.board_id = board.id
    logins.append((admin.email, "admin"))
    for index in range(schools):
        slug = DEMO_SLUG if index == 0 else f"school-{index + 1:03d}"
        name = DEMO_NAME if index == 0 else f"Synthetische school {index + 1}"
        school_logins = _build_school(
            slug, name, board, years, rng, planted=index == 0, on_step=on_step
        )
        if index == 0:
            logins.extend(school_logins)
        db.session.commit()
    return logins


def _domain(slug: str) -> str:
    return f"{slug}.example"


def _build_school(
    slug: str,
    name: str,
    board: Board,
    years: int,
    rng: np.random.Generator,
    *,
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
    director = create_user(
        email=f"directeur@{domain}",
        display_name="Anouk de Vries",
        role="director",
        school=school,
        password=DEMO_PASSWORD,
    )
    coordinator = create_user(
        email=f"vertrouwenspersoon@{domain}",
        display_name="juf Marieke",
        role="coordinator",
        school=school,
        password=DEMO_PASSWORD,
    )
    teachers: dict[str, User] = {}
    for plan in GROUPS:
        for display in plan.teachers:
            if display not in teachers:
                local = display.split()[-1].lower()
                teachers[display] = create_user(
                    email=f"{local}@{domain}",
                    display_name=display,
                    role="teacher",
                    school=school,
                    password=DEMO_PASSWORD,
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


def _climate(
    name: str,
    rng: np.random.Generator,
    *,
    planted: bool,
    year_index: int,
    n_years: int,
    planted_school: bool,
) -> Climate:
    base = Climate(
        safety=float(rng.normal(3.35, 0.07)),
        wellbeing=float(rng.normal(3.3, 0.07)),
        help=float(rng.normal(3.2, 0.08)),
        bullied_share=float(rng.uniform(0.04, 0.09)),
        teacher=float(rng.normal(3.3, 0.12)),
        response_rate=float(rng.uniform(0.78, 0.98)),
    )
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
    *,
    planted: bool,
    year_index: int,
    n_years: int,
    planted_school: bool,
) -> None:
    submitted_on = wave.starts_on + dt.timedelta(days=10)
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
        for _ in range(n):
            grade = int(rng.choice(surveyed))
            answers = list(_pupil_answers(grade, len(group.teacher_links), climate, rng))
            submit_response(
                wave=wave, group=group, grade=grade, answers=answers, submitted_on=submitted_on
            )


def _pupil_answers(
    grade: int, n_teachers: int, climate: Climate, rng: np.random.Generator
) -> Iterator[AnswerIn]:
    latent = {
        "veiligheid": rng.normal(climate.safety, 0.45),
        "welbevinden": rng.normal(climate.wellbeing, 0.45),
        "hulp": rng.normal(climate.help, 0.5),
    }
    bullied = rng.random() < climate.bullied_share
    if bullied:  # being bullied goes with feeling less safe and less well
        latent["veiligheid"] -= 0.5
        latent["welbevinden"] -= 0.4
    for instrument in instruments.for_grade(grade, teacher_feedback=True):
        if not instrument.is_teacher_feedback:
            yield from _instrument_answers(instrument, 0, latent, bullied, rng)
            continue
        for part in range(1, max(n_teachers, 1) + 1):
            teacher_latent = {
                key: rng.normal(climate.teacher, 0.45) for key in instrument.constructs
            }
            yield from _instrument_answers(instrument, part, teacher_latent, False, rng)


def _instrument_answers(
    instrument: Instrument,
    part: int,
    latent: dict[str, float],
    bullied: bool,
    rng: np.random.Generator,
) -> Iterator[AnswerIn]:
    for construct_key, construct in instrument.constructs.items():
        items = instrument.items_for(construct_key)
        if construct.kind == "any_at_least":
            values = _victimisation(items, instrument, construct.threshold or 0, bullied, rng)
        else:
            level = latent.get(construct_key, 3.3)
            values = [
                _agreement(level, instrument.scales[item.scale], item.reverse, rng)
                for item in items
            ]
        for item, value in zip(items, values, strict=True):
            if rng.random() < 0.02:  # "I'd rather not say"
                value = None
            yield AnswerIn(instrument.id, instrument.version, item.key, value, part)


def _agreement(level: float, scale: Scale, reverse: bool, rng: np.random.Generator) -> int:
    span = scale.max - scale.min
    target = scale.min + (level - 1) / 3 * span + rng.normal(0, 0.3 * span / 3)
    value = int(np.clip(round(target), scale.min, scale.max))
    return scale.min + scale.max - value if reverse else value


def _victimisation(
    items,
    instrument: Instrument,
    threshold: int,
    bullied: bool,  # type: ignore[no-untyped-def]
    rng: np.random.Generator,
) -> list[int]:
    scale = instrument.scales[items[0].scale]
    below = [v for v in scale.values if v < threshold]
    at_or_above = [v for v in scale.values if v >= threshold]
    # Some children meet more unkindness than others, so "once or twice" answers go together:
    # each child has a propensity of their own, higher for a child who is bullied.
    propensity = rng.beta(2, 3) if bullied else rng.beta(1, 7)
    values = [int(below[-1]) if rng.random() < propensity else int(below[0]) for _ in items]
    if bullied:
        for index in rng.choice(len(items), size=int(rng.integers(1, 4)), replace=False):
            values[int(index)] = int(rng.choice(at_or_above))
    return values


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

"""CSV imports of groups, responses and incidents (DESIGN §10): all rows or none.

Every file is read whole and checked row by row before anything is written; a problem names
the row (as a spreadsheet numbers it, the header being row 1) and the column. Only when every
row is good are the rows stored, in one transaction that the caller commits.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

import instruments
from surveys.extensions import db
from surveys.models import (
    HANDLED_BY,
    INCIDENT_CATEGORIES,
    Group,
    Incident,
    School,
    SchoolYear,
    SurveyWave,
    User,
)
from surveys.services.accounts import AccountError, get_or_create_teacher, normalise_email
from surveys.services.messages import N_
from surveys.services.organisation import find_year, get_or_create_year, groups_by_name
from surveys.services.responses import AnswerIn, SubmissionError, submit_response

GROUP_COLUMNS = ("school_year", "group", "grades", "size", "teachers", "previous_group")
RESPONSE_COLUMNS = (
    "school_year",
    "wave",
    "group",
    "grade",
    "respondent",
    "instrument",
    "version",
    "item",
    "value",
)
INCIDENT_COLUMNS = ("date", "group", "category", "handled_by", "description")
MAX_PROBLEMS = 20
YEAR_RE = re.compile(r"^\d{4}-\d{4}$")


@dataclass(frozen=True)
class Problem:
    row: int
    column: str | None
    message: str
    #: The untranslated template of ``message`` and its values, for ``localised()``.
    template: str | None = field(default=None, compare=False)
    params: tuple[tuple[str, Any], ...] = field(default=(), compare=False)

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"

    @classmethod
    def of(cls, row: int, column: str | None, template: str, **params: Any) -> Problem:
        message = template % params if params else template
        return cls(row, column, message, template, tuple(params.items()))

    def localised(self) -> str:
        """The message in the visitor's language (web uploads show it)."""
        from flask_babel import gettext

        if self.template is None:
            return self.message
        return gettext(self.template, **dict(self.params)) if self.params else gettext(
            self.template)


class ImportRefused(ValueError):
    """The file was refused; ``problems`` lists what is wrong, row and column first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(str(problems[0]) if problems else "the file was refused")


@dataclass
class ImportResult:
    rows: int = 0
    created: dict[str, int] = field(default_factory=dict)

    def count(self, what: str, n: int = 1) -> None:
        self.created[what] = self.created.get(what, 0) + n


class RowError(ValueError):
    def __init__(self, column: str | None, message: str, **params: Any) -> None:
        self.column = column
        self.template = message
        self.params = params
        super().__init__(message % params if params else message)

    def problem(self, row: int) -> Problem:
        return Problem.of(row, self.column, self.template, **self.params)


def read_csv(data: bytes | str, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """The rows of a UTF-8 CSV (comma or semicolon) whose header is exactly ``columns``."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ImportRefused(
                [Problem.of(1, None, N_("the file is not UTF-8 text (%(reason)s)"),
                            reason=exc.reason)]
            ) from None
    else:
        text = data.removeprefix("\ufeff")
    if not text.strip():
        raise ImportRefused([Problem.of(1, None, N_("the file is empty"))])
    first_line = text.splitlines()[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = [h.strip() for h in next(reader)]
        missing = [c for c in columns if c not in header]
        extra = [h for h in header if h not in columns]
        if missing or extra or len(header) != len(set(header)):
            expected = ",".join(columns)
            if missing and extra:
                problem = Problem.of(
                    1, None,
                    N_("missing column(s) %(missing)s; unknown column(s) %(extra)s "
                       "(expected: %(expected)s)"),
                    missing=", ".join(missing), extra=", ".join(extra), expected=expected)
            elif missing:
                problem = Problem.of(1, None, N_("missing column(s) %(missing)s "
                                                 "(expected: %(expected)s)"),
                                     missing=", ".join(missing), expected=expected)
            elif extra:
                problem = Problem.of(1, None, N_("unknown column(s) %(extra)s "
                                                 "(expected: %(expected)s)"),
                                     extra=", ".join(extra), expected=expected)
            else:
                problem = Problem.of(1, None, N_("a column appears twice (expected: "
                                                 "%(expected)s)"), expected=expected)
            raise ImportRefused([problem])
        rows = []
        for values in reader:
            row_number = reader.line_num
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(header):
                raise ImportRefused(
                    [
                        Problem.of(
                            row_number,
                            None,
                            N_("has %(n)s fields where the header has %(header)s"),
                            n=len(values), header=len(header),
                        )
                    ]
                )
            rows.append((row_number, {h: v.strip() for h, v in zip(header, values, strict=True)}))
    except csv.Error as exc:
        raise ImportRefused([Problem.of(reader.line_num, None, N_("is not valid CSV (%(error)s)"),
                                        error=str(exc))]) from exc
    if not rows:
        raise ImportRefused([Problem.of(2, None, N_("the file has a header but no rows"))])
    return rows


def check_rows(
    rows: list[tuple[int, dict[str, str]]], check: Callable[[int, dict[str, str]], object]
) -> list[object]:
    """Run ``check`` over every row; collect problems and refuse the file if there are any."""
    problems: list[Problem] = []
    checked: list[object] = []
    for number, row in rows:
        try:
            checked.append(check(number, row))
        except RowError as exc:
            problems.append(exc.problem(number))
            if len(problems) >= MAX_PROBLEMS:
                break
    if problems:
        raise ImportRefused(problems)
    return checked


def parse_int(row: dict[str, str], column: str, low: int, high: int) -> int:
    raw = row[column]
    if not re.fullmatch(r"-?\d+", raw):
        raise RowError(column, N_("%(value)s is not a whole number"), value=repr(raw))
    value = int(raw)
    if not low <= value <= high:
        raise RowError(column, N_("%(value)s is outside %(low)s-%(high)s"), value=value, low=low,
                       high=high)
    return value


def parse_year(row: dict[str, str]) -> str:
    name = row["school_year"]
    try:
        SchoolYear.bounds(name)
    except ValueError as exc:
        raise RowError("school_year", str(exc)) from None
    return name


# --- groups ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupRow:
    number: int
    year: str
    name: str
    grades: tuple[int, ...]
    size: int
    teachers: tuple[str, ...]
    previous: str


def import_groups(school: School, data: bytes | str) -> ImportResult:
    """Create or update groups; school years and teacher accounts are created when missing."""
    rows = read_csv(data, GROUP_COLUMNS)
    seen: set[tuple[str, str]] = set()

    def check(number: int, row: dict[str, str]) -> GroupRow:
        year = parse_year(row)
        name = row["group"]
        if not name or len(name) > 100:
            raise RowError("group", N_("a group needs a name of at most 100 characters"))
        if (year, name) in seen:
            raise RowError("group", N_("%(name)s appears twice for %(year)s"), name=repr(name),
                           year=year)
        seen.add((year, name))
        raw_grades = [g.strip() for g in row["grades"].split(";") if g.strip()]
        if not raw_grades:
            raise RowError("grades", N_("give the grade(s), e.g. 5 or 3;4"))
        grades = []
        for g in raw_grades:
            if not g.isdigit() or not 1 <= int(g) <= 8:
                raise RowError("grades", N_("%(value)s is not a groep from 1 to 8"), value=repr(g))
            grades.append(int(g))
        size = parse_int(row, "size", 0, 60)
        teachers = []
        for address in (a.strip() for a in row["teachers"].split(";")):
            if address:
                try:
                    teachers.append(normalise_email(address))
                except AccountError as exc:
                    raise RowError("teachers", exc.template, **exc.params) from None
        return GroupRow(
            number,
            year,
            name,
            tuple(sorted(set(grades))),
            size,
            tuple(teachers),
            row["previous_group"],
        )

    checked: list[GroupRow] = check_rows(rows, check)  # type: ignore[assignment]
    # Cross-row checks: previous_group must name a group of the year before.
    in_file = {(r.year, r.name) for r in checked}
    problems = []
    for r in checked:
        if r.previous:
            start = int(r.year[:4])
            previous_year = f"{start - 1}-{start}"
            exists = (previous_year, r.previous) in in_file
            if not exists:
                year_row = find_year(school, previous_year)
                exists = year_row is not None and r.previous in groups_by_name(year_row)
            if not exists:
                problems.append(
                    Problem.of(r.number, "previous_group", N_("no group %(name)s in %(year)s"),
                               name=repr(r.previous), year=previous_year)
                )
        for address in r.teachers:
            user = db.session.scalar(select(User).where(User.email == address))
            if user is not None and (user.school_id != school.id or user.role != "teacher"):
                problems.append(
                    Problem.of(r.number, "teachers",
                               N_("%(email)s is not a teacher account of this school"),
                               email=address)
                )
    if problems:
        raise ImportRefused(problems[:MAX_PROBLEMS])

    result = ImportResult(rows=len(checked))
    for r in sorted(checked, key=lambda r: r.year):
        year = get_or_create_year(school, r.year)
        existing = groups_by_name(year).get(r.name)
        group = existing or Group(school_year=year, name=r.name)
        if existing is None:
            db.session.add(group)
            result.count("groups")
        group.grades = list(r.grades)
        group.size = r.size
        group.set_teachers([get_or_create_teacher(school, a) for a in r.teachers])
        if r.previous:
            start = int(r.year[:4])
            previous_year = find_year(school, f"{start - 1}-{start}")
            group.previous_group = groups_by_name(previous_year).get(r.previous)  # type: ignore[arg-type]
        db.session.flush()
    return result


# --- responses -------------------------------------------------------------------------------


def import_responses(school: School, data: bytes | str) -> ImportResult:
    """Store responses, one row per answer; a wave named in the file is created when missing."""
    rows = read_csv(data, RESPONSE_COLUMNS)
    years: dict[str, SchoolYear | None] = {}
    groups: dict[str, dict[str, Group]] = {}
    respondents: dict[str, tuple[str, str, str, int]] = {}
    answered: set[tuple[str, str, int, str]] = set()

    def check(number: int, row: dict[str, str]) -> tuple[tuple[str, str, str, int, str], AnswerIn]:
        year_name = parse_year(row)
        if year_name not in years:
            years[year_name] = find_year(school, year_name)
            groups[year_name] = groups_by_name(years[year_name]) if years[year_name] else {}
        if years[year_name] is None:
            raise RowError("school_year", f"{year_name} has no groups yet: import the groups first")
        wave = row["wave"]
        if not wave or len(wave) > 100:
            raise RowError("wave", "a wave needs a name of at most 100 characters")
        group = groups[year_name].get(row["group"])
        if group is None:
            raise RowError("group", f"no group {row['group']!r} in {year_name}")
        grade = parse_int(row, "grade", 1, 8)
        if grade not in group.grades:
            raise RowError("grade", f"groep {grade} is not a grade of {group.name}")
        respondent = row["respondent"]
        if not respondent:
            raise RowError("respondent", "the respondent label is empty")
        place = (year_name, wave, group.name, grade)
        if respondents.setdefault(respondent, place) != place:
            raise RowError(
                "respondent",
                f"respondent {respondent!r} appears earlier with another "
                "school year, wave, group or grade",
            )
        version = parse_int(row, "version", 1, 10_000)
        try:
            instrument = instruments.get(row["instrument"], version)
        except KeyError:
            raise RowError(
                "instrument", f"unknown instrument {row['instrument']!r} version {version}"
            ) from None
        if grade not in instrument.grades:
            raise RowError("instrument", f"{instrument.id} is not for groep {grade}")
        try:
            item = instrument.item(row["item"])
        except KeyError:
            raise RowError("item", f"{instrument.id} has no item {row['item']!r}") from None
        value: int | None = None
        if row["value"] != "":
            scale = instrument.scales[item.scale]
            value = parse_int(row, "value", scale.min, scale.max)
            if value not in scale.values:
                raise RowError("value", f"{value} is not an answer value of {item.key}")
        key = (respondent, instrument.id, version, item.key)
        if key in answered:
            raise RowError("item", f"respondent {respondent!r} answers {item.key} twice")
        answered.add(key)
        part = 1 if instrument.is_teacher_feedback else 0
        return (year_name, wave, group.name, grade, respondent), AnswerIn(
            instrument.id, version, item.key, value, part
        )

    checked = check_rows(rows, check)
    by_respondent: dict[tuple[str, str, str, int, str], list[AnswerIn]] = {}
    first_row: dict[tuple[str, str, str, int, str], int] = {}
    for (number, _row), (key, answer) in zip(rows, checked, strict=True):  # type: ignore[misc]
        by_respondent.setdefault(key, []).append(answer)
        first_row.setdefault(key, number)

    result = ImportResult(rows=len(rows))
    waves: dict[tuple[str, str], SurveyWave] = {}
    for key, answers in by_respondent.items():
        year_name, wave_name, group_name, grade, _label = key
        year = years[year_name]
        assert year is not None
        wave = waves.get((year_name, wave_name))
        if wave is None:
            wave = db.session.scalar(
                select(SurveyWave).where(
                    SurveyWave.school_year_id == year.id, SurveyWave.name == wave_name
                )
            )
            if wave is None:
                wave = SurveyWave(
                    school_year=year,
                    name=wave_name,
                    starts_on=year.starts_on,
                    ends_on=year.ends_on,
                    status="closed",
                    k=school.settings.k if school.settings else 5,
                )
                db.session.add(wave)
                db.session.flush()
                result.count("waves")
            waves[(year_name, wave_name)] = wave
        try:
            submit_response(
                wave=wave,
                group=groups[year_name][group_name],
                grade=grade,
                answers=answers,
                submitted_on=min(year.ends_on, dt.date.today()),
            )
        except SubmissionError as exc:
            raise ImportRefused(
                [Problem(first_row[key], None, f"respondent {key[4]!r}: {exc}")]
            ) from None
        result.count("responses")
    return result


# --- incidents -------------------------------------------------------------------------------


def import_incidents(
    school: School, data: bytes | str, *, user: User | None = None
) -> ImportResult:
    """Register incidents; the group is looked up in the school year of the incident's date."""
    rows = read_csv(data, INCIDENT_COLUMNS)
    years: dict[str, SchoolYear | None] = {}

    def check(number: int, row: dict[str, str]) -> Incident:
        try:
            day = dt.date.fromisoformat(row["date"])
        except ValueError:
            raise RowError("date", N_("%(value)s is not a date like 2026-10-14"),
                           value=repr(row["date"])) from None
        if day > dt.date.today():
            raise RowError("date", N_("%(date)s lies in the future"), date=day.isoformat())
        year_name = SchoolYear.name_for(day)
        if year_name not in years:
            years[year_name] = find_year(school, year_name)
        year = years[year_name]
        if year is None:
            raise RowError("date", N_("school year %(year)s has no groups yet: import them first"),
                           year=year_name)
        group = None
        if row["group"]:
            group = groups_by_name(year).get(row["group"])
            if group is None:
                raise RowError("group", N_("no group %(name)s in %(year)s"),
                               name=repr(row["group"]), year=year_name)
        category = row["category"].lower()
        if category not in INCIDENT_CATEGORIES:
            raise RowError("category", N_("%(value)s is not one of %(choices)s"),
                           value=repr(row["category"]), choices=", ".join(INCIDENT_CATEGORIES))
        handled_by = row["handled_by"].lower()
        if handled_by not in HANDLED_BY:
            raise RowError("handled_by", N_("%(value)s is not one of %(choices)s"),
                           value=repr(row["handled_by"]), choices=", ".join(HANDLED_BY))
        if len(row["description"]) > 2000:
            raise RowError("description", N_("is longer than 2000 characters"))
        return Incident(
            school_year=year,
            group=group,
            occurred_on=day,
            category=category,
            handled_by=handled_by,
            description=row["description"] or None,
            created_by_id=user.id if user else None,
        )

    incidents: list[Incident] = check_rows(rows, check)  # type: ignore[assignment]
    db.session.add_all(incidents)
    db.session.flush()
    result = ImportResult(rows=len(incidents))
    result.count("incidents", len(incidents))
    return result


def iter_problems(error: ImportRefused) -> Iterator[str]:
    yield from (str(p) for p in error.problems)


__all__: Iterable[str] = [
    "ImportRefused",
    "ImportResult",
    "Problem",
    "import_groups",
    "import_incidents",
    "import_responses",
    "read_csv",
]

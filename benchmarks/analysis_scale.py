"""Analysis at scale: the attention list and the director's overview against their SQL floor.

Three cases (issue 7, item 3), each on a fresh database:

- ``school``: the demo school with ten school years (``--quick``: three), on SQLite and
  PostgreSQL. The director's overview over HTTP (Flask test client, as
  ``benchmarks/overview.py``), the same figures without HTTP and HTML, and the attention list
  (``attention_for``, what ``flask attention`` runs).
- ``board``: ``build_demo(schools=50, years=5)``, i.e. ``flask --app surveys demo --schools 50
  --years 5`` (``--quick``: 5 schools, 2 years, PostgreSQL only). The attention lists of all
  schools of the board together (``attention_lists``, one request), and one school after the
  other for comparison.
- ``national``: PostgreSQL only. One ordinary school (the demo school, three years) and, in the
  same database, a national school year of 700,000 responses (``--quick``: 10,000) in about
  4,100 schools, written with ``COPY`` into the tables the project's migrations made. The
  attention list (and the overview) of the ordinary school.

The floor of each is one hand-written SQL ``GROUP BY`` that computes the same group means
(count, mean and mean square of every safety construct, per wave and group) over the same
waves, sent through the raw driver: what the database alone needs to hand over the numbers the
analysis starts from. ``ratio`` is the analysis's median over the floor's median.

Data are generated in one subprocess and measured in another, fresh one (like a worker that
serves requests), whose peak resident memory (``ru_maxrss``) is reported; so is the
generator's. PostgreSQL databases are created on the server of ``BENCH_DATABASE_URL``
(default ``postgresql+psycopg://postgres@127.0.0.1:5432/test``) and dropped afterwards, and
vacuumed and analysed after loading, as autovacuum soon would on a live server; SQLite files
live in a temporary directory (the demo builder analyses them itself).

Run ``.venv/bin/python -m benchmarks.analysis_scale [--quick] [--engine sqlite|postgresql|both]
[--case school,board,national] [--national-answers]``. Prints a table per case and writes
``benchmarks/results/analysis_scale.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from benchmarks.common import PG_DEFAULT, peak_rss_mb, save

CASES = ("school", "board", "national")
DEMO_SLUG = "vlinderboom"

#: Sizes and repetitions per mode.
SIZES: dict[str, dict[str, Any]] = {
    "full": {
        "school_years": 10, "board_schools": 50, "board_years": 5,
        "national_responses": 700_000, "national_school_years": 3,
        "requests": 20, "repeats": 20, "board_repeats": 5, "overview_extra": 10,
    },
    "quick": {
        "school_years": 3, "board_schools": 5, "board_years": 2,
        "national_responses": 10_000, "national_school_years": 3,
        "requests": 5, "repeats": 5, "board_repeats": 2, "overview_extra": 3,
        "skip": ("board/sqlite",),  # the full run has it; the school case tries SQLite here
    },
}

#: The targets of issue 7 (seconds, megabytes, ratio).
TARGETS = {"school_overview_s": 0.5, "board_attention_s": 2.0, "national_attention_s": 0.5,
           "ratio": 2.0, "worker_rss_mb": 200.0}


# --- databases ---------------------------------------------------------------------------------


@contextlib.contextmanager
def fresh_database(engine: str, label: str) -> Iterator[str]:
    """An empty database: a SQLite file, or a PostgreSQL database created and then dropped."""
    if engine == "sqlite":
        with tempfile.TemporaryDirectory(prefix="kk-scale-") as tmp:
            yield f"sqlite:///{tmp}/{label}.sqlite3"
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = make_url(os.environ.get("BENCH_DATABASE_URL", PG_DEFAULT))
    name = f"kk_scale_{label}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def postgres_unreachable() -> str | None:
    """Why the benchmark's PostgreSQL server cannot be used, or None when it can."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    engine = create_engine(os.environ.get("BENCH_DATABASE_URL", PG_DEFAULT))
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        return str(exc.orig).strip().splitlines()[0]
    finally:
        engine.dispose()
    return None


def make_app(url: str, *, migrate: bool = False) -> Any:
    """The application on ``url`` (migrated to head first when ``migrate``)."""
    from surveys import create_app
    from surveys.extensions import db

    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url,
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
    if migrate:
        from surveys.migrate import upgrade

        with app.app_context():
            upgrade(db.engine)
    return app


def current_rss_mb() -> float:
    """This process's resident memory now (Linux), in MB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return float("nan")


def dataset(app: Any) -> dict[str, Any]:
    """How much the database holds: rows per table that matters, and its size on disk."""
    from sqlalchemy import func, select, text

    from surveys.extensions import db
    from surveys.models import (
        Answer,
        ConstructScore,
        Group,
        Incident,
        Response,
        School,
        SurveyWave,
    )

    with app.app_context():
        out: dict[str, Any] = {
            name: db.session.scalar(select(func.count()).select_from(model))
            for name, model in (("schools", School), ("waves", SurveyWave), ("groups", Group),
                                ("responses", Response), ("answers", Answer),
                                ("construct_scores", ConstructScore),
                                ("incidents", Incident))}
        if db.engine.dialect.name == "postgresql":
            size = db.session.scalar(text("SELECT pg_database_size(current_database())"))
        else:  # the database file and its write-ahead log
            main = Path(db.engine.url.database or "")
            size = sum(p.stat().st_size for p in (main, main.with_name(main.name + "-wal"))
                       if p.exists())
        out["database_mb"] = round(int(size) / 1e6, 1)
        db.session.remove()
    return out


def analyze(app: Any) -> None:
    """Refresh PostgreSQL's planner statistics, as autovacuum does after a large load."""
    from sqlalchemy import text

    from surveys.extensions import db

    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))


# --- generating ---------------------------------------------------------------------------------


def generate(case: str, url: str, sizes: dict[str, Any]) -> dict[str, Any]:
    """Build the case's data on ``url``; return the timings and what was built."""
    from surveys.extensions import db
    from surveys.services.demo import build_demo

    app = make_app(url, migrate=True)
    out: dict[str, Any] = {}
    with app.app_context():
        start = time.perf_counter()
        if case == "school":
            build_demo(schools=1, years=sizes["school_years"], seed=2026)
            out["demo_s"] = time.perf_counter() - start
            out["command"] = f"flask --app surveys demo --years {sizes['school_years']}"
        elif case == "board":
            build_demo(schools=sizes["board_schools"], years=sizes["board_years"], seed=2026)
            out["demo_s"] = time.perf_counter() - start
            out["command"] = (f"flask --app surveys demo --schools {sizes['board_schools']} "
                              f"--years {sizes['board_years']}")
        else:
            build_demo(schools=1, years=sizes["national_school_years"], seed=2026)
            out["demo_s"] = time.perf_counter() - start
            start = time.perf_counter()
            out["national"] = national_year(sizes["national_responses"], seed=7,
                                            with_answers=sizes.get("national_answers", False))
            out["national_s"] = time.perf_counter() - start
        db.session.remove()
    start = time.perf_counter()
    analyze(app)
    out["analyze_s"] = time.perf_counter() - start
    out["dataset"] = dataset(app)
    with app.app_context():
        db.engine.dispose()
    out["peak_rss_mb"] = peak_rss_mb()
    return out


#: A national school: groups of groep 1-2 (no questionnaire) and of groep 3-8; a small school
#: combines grades, a large one has parallel groups.
SMALL_SCHOOL = (((1, 2), "Groep 1/2"), ((3, 4), "Groep 3/4"), ((5, 6), "Groep 5/6"),
                ((7, 8), "Groep 7/8"))


def _national_groups(rng: Any) -> list[tuple[str, tuple[int, ...], int]]:
    """(name, grades, size) of one school's groups."""
    kind = rng.random()
    if kind < 0.15:
        return [(name, grades, int(rng.integers(18, 30))) for grades, name in SMALL_SCHOOL]
    parallel = 1 if kind < 0.7 else 2 if kind < 0.95 else 3
    out = [(f"Groep 1/2{'abc'[i]}", (1, 2), int(rng.integers(20, 29))) for i in range(parallel)]
    for grade in range(3, 9):
        for i in range(parallel):
            suffix = "abc"[i] if parallel > 1 else ""
            out.append((f"Groep {grade}{suffix}", (grade,), int(rng.integers(21, 31))))
    return out


def national_year(responses: int, *, seed: int, with_answers: bool = False,
                  groups_per_chunk: int = 2_500) -> dict[str, Any]:
    """A national school year on PostgreSQL: ``responses`` responses in as many schools as that
    takes, written with ``COPY`` in the session's transaction, and committed.

    Boards of 20 schools; per school its settings, the current school year, an autumn wave with
    its instruments, groups with their grades, incidents, and the responses with the construct
    scores of the safety questionnaire (``veiligheid``, ``welbevinden``, ``gepest``, ``hulp``,
    computed by the submission's own scoring). Left out unless ``with_answers``: the item
    answers (about 15 per response); always left out: teacher feedback (its answers and
    scores) and staff accounts, which the attention list does not read.

    Loaded the way ``pg_restore`` loads: the indexes and keys of the responses, answers and
    construct_scores tables (and the foreign keys that point at them) are dropped first and
    built again after the rows are in, which checks every foreign key once.
    """
    import numpy as np
    from sqlalchemy import text

    import instruments
    from surveys.extensions import db
    from surveys.models import (
        Board,
        Group,
        GroupGrade,
        Incident,
        School,
        SchoolSettings,
        SchoolYear,
        SurveyWave,
        WaveInstrument,
    )
    from surveys.services.demo import (
        CATEGORY_WEIGHTS,
        Climate,
        ResponseRows,
        Scorer,
        school_year_names,
        simulate_pupils,
        typical_climate,
        write_rows,
    )
    from surveys.services.responses import instrument_version_id

    rng = np.random.default_rng(seed)
    conn = db.session.connection()
    for grade in range(3, 9):  # register the instrument versions through the application
        for instrument in instruments.for_grade(grade, teacher_feedback=True):
            instrument_version_id(instrument)

    def next_id(table: str) -> int:
        sql = f'SELECT coalesce(max(id), 0) + 1 FROM "{table}"'
        return int(conn.execute(text(sql)).scalar())

    board_id, school_id, year_id = next_id("boards"), next_id("schools"), next_id("school_years")
    wave_id, group_id = next_id("survey_waves"), next_id("groups")
    incident_id = next_id("incidents")
    year_name = school_year_names(1)[0]
    starts_on, ends_on = SchoolYear.bounds(year_name)
    wave_start = dt.date(starts_on.year, 10, 1)
    submitted_on = wave_start + dt.timedelta(days=10)
    now = dt.datetime.now(dt.UTC)
    categories = list(CATEGORY_WEIGHTS)
    weights = np.array(list(CATEGORY_WEIGHTS.values()), dtype=float)
    weights /= weights.sum()
    span = max((min(ends_on, dt.date.today()) - starts_on).days, 1)

    org: dict[str, list[tuple]] = {k: [] for k in (
        "boards", "schools", "settings", "years", "waves", "wave_instruments", "groups",
        "grades", "incidents")}
    plans: list[tuple[int, int, tuple[int, ...], int]] = []  # wave, group, grades, respondents
    wave_instruments = [(grade, i.id, i.version) for grade in range(3, 9)
                        for i in instruments.for_grade(grade, teacher_feedback=True)]
    total = 0
    n_schools = 0
    while total < responses:
        if n_schools % 20 == 0:
            org["boards"].append((board_id, f"Stichting {board_id} (synthetisch)"))
            board_id += 1
        org["schools"].append((school_id, board_id - 1, f"nl-{school_id:05d}",
                               f"Basisschool {school_id}"))
        org["settings"].append((school_id, "", "", 5, 5, False, "nl", dt.time(15, 30)))
        org["years"].append((year_id, school_id, year_name, starts_on, ends_on))
        org["waves"].append((wave_id, year_id, f"Najaar {starts_on.year}", wave_start,
                             wave_start + dt.timedelta(days=45), "closed", 5, False, True))
        org["wave_instruments"].extend((wave_id, *wi) for wi in wave_instruments)
        for name, grades, size in _national_groups(rng):
            org["groups"].append((group_id, year_id, name, size, None))
            org["grades"].extend((group_id, g) for g in grades)
            for _ in range(int(rng.poisson(0.6 if 1 in grades else 1.2))):
                day = starts_on + dt.timedelta(days=int(rng.integers(0, span)))
                org["incidents"].append((
                    incident_id, year_id, group_id, day, str(rng.choice(categories, p=weights)),
                    "plein", "leraar", True, "afgerond", None, None, now))
                incident_id += 1
            if max(grades) >= 3 and total < responses:
                n = min(round(size * float(rng.uniform(0.78, 0.98))), responses - total)
                plans.append((wave_id, group_id, grades, n))
                total += n
            group_id += 1
        school_id, year_id, wave_id = school_id + 1, year_id + 1, wave_id + 1
        n_schools += 1

    start = time.perf_counter()
    restore = without_indexes(conn, ("responses", "answers", "construct_scores"))
    for key, model, columns in (
        ("boards", Board, ("id", "name")),
        ("schools", School, ("id", "board_id", "slug", "name")),
        ("settings", SchoolSettings, ("school_id", "vertrouwenspersoon_name",
                                      "vertrouwenspersoon_contact", "k", "retention_years",
                                      "director_sees_teacher_feedback", "default_language",
                                      "school_day_ends")),
        ("years", SchoolYear, ("id", "school_id", "name", "starts_on", "ends_on")),
        ("waves", SurveyWave, ("id", "school_year_id", "name", "starts_on", "ends_on", "status",
                               "k", "one_time_codes", "teacher_feedback")),
        ("wave_instruments", WaveInstrument, ("wave_id", "grade", "instrument_id", "version")),
        ("groups", Group, ("id", "school_year_id", "name", "size", "previous_group_id")),
        ("grades", GroupGrade, ("group_id", "grade")),
        ("incidents", Incident, ("id", "school_year_id", "group_id", "occurred_on", "category",
                                 "location", "handled_by", "parents_informed", "follow_up",
                                 "description", "created_by_id", "created_at")),
    ):
        write_rows(conn, model.__table__, columns, org[key])
    org_s = time.perf_counter() - start

    rows = ResponseRows(Scorer(), with_answers=with_answers)
    simulate_s = write_s = 0.0
    for begin in range(0, len(plans), groups_per_chunk):
        start = time.perf_counter()
        part = plans[begin:begin + groups_per_chunk]
        # Each group's climate, then each pupil's group and grade: pupils of one grade are drawn
        # together across the chunk's groups, each around their own group's climate.
        climates = [typical_climate(rng) for _ in part]
        counts = np.array([n for *_, n in part])
        owner = np.repeat(np.arange(len(part)), counts)
        grade = np.concatenate([rng.choice([g for g in grades if g >= 3], size=n)
                                for _, _, grades, n in part])
        fields = {f: np.array([getattr(c, f) for c in climates])[owner]
                  for f in ("safety", "wellbeing", "help", "bullied_share", "teacher")}
        for g in sorted(set(grade.tolist())):
            who = np.flatnonzero(grade == g)
            climate = Climate(**{f: v[who] for f, v in fields.items()})  # one value per pupil
            blocks = simulate_pupils(g, 0, climate, len(who), rng, teacher_feedback=False)
            owners = owner[who]
            cuts = [0, *(np.flatnonzero(np.diff(owners)) + 1).tolist(), len(who)]
            for a, b in itertools.pairwise(cuts):
                wave, group = part[int(owners[a])][:2]
                rows.add(wave, group, g, submitted_on,
                         [dataclasses.replace(k, values=k.values[a:b], skipped=k.skipped[a:b])
                          for k in blocks], [])
        simulate_s += time.perf_counter() - start
        start = time.perf_counter()
        rows.write(conn)
        write_s += time.perf_counter() - start

    for table in ("boards", "schools", "school_years", "survey_waves", "groups", "incidents"):
        conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                          f"(SELECT max(id) FROM \"{table}\"))"))
    start = time.perf_counter()
    restore()
    rebuild_s = time.perf_counter() - start
    db.session.commit()
    return {
        "schools": n_schools, "groups": len(org["groups"]), "responses": total,
        "incidents": len(org["incidents"]), "with_answers": with_answers,
        "left_out": ([] if with_answers else
                     ["item answers of the safety questionnaire (answers table)"])
        + ["teacher feedback (its answers and construct scores)", "staff accounts",
           "a previous school year (the national schools have one year)"],
        "organisation_copy_s": org_s, "simulate_and_score_s": simulate_s, "copy_s": write_s,
        "indexes_and_keys_rebuilt_s": rebuild_s,
    }


def without_indexes(conn: Any, tables: tuple[str, ...]) -> Callable[[], None]:
    """Drop the indexes, keys and foreign keys of ``tables`` (and foreign keys that point at
    them); return the function that builds them again, keys before foreign keys."""
    from sqlalchemy import text

    constraints = conn.execute(text(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), contype "
        "FROM pg_constraint WHERE contype IN ('p', 'u', 'f') "
        "AND (conrelid::regclass::text = ANY(:t) OR confrelid::regclass::text = ANY(:t))"),
        {"t": list(tables)}).all()
    indexes = conn.execute(text(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
        "AND tablename = ANY(:t) AND indexname NOT IN (SELECT conname FROM pg_constraint)"),
        {"t": list(tables)}).all()
    for table, name, _definition, _kind in sorted(constraints, key=lambda c: c[3] != "f"):
        conn.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
    for name, _definition in indexes:
        conn.execute(text(f'DROP INDEX "{name}"'))

    def restore() -> None:
        conn.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
        for _name, definition in indexes:
            conn.execute(text(definition))
        for table, name, definition, _kind in sorted(constraints, key=lambda c: c[3] == "f"):
            conn.execute(text(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'))

    return restore


# --- measuring ---------------------------------------------------------------------------------


def timed(call: Callable[[], Any], repeats: int, warmup: int = 1) -> dict[str, float]:
    """Median and slowest of ``repeats`` calls, after ``warmup`` untimed ones."""
    for _ in range(warmup):
        call()
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        timings.append(time.perf_counter() - start)
    return {"median_s": statistics.median(timings), "max_s": max(timings), "repeats": repeats}


def floor_sql(wave_ids: list[int]) -> str:
    """The hand-written floor: every group's count, mean and mean square of each safety
    construct in these waves."""
    from surveys.services.analysis_data import SAFETY_CONSTRUCTS

    waves = ", ".join(str(int(w)) for w in wave_ids)
    constructs = ", ".join(f"'{c}'" for c in SAFETY_CONSTRUCTS)
    return (
        "SELECT r.wave_id, r.group_id, s.construct, count(s.common), avg(s.common), "
        "avg(s.common * s.common) "
        "FROM construct_scores s JOIN responses r ON r.id = s.response_id "
        f"WHERE r.wave_id IN ({waves}) AND s.part = 0 AND s.construct IN ({constructs}) "
        "GROUP BY r.wave_id, r.group_id, s.construct"
    )


def time_floor(app: Any, wave_ids: list[int], repeats: int) -> dict[str, Any]:
    """The floor's median and slowest, through the raw driver connection."""
    from surveys.extensions import db

    sql = floor_sql(wave_ids)
    with app.app_context():
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            rows: list[Any] = []

            def run() -> None:
                cursor.execute(sql)
                rows[:] = cursor.fetchall()

            result = timed(run, repeats)
            raw.rollback()
        finally:
            raw.close()
    return {**result, "waves": len(wave_ids), "rows": len(rows), "sql": sql}


def chain_waves(slug: str, year_name: str, depth: int | None) -> list[int]:
    """The ids of the waves the analysis reads: this year's and ``depth - 1`` earlier ones."""
    from surveys.services.analysis_data import find_wave, wave_chain
    from surveys.services.organisation import find_year, get_school

    year = find_year(get_school(slug), year_name)
    assert year is not None
    wave = find_wave(year, None)
    assert wave is not None
    return [w.id for _, w in wave_chain(year, wave, depth)]


def latest_year(app: Any) -> str:
    from sqlalchemy import func, select

    from surveys.extensions import db
    from surveys.models import SchoolYear

    with app.app_context():
        return str(db.session.scalar(select(func.max(SchoolYear.name))))


def attention_of(app: Any, slugs: list[str], year_name: str) -> Callable[[], None]:
    """One call: the attention lists of ``slugs`` one school after the other, each as ``flask
    attention`` makes it, in one application context (one request)."""
    from surveys.services.analysis_data import attention_for
    from surveys.services.organisation import get_school

    def run() -> None:
        with app.app_context():
            for slug in slugs:
                attention_for(get_school(slug), year_name).to_json_dict("nl")

    return run


def board_attention_of(app: Any, slugs: list[str], year_name: str) -> Callable[[], None]:
    """One call: the attention lists of ``slugs`` together (``attention_lists``: the schools'
    data read in one set of queries), in one application context (one request)."""
    from sqlalchemy import select

    from surveys.extensions import db
    from surveys.models import School
    from surveys.services.analysis_data import attention_lists

    def run() -> None:
        with app.app_context():
            schools = list(db.session.scalars(select(School).where(School.slug.in_(slugs))))
            lists = attention_lists(schools, year_name)
            assert len(lists) == len(slugs)
            for result in lists.values():
                result.to_json_dict("nl")

    return run


def statistics_of(app: Any, slug: str, year_name: str) -> Callable[[], None]:
    """One call: only the statistics of one attention list, its data read beforehand."""
    from analysis.attention import attention_list
    from analysis.policy import AttentionPolicy
    from surveys.services.analysis_data import effective_k, find_wave, wave_data
    from surveys.services.organisation import find_year, get_school

    with app.app_context():
        school = get_school(slug)
        year = find_year(school, year_name)
        wave = find_wave(year, None)  # type: ignore[arg-type]
        data = wave_data(school, year, wave)  # type: ignore[arg-type]
        policy = AttentionPolicy(k=effective_k(school, wave))  # type: ignore[arg-type]

    def run() -> None:
        attention_list(data, policy).to_json_dict("nl")

    return run


def overview_service_of(app: Any, slug: str, year_name: str) -> Callable[[], None]:
    """One call: the overview's figures and summary without HTTP and HTML."""
    from surveys.services.analysis_data import find_wave
    from surveys.services.organisation import find_year, get_school
    from surveys.services.results import school_overview
    from surveys.services.summary import summary_sentences

    def run() -> None:
        # the summary speaks the request's language, so it needs a request
        with app.test_request_context("/results/school"):
            school = get_school(slug)
            year = find_year(school, year_name)
            wave = find_wave(year, None)  # type: ignore[arg-type]
            summary_sentences(school_overview(school, year, wave))  # type: ignore[arg-type]

    return run


def measure(case: str, url: str, sizes: dict[str, Any]) -> dict[str, Any]:
    """Time the case's analysis and its floor in this (fresh) process."""
    from sqlalchemy import select

    from benchmarks.overview import director_client, time_overview
    from surveys.extensions import db
    from surveys.models import School

    app = make_app(url)
    year_name = latest_year(app)
    repeats = sizes["repeats"]
    out: dict[str, Any] = {"school_year": year_name}
    with app.app_context():
        slugs = list(db.session.scalars(select(School.slug).order_by(School.id)))
        if case == "board":
            slugs = slugs[: sizes["board_schools"]]
        attention_waves = [w for s in (slugs if case == "board" else [DEMO_SLUG])
                           for w in chain_waves(s, year_name, 2)]
        all_waves = chain_waves(DEMO_SLUG, year_name, None)
        db.session.remove()
    if case == "board":
        board = sizes["board_repeats"]
        out["attention"] = timed(board_attention_of(app, slugs, year_name), board)
        out["attention"]["schools"] = len(slugs)
        out["attention_one_by_one"] = timed(attention_of(app, slugs, year_name), board)
        out["attention_floor"] = time_floor(app, attention_waves, board)
        out["attention_one_school"] = timed(attention_of(app, [DEMO_SLUG], year_name), repeats)
    else:
        out["attention"] = timed(attention_of(app, [DEMO_SLUG], year_name), repeats)
        out["attention_floor"] = time_floor(app, attention_waves, repeats)
    out["attention_statistics"] = timed(statistics_of(app, DEMO_SLUG, year_name), repeats)
    out["rss_after_attention_mb"] = current_rss_mb()
    requests = sizes["requests"] if case == "school" else sizes["overview_extra"]
    out["overview_service"] = timed(overview_service_of(app, DEMO_SLUG, year_name), requests)
    out["overview"] = time_overview(director_client(app), requests)
    out["overview"]["years"] = len(all_waves)
    out["overview_floor"] = time_floor(app, all_waves, repeats)
    with app.app_context():
        db.engine.dispose()
    out["peak_rss_mb"] = peak_rss_mb()
    out["rss_end_mb"] = current_rss_mb()
    return out


# --- the parent: run the cases in subprocesses and report ----------------------------------------


def child(step: str, case: str, url: str, mode: str, national_answers: bool) -> dict[str, Any]:
    """Run ``step`` of ``case`` in a fresh interpreter; return what it printed last (JSON)."""
    command = [sys.executable, "-m", "benchmarks.analysis_scale", "--step", step, "--case", case,
               "--url", url, "--mode", mode]
    if national_answers:
        command.append("--national-answers")
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False,
                          cwd=Path(__file__).resolve().parent.parent)
    if done.returncode != 0:
        raise RuntimeError(f"{step} {case} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall_s"] = time.perf_counter() - start
    return result


def ratio(analysis: dict[str, float], floor: dict[str, float]) -> float:
    return analysis["median_s"] / floor["median_s"] if floor["median_s"] else float("nan")


def summarise(case: str, engine: str, gen: dict[str, Any], got: dict[str, Any]) -> dict[str, Any]:
    """Ratios and target verdicts for one case on one engine."""
    rows: dict[str, Any] = {
        "attention_ratio": ratio(got["attention"], got["attention_floor"]),
        # the attention list without its statistics: reading the data and building WaveData
        "attention_reading_ratio": (
            (got["attention"]["median_s"] - got["attention_statistics"]["median_s"])
            / got["attention_floor"]["median_s"]) if case != "board" else None,
        "overview_ratio": ratio(got["overview"], got["overview_floor"]),
        "overview_service_ratio": ratio(got["overview_service"], got["overview_floor"]),
    }
    targets: dict[str, Any] = {}
    if case == "school":
        targets["overview_under_0.5s"] = got["overview"]["median_s"] < TARGETS["school_overview_s"]
    if case == "board":
        targets["all_attention_lists_under_2s"] = (
            got["attention"]["median_s"] < TARGETS["board_attention_s"])
    if case == "national":
        targets["attention_under_0.5s"] = (
            got["attention"]["median_s"] < TARGETS["national_attention_s"])
    targets["attention_within_2x_floor"] = rows["attention_ratio"] <= TARGETS["ratio"]
    if case == "school":
        targets["overview_within_2x_floor"] = rows["overview_ratio"] <= TARGETS["ratio"]
    targets["worker_rss_under_200mb"] = got["peak_rss_mb"] < TARGETS["worker_rss_mb"]
    rows["targets"] = targets
    return rows


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def report_lines(case: str, engine: str, gen: dict[str, Any], got: dict[str, Any],
                 verdict: dict[str, Any]) -> list[str]:
    d = gen["dataset"]
    built = f"{gen['demo_s']:.1f} s" + (
        f" + national {gen['national_s']:.1f} s" if "national_s" in gen else "")
    lines = [
        f"\n## {case} on {engine}: {d['schools']:,} schools, {d['groups']:,} groups, "
        f"{d['responses']:,} responses, {d['answers']:,} answers, "
        f"{d['construct_scores']:,} scores ({d['database_mb']:,} MB); built in {built}, "
        f"analyze {gen['analyze_s']:.1f} s, generator peak RSS {gen['peak_rss_mb']} MB",
        "| what | median | slowest | SQL floor (median) | ratio |",
        "|---|---|---|---|---|",
    ]
    att, floor = got["attention"], got["attention_floor"]
    label = (f"attention lists of all {att['schools']} schools together" if case == "board"
             else "attention list of the demo school")
    lines.append(f"| {label} | {_ms(att['median_s'])} | {_ms(att['max_s'])} | "
                 f"{_ms(floor['median_s'])} ({floor['waves']} waves, {floor['rows']} rows) | "
                 f"{verdict['attention_ratio']:.1f}× |")
    if case == "board":
        each = got["attention_one_by_one"]
        lines.append(f"| the same, one school after the other | {_ms(each['median_s'])} | "
                     f"{_ms(each['max_s'])} | | {ratio(each, floor):.1f}× |")
        one = got["attention_one_school"]
        lines.append(f"| attention list of one school of the board | {_ms(one['median_s'])} | "
                     f"{_ms(one['max_s'])} | | |")
    stats = got["attention_statistics"]
    lines.append(f"| of which the statistics of one school (data already read) | "
                 f"{_ms(stats['median_s'])} | {_ms(stats['max_s'])} | | |")
    if case != "board":
        lines.append(f"| so reading the data takes about | "
                     f"{_ms(att['median_s'] - stats['median_s'])} | | | "
                     f"{verdict['attention_reading_ratio']:.1f}× |")
    ov, of = got["overview"], got["overview_floor"]
    lines.append(f"| director overview over HTTP ({ov['years']} years) | {_ms(ov['median_s'])} | "
                 f"{_ms(ov['max_s'])} (first {_ms(ov['first_request_s'])}) | "
                 f"{_ms(of['median_s'])} ({of['waves']} waves, {of['rows']} rows) | "
                 f"{verdict['overview_ratio']:.1f}× |")
    sv = got["overview_service"]
    lines.append(f"| of which figures and summary (no HTTP, no HTML) | {_ms(sv['median_s'])} | "
                 f"{_ms(sv['max_s'])} | | {verdict['overview_service_ratio']:.1f}× |")
    lines.append(f"peak RSS of the measuring process (a worker): {got['peak_rss_mb']} MB; "
                 f"targets: " + ", ".join(f"{k} {'yes' if v else 'NO'}"
                                           for k, v in verdict["targets"].items()))
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: under a minute")
    parser.add_argument("--engine", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--case", default=",".join(CASES),
                        help="comma-separated cases: school, board, national")
    parser.add_argument("--national-answers", action="store_true",
                        help="also write the national year's item answers (slow)")
    # internal: one step of one case in a subprocess
    parser.add_argument("--step", choices=("generate", "measure"), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--mode", choices=tuple(SIZES), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.step:
        sizes = dict(SIZES[args.mode], national_answers=args.national_answers)
        result = (generate if args.step == "generate" else measure)(args.case, args.url, sizes)
        print(json.dumps(result, default=str))
        return

    mode = "quick" if args.quick else "full"
    cases = [c.strip() for c in args.case.split(",") if c.strip()]
    unknown = sorted(set(cases) - set(CASES))
    if unknown:
        parser.error(f"unknown case(s) {', '.join(unknown)}; choose from {', '.join(CASES)}")
    engines = ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]
    if "postgresql" in engines and (why := postgres_unreachable()):
        if args.engine == "postgresql":
            parser.exit(1, f"PostgreSQL is unreachable: {why}\n")
        print(f"PostgreSQL is unreachable ({why}): its cases are left out")
        engines.remove("postgresql")
    began = time.perf_counter()
    load_before = os.getloadavg()
    results: dict[str, Any] = {}
    shown: list[str] = []  # the tables as printed, for RESULTS.md
    print(f"# Analysis at scale ({mode}); load average before: "
          f"{', '.join(f'{x:.2f}' for x in load_before)}")
    for case in cases:
        for engine in engines:
            if case == "national" and engine != "postgresql":
                continue
            if f"{case}/{engine}" in SIZES[mode].get("skip", ()):
                print(f"\n## {case} on {engine}: left out of the {mode} run")
                continue
            with fresh_database(engine, case) as url:
                gen = child("generate", case, url, mode, args.national_answers)
                got = child("measure", case, url, mode, args.national_answers)
            verdict = summarise(case, engine, gen, got)
            results.setdefault(case, {})[engine] = {"generate": gen, "measure": got, **verdict}
            lines = report_lines(case, engine, gen, got, verdict)
            shown += [*(line.replace("## ", "### ", 1) for line in lines), ""]
            print("\n".join(lines), flush=True)
    total = time.perf_counter() - began
    load_after = os.getloadavg()
    print(f"\nwhole run: {total:.0f} s; load average after: "
          f"{', '.join(f'{x:.2f}' for x in load_after)} (the machine's other work shows here)")
    command = "python -m benchmarks.analysis_scale " + " ".join(
        sys.argv[1:] if argv is None else argv)
    path = save("analysis_scale", {"mode": mode, "sizes": SIZES[mode], "targets": TARGETS,
                                   "cases": results, "total_s": total,
                                   "load_average_before": load_before,
                                   "load_average_after": load_after,
                                   "markdown": "\n".join(shown)}, command.strip())
    print(f"written to {path}")


if __name__ == "__main__":
    main()

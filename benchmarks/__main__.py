"""Measure the foundation's hot paths on SQLite and (when reachable) PostgreSQL.

Run with ``make benchmark`` or ``.venv/bin/python -m benchmarks [--quick]``. Prints a Markdown
table; the README quotes the figures. Each case runs on a fresh database: a temporary SQLite
file, or a private schema on the PostgreSQL server named by ``BENCH_DATABASE_URL`` (default
``postgresql+psycopg://postgres@127.0.0.1:5432/test``), which is dropped afterwards.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
from collections.abc import Callable

from benchmarks.common import database, save


def make_app(url: str):  # type: ignore[no-untyped-def]
    from surveys import create_app
    from surveys.extensions import db
    from surveys.migrate import upgrade

    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade(db.engine)
    return app


def bench_submit(url: str, n: int) -> dict[str, float]:
    """Pupils submitting one by one, each in its own write transaction, as the tablets do."""
    from surveys.database import begin_write
    from surveys.extensions import db
    from tests.foundation import factories as f

    app = make_app(url)
    with app.app_context():
        school = f.school()
        group = f.group(school, "Groep 7", (7,), teachers=[f.user(school)])
        wave = f.wave(school)
        db.session.commit()
        answers = f.full_answers(7)
        from surveys.services.responses import submit_response

        timings = []
        for i in range(n):
            start = time.perf_counter()
            begin_write()
            submit_response(
                wave=wave, group=group, grade=7, answers=answers, submission_id=f"bench-{i:08d}"
            )
            db.session.commit()
            timings.append(time.perf_counter() - start)
        db.engine.dispose()
    timings.sort()
    return {
        "per_second": n / sum(timings),
        "median_ms": statistics.median(timings) * 1000,
        "p95_ms": timings[int(0.95 * (n - 1))] * 1000,
        "answers_per_response": len(answers),
    }


def bench_demo(url: str, schools: int, years: int) -> dict[str, float]:
    from sqlalchemy import func, select

    from surveys.extensions import db
    from surveys.models import Response
    from surveys.services.demo import build_demo

    app = make_app(url)
    with app.app_context():
        start = time.perf_counter()
        build_demo(schools=schools, years=years, seed=1)
        seconds = time.perf_counter() - start
        n = db.session.scalar(select(func.count()).select_from(Response))
        db.engine.dispose()
    return {"seconds": seconds, "responses": n, "responses_per_second": n / seconds}


def bench_import(url: str, pupils: int) -> dict[str, float]:
    import instruments
    from surveys.extensions import db
    from surveys.services.imports import import_groups, import_responses
    from tests.foundation import factories as f

    app = make_app(url)
    inst = instruments.latest("veiligheid-5-8")
    lines = ["school_year,wave,group,grade,respondent,instrument,version,item,value"]
    for p in range(pupils):
        for item in inst.items:
            value = inst.scales[item.scale].values[(p + len(item.key)) % 2 + 1]
            lines.append(f"2026-2027,Najaar,Groep 6,6,p{p},{inst.id},1,{item.key},{value}")
    data = ("\n".join(lines) + "\n").encode()
    with app.app_context():
        school = f.school()
        import_groups(
            school,
            b"school_year,group,grades,size,teachers,previous_group\n2026-2027,Groep 6,6,60,,\n",
        )
        db.session.commit()
        start = time.perf_counter()
        import_responses(school, data)
        db.session.commit()
        seconds = time.perf_counter() - start
        db.engine.dispose()
    return {
        "rows": len(lines) - 1,
        "seconds": seconds,
        "rows_per_second": (len(lines) - 1) / seconds,
    }


def _number(value: float | int) -> str:
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--only", default="", help="run only cases whose name contains this")
    args = parser.parse_args()
    n_submit, pupils, schools = (50, 50, 1) if args.quick else (500, 1000, 5)
    cases: list[tuple[str, Callable[[str], dict[str, float]]]] = [
        (
            f"submit_response x{n_submit} (one write transaction each)",
            lambda url: bench_submit(url, n_submit),
        ),
        (f"import-responses, {pupils} pupils", lambda url: bench_import(url, pupils)),
        (f"demo --schools {schools} --years 3", lambda url: bench_demo(url, schools, 3)),
    ]
    rows = []
    print("| case | engine | result |")
    print("|---|---|---|")
    for name, case in cases:
        if args.only not in name:
            continue
        for engine in args.engines.split(","):
            with database(engine) as url:
                figures = case(url)
            shown = ", ".join(f"{k} {_number(v)}" for k, v in figures.items())
            rows.append({"case": name, "engine": engine, "shown": shown, "figures": figures})
            print(f"| {name} | {engine} | {shown} |", flush=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak resident memory of the benchmark process: {peak:.0f} MiB")
    if not args.only:
        save("micro", {"rows": rows, "peak_rss_mb": round(peak)},
             "python -m benchmarks" + (" --quick" if args.quick else ""))


if __name__ == "__main__":
    main()

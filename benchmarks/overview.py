"""How fast the director's overview renders for one school with ten years of data.

``bench_overview(url)`` builds the demo school with ``years`` school years on the database at
``url``, logs the director in through the test client and times ``GET /results/school``: a
warm-up request, then the median (and the slowest) of ``requests`` more. Every request reads
the database and recomputes every figure; only chart drawings are reused, since they are cached
by the data they show. Call it from ``benchmarks/__main__.py`` like the other cases;
``benchmarks/analysis_scale.py`` uses ``director_client`` and ``time_overview`` on databases it
builds itself (ten years, a board, a national year).
"""

from __future__ import annotations

import statistics
import time
from typing import Any

DIRECTOR = "directeur@vlinderboom.example"


def director_client(app: Any, email: str = DIRECTOR) -> Any:
    """A test client of ``app`` with the demo school's director logged in."""
    from surveys.services.demo import DEMO_PASSWORD

    app.config.update(WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
    if response.status_code != 302:
        raise RuntimeError(f"login failed with {response.status_code}")
    return client


def time_overview(client: Any, requests: int = 20) -> dict[str, float]:
    """Time ``GET /results/school``: the first request, then the median and slowest of
    ``requests`` more (every one reads the database and recomputes every figure)."""
    first = time.perf_counter()
    response = client.get("/results/school")
    cold = time.perf_counter() - first
    if response.status_code != 200:
        raise RuntimeError(f"overview answered {response.status_code}")
    timings = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get("/results/school")
        timings.append(time.perf_counter() - start)
        if response.status_code != 200:
            raise RuntimeError(f"overview answered {response.status_code}")
    return {"first_request_s": cold, "median_s": statistics.median(timings),
            "max_s": max(timings), "requests": requests}


def bench_overview(url: str, years: int = 10, requests: int = 20,
                   seed: int = 2026) -> dict[str, float]:
    from benchmarks.__main__ import make_app
    from surveys.extensions import db
    from surveys.services.demo import build_demo

    app = make_app(url)
    with app.app_context():
        build_demo(schools=1, years=years, seed=seed)
        db.session.remove()
    result = time_overview(director_client(app), requests)
    with app.app_context():
        db.engine.dispose()
    return {"years": years, **result}


if __name__ == "__main__":
    import sys

    from benchmarks.__main__ import database

    engines = sys.argv[1:] or ["sqlite", "postgresql"]
    for engine in engines:
        with database(engine) as url:
            result = bench_overview(url)
        print(f"{engine}: median {result['median_s'] * 1000:.0f} ms, slowest "
              f"{result['max_s'] * 1000:.0f} ms, first {result['first_request_s'] * 1000:.0f} ms "
              f"({result['years']} years, {result['requests']} requests)")

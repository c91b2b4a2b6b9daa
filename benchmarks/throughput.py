"""Submission throughput through the real stack, against the framework and storage ceilings.

gunicorn with two workers serves ``benchmarks.wsgi`` on 127.0.0.1; wrk (Debian's package, a C
load generator, so the client takes little of the two cores) posts in turn, to the same server:

- ``noop``: a bare POST of the same body (the framework's ceiling);
- ``floor``: the same rows stored with the database driver directly (the storage ceiling);
- ``send``: complete pupil submissions to ``/k/send``: a sealed token with every answer, each
  with its own submission id, decrypted, validated, scored and stored by the real code.

Each runs for a warm-up and then a measured period; afterwards the stored count is checked
against the acknowledged count (a submission acknowledged but not stored fails the run).

    .venv/bin/python -m benchmarks.throughput [--quick] [--engine sqlite|postgresql|both]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select

from benchmarks.common import database, save
from benchmarks.server import finished_tokens, make_app, prepare, served

LUA = Path(__file__).resolve().parent / "lua" / "bodies.lua"
THREADS = 2


def wrk(base: str, path: str, bodies: Path, seconds: float, connections: int) -> dict[str, Any]:
    env = {**os.environ, "WRK_PATH": path, "WRK_BODIES": str(bodies),
           "WRK_THREADS": str(THREADS)}
    out = subprocess.run(
        ["wrk", "-t", str(THREADS), "-c", str(connections), "-d", f"{round(seconds)}s", "--timeout",
         "10s", "-s", str(LUA), base + path],
        env=env, capture_output=True, text=True, check=True, timeout=seconds + 60,
    ).stdout
    result = re.search(r"KK-RESULT good=(\d+) bad=(\d+) requests=(\d+)", out)
    latency = re.search(r"KK-LATENCY p50=(\d+) p95=(\d+) p99=(\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    if result is None or latency is None:
        raise RuntimeError(f"wrk printed no result:\n{out}")
    good, bad, _ = (int(x) for x in result.groups())
    return {
        "ok": good,
        "failed": bad,
        "socket_errors": errors.group(1) if errors else "",
        "per_second": round(good / seconds, 1),
        "latency_ms": {k: round(int(v) / 1000, 2)
                       for k, v in zip(("p50", "p95", "p99"), latency.groups(), strict=True)},
    }


def stored_responses(url: str) -> int:
    from surveys.models import Response

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(Response.__table__)) or 0)
    finally:
        engine.dispose()


def settled_count(url: str) -> int:
    """The stored count once the requests wrk left in flight have finished."""
    last = -1
    for _ in range(50):
        now = stored_responses(url)
        if now == last:
            return now
        last = now
        time.sleep(0.3)
    return last


def write_bodies(tokens: list[str], path: Path) -> None:
    path.write_text("".join(f"t={urllib.parse.quote(t, safe='')}\n" for t in tokens))


def run_engine(engine: str, *, seconds: float, warmup: float, connections: int,
               tokens_needed: int) -> dict[str, Any]:
    with database(engine) as url, tempfile.TemporaryDirectory() as tmp:
        classes = prepare(url, schools=4)
        tokens = finished_tokens(url, classes, tokens_needed + 1)
        # One submission stored by the real code first: the floor copies its rows.
        app = make_app(url)
        first = app.test_client().post("/k/send", data={"t": tokens.pop()},
                                       headers={"X-Klasklimaat": "fetch"})
        if first.status_code != 200:
            raise RuntimeError(f"the first submission was refused: {first.status_code}")
        warm, measured = Path(tmp, "warm.txt"), Path(tmp, "measured.txt")
        split = int(len(tokens) * warmup / (warmup + seconds))
        write_bodies(tokens[:split], warm)
        write_bodies(tokens[split:], measured)
        results: dict[str, Any] = {}
        with served(url) as server:
            for kind, path in (("noop", "/bench/noop"), ("floor", "/bench/floor"),
                               ("send", "/k/send")):
                wrk(server.base, path, warm, warmup, connections)
                before = settled_count(url)
                results[kind] = wrk(server.base, path, measured, seconds, connections)
                if kind == "send":
                    stored = settled_count(url) - before
                    results[kind]["stored"] = stored
                    # wrk stops with up to one request per connection in flight: those may be
                    # stored without being counted, never the other way round.
                    if not results[kind]["ok"] <= stored <= results[kind]["ok"] + connections:
                        raise RuntimeError(f"{engine}: {results[kind]['ok']} submissions "
                                           f"acknowledged but {stored} stored")
            results["worker_peak_rss_mb"] = server.worker_rss_mb()
        send = results["send"]["per_second"]
        results["send_vs_floor"] = round(send / results["floor"]["per_second"], 3)
        results["send_vs_noop"] = round(send / results["noop"]["per_second"], 3)
        return results


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short runs (a smoke test)")
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk (Debian's package)")
    seconds, warmup = (3.0, 1.0) if args.quick else (15.0, 3.0)
    connections = 8
    engines = ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]
    figures = {}
    for engine in engines:
        figures[engine] = run_engine(engine, seconds=seconds, warmup=warmup,
                                     connections=connections,
                                     tokens_needed=int(1500 * (seconds + warmup)))
        f = figures[engine]
        print(f"{engine:10s} noop {f['noop']['per_second']:8.1f}/s  "
              f"floor {f['floor']['per_second']:7.1f}/s  send {f['send']['per_second']:7.1f}/s"
              f"  send/floor {f['send_vs_floor']:.2f}  send p95 "
              f"{f['send']['latency_ms']['p95']} ms  workers {f['worker_peak_rss_mb']} MB")
    save("throughput", {"seconds": seconds, "warmup": warmup, "connections": connections,
                        "workers": 2, "engines": figures},
         "python -m benchmarks.throughput" + (" --quick" if args.quick else ""))
    return figures


if __name__ == "__main__":
    main()

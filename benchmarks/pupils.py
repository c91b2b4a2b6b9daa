"""Simulated pupils on tablets: the latency run (item 2) and the nothing-lost load run (item 4).

A simulated pupil is a small asyncio task that does what pupil.js does on a tablet: it opens
the class code's page, reads each screen it gets back (its token, its answer buttons), taps an
answer after a think time, sends the finished questionnaire with the retry header
(``X-Klasklimaat: fetch``), opens the talk screen and says "no, thank you". Every request's
latency is recorded by kind (join, step, send, talk) from send to last byte.

- ``latency``: N pupils answering at once at a child's pace. Each starts somewhere in the
  middle of a questionnaire (a token sealed for a random screen, as if the class had been at it
  for a while), so a short window sees the real mix of steps and sends; a pupil who finishes
  hands the tablet to the next child, who types the class code and starts from the beginning.
- ``load``: N pupils arriving over a ramp, each walking the whole questionnaire from the class
  code to the thank-you screen; afterwards the stored responses are checked against the
  acknowledged ones, for partial responses, and for server errors.

    .venv/bin/python -m benchmarks.pupils latency [--pupils 300] [--seconds 90] [--engine ...]
    .venv/bin/python -m benchmarks.pupils load [--pupils 1000] [--ramp 150] [--engine ...]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import numpy as np
from sqlalchemy import create_engine, func, select

from benchmarks.common import database, run_async, save
from benchmarks.server import ClassInfo, prepare, sealed_pupils, served

TOKEN = re.compile(r'name="t" value="([^"]+)"')
SCREEN = re.compile(r'class="screen screen-(\w+)')
ANSWER = re.compile(r'name="answer" value="(-?\d+)"')
GRADE = re.compile(r'name="grade" value="(\d+)"')
FETCH = {"X-Klasklimaat": "fetch"}


@dataclass
class Tally:
    """What the simulated pupils saw: latencies by kind, failures, acknowledged sends."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: Counter[int] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    acknowledged: int = 0
    finished: int = 0
    measuring: bool = True

    def record(self, kind: str, started: float, status: int) -> None:
        if self.measuring:
            self.latencies[kind].append(time.perf_counter() - started)
            self.statuses[status] += 1

    def summary(self) -> dict[str, Any]:
        def pct(values: list[float]) -> dict[str, float]:
            if not values:
                return {"n": 0}
            a = np.asarray(values) * 1000
            return {"n": len(values), "p50": round(float(np.percentile(a, 50)), 1),
                    "p95": round(float(np.percentile(a, 95)), 1),
                    "p99": round(float(np.percentile(a, 99)), 1),
                    "max": round(float(a.max()), 1)}

        every = [v for values in self.latencies.values() for v in values]
        return {"all": pct(every), **{k: pct(v) for k, v in sorted(self.latencies.items())},
                "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
                "errors": len(self.errors), "error_examples": self.errors[:5],
                "acknowledged": self.acknowledged, "finished": self.finished}


class Stop(Exception):
    """The run's window closed."""


class SimulatedPupil:
    def __init__(self, http: aiohttp.ClientSession, base: str, tally: Tally,
                 think: tuple[float, float], rng: random.Random, deadline: float) -> None:
        self.http, self.base, self.tally = http, base, tally
        self.think, self.rng, self.deadline = think, rng, deadline

    async def pause(self) -> None:
        low, high = self.think
        wait = self.rng.uniform(low, high) if high > 0 else 0
        if time.monotonic() + wait > self.deadline:
            raise Stop
        if wait:
            await asyncio.sleep(wait)

    async def request(self, kind: str, method: str, path: str,
                      data: dict[str, str] | None = None,
                      headers: dict[str, str] | None = None) -> tuple[int, str]:
        started = time.perf_counter()
        try:
            async with self.http.request(method, self.base + path, data=data, headers=headers,
                                         allow_redirects=False) as reply:
                body = await reply.text()
                status = reply.status
        except (TimeoutError, aiohttp.ClientError) as exc:
            self.tally.errors.append(f"{kind}: {type(exc).__name__}: {exc}")
            self.tally.record(kind, started, 0)
            raise Stop from exc
        self.tally.record(kind, started, status)
        if status >= 400:
            self.tally.errors.append(f"{kind}: HTTP {status}: {body[:200]!r}")
            raise Stop
        return status, body

    async def walk(self, page: str) -> None:
        """From the screen in ``page`` to the thank-you screen."""
        while True:
            screen = SCREEN.search(page)
            token = TOKEN.search(page)
            if screen is None or token is None:
                self.tally.errors.append(f"unreadable screen: {page[:200]!r}")
                raise Stop
            kind, t = screen.group(1), token.group(1)
            await self.pause()
            if kind == "question":
                values = [int(v) for v in ANSWER.findall(page)]
                if self.rng.random() < 0.03:
                    form = {"t": t, "do": "skip"}
                else:
                    form = {"t": t, "do": "next", "answer": str(self.rng.choice(values))}
                _, page = await self.request("step", "POST", "/k/step", form)
            elif kind == "grade":
                grade = self.rng.choice(GRADE.findall(page))
                _, page = await self.request("step", "POST", "/k/step",
                                             {"t": t, "do": "next", "grade": grade})
            elif kind == "done":
                _, body = await self.request("send", "POST", "/k/send", {"t": t}, FETCH)
                reply = json.loads(body)
                if not reply.get("ok"):
                    self.tally.errors.append(f"send refused: {body[:200]!r}")
                    raise Stop
                self.tally.acknowledged += 1
                _, page = await self.request("talk", "GET", reply["next"].removeprefix(
                    self.base))
            elif kind == "talk":
                await self.request("talk", "POST", "/k/talk", {"t": t, "do": "no"})
                self.tally.finished += 1
                return
            else:  # welcome, intro, teacher
                _, page = await self.request("step", "POST", "/k/step", {"t": t, "do": "next"})

    async def join(self, code: str) -> str:
        _, page = await self.request("join", "GET", f"/k/{code}")
        return page


async def _run_pupils(base: str, starts: list[tuple[float, str, str | None]],
                      think: tuple[float, float], seconds: float, seed: int,
                      again: bool) -> Tally:
    """Each start is (delay, class code, sealed page or None); ``again``: a pupil who is done
    hands the tablet on, until the window closes."""
    tally = Tally()
    deadline = time.monotonic() + seconds
    connector = aiohttp.TCPConnector(limit=0, force_close=True)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:

        async def one(i: int, delay: float, code: str, page: str | None) -> None:
            pupil = SimulatedPupil(http, base, tally, think, random.Random(seed * 100003 + i),
                                   deadline)
            try:
                await asyncio.sleep(delay)
                if page is None:
                    page = await pupil.join(code)
                await pupil.walk(page)
                while again:
                    await pupil.pause()
                    await pupil.walk(await pupil.join(code))
            except Stop:
                return

        tasks = [asyncio.create_task(one(i, d, c, p)) for i, (d, c, p) in enumerate(starts)]
        await asyncio.wait(tasks, timeout=seconds + 60)
        for task in tasks:
            task.cancel()
    return tally


def mid_questionnaire_pages(url: str, classes: list[ClassInfo], count: int,
                            seed: int = 5) -> list[str]:
    """For each pupil, the page of a random screen of the questionnaire, with the answers before
    it filled in: what a tablet shows when the class has been at it for a while. The smallest
    page the walker can read: the screen kind, its token and its answer buttons."""
    pages = []
    for kind, options, token in sealed_pupils(url, classes, count, seed=seed, midway=True):
        buttons = "".join(f'<input name="answer" value="{v}">' for v in options)
        pages.append(f'<main class="screen screen-{kind}"><input name="t" '
                     f'value="{token}">{buttons}</main>')
    return pages


def latency(engine: str, *, pupils: int, seconds: float, think: tuple[float, float],
            seed: int = 3) -> dict[str, Any]:
    with database(engine) as url:
        classes = prepare(url, schools=max(1, pupils // 150))
        pages = mid_questionnaire_pages(url, classes, pupils)
        rng = random.Random(seed)
        starts = [(rng.uniform(0, think[1]), classes[i % len(classes)].code, pages[i])
                  for i in range(pupils)]
        with served(url) as server:
            started = time.monotonic()
            tally = run_async(_run_pupils(server.base, starts, think, seconds, seed,
                                            again=True))
            elapsed = time.monotonic() - started
            summary = tally.summary()
            summary["requests_per_second"] = round(summary["all"]["n"] / elapsed, 1)
            summary["worker_peak_rss_mb"] = server.worker_rss_mb()
            summary["server_errors_logged"] = server_errors(server)
    return summary


def server_errors(server: Any) -> list[str]:
    text = server.log.read_text(errors="replace") if server.log else ""
    return [line for line in text.splitlines()
            if "Traceback" in line or "database is locked" in line or "ERROR" in line][:10]


def check_stored(url: str) -> dict[str, Any]:
    """Counts of what is stored, and responses whose answers or scores are incomplete."""
    from surveys.models import Answer, ConstructScore, Response, SubmissionReceipt

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            responses = conn.scalar(select(func.count()).select_from(Response.__table__))
            receipts = conn.scalar(select(func.count()).select_from(SubmissionReceipt.__table__))
            answers = dict(conn.execute(select(Answer.response_id, func.count())
                                        .group_by(Answer.response_id)).all())
            scores = dict(conn.execute(select(ConstructScore.response_id, func.count())
                                       .group_by(ConstructScore.response_id)).all())
            grades = dict(conn.execute(select(Response.id, Response.grade)).all())
    finally:
        engine.dispose()
    expected: dict[int, tuple[int, int]] = {}
    for rid, grade in grades.items():
        expected.setdefault(grade, (answers.get(rid, 0), scores.get(rid, 0)))
    partial = [str(rid) for rid, grade in grades.items()
               if (answers.get(rid, 0), scores.get(rid, 0)) != expected[grade]
               or answers.get(rid, 0) == 0 or scores.get(rid, 0) == 0]
    orphans = len(set(answers) - set(grades)) + len(set(scores) - set(grades))
    return {"responses": responses, "receipts": receipts, "partial": len(partial),
            "orphan_rows": orphans,
            "answers_per_grade": {g: a for g, (a, _) in sorted(expected.items())}}


def load_at(url: str, *, pupils: int, ramp: float, think: tuple[float, float],
            limit: float = 300, seed: int = 9, midway: bool = False) -> dict[str, Any]:
    """``pupils`` pupils arriving over ``ramp`` seconds on the (empty) database at ``url``, all
    finished within ``limit`` seconds (the run stops there by itself). Each walks the whole
    questionnaire from the class code, or with ``midway`` from a random screen of it (half the
    requests per pupil: what a two-core machine serves for 1,000 pupils in five minutes)."""
    classes = prepare(url, schools=max(1, pupils // 150))
    rng = random.Random(seed)
    pages: list[str | None] = (list(mid_questionnaire_pages(url, classes, pupils)) if midway
                               else [None] * pupils)
    starts = [(rng.uniform(0, ramp), classes[i % len(classes)].code, pages[i])
              for i in range(pupils)]
    with served(url) as server:
        started = time.monotonic()
        tally = run_async(_run_pupils(server.base, starts, think, limit, seed,
                                        again=False))
        elapsed = round(time.monotonic() - started, 1)
        logged = server_errors(server)
        rss = server.worker_rss_mb()
    stored = check_stored(url)
    summary = tally.summary()
    summary.update(elapsed_s=elapsed, stored=stored, server_errors_logged=logged,
                   worker_peak_rss_mb=rss)
    summary["lost"] = tally.acknowledged - stored["responses"]
    summary["ok"] = (tally.acknowledged == pupils == stored["responses"] == stored["receipts"]
                     and stored["partial"] == 0 and stored["orphan_rows"] == 0
                     and not tally.errors and not logged
                     and not any(int(s) >= 500 or s == 0 for s in tally.statuses))
    return summary


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description="Simulated pupils: latency and load runs")
    parser.add_argument("run", choices=["latency", "load"])
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--pupils", type=int, nargs="+", default=None)
    parser.add_argument("--seconds", type=float, default=90, help="latency window")
    parser.add_argument("--ramp", type=float, default=180, help="load: arrivals spread over")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--whole", action="store_true",
                        help="load: every pupil walks the whole questionnaire from the code")
    args = parser.parse_args(argv)
    engines = ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]
    figures: dict[str, Any] = {}
    if args.run == "latency":
        think = (5.0, 15.0)  # a child reading (or hearing) a question, then tapping a face
        sizes = args.pupils or ([60] if args.quick else [300, 3000])
        seconds = 20 if args.quick else args.seconds
        for engine in engines:
            for n in sizes:
                if n > 1000 and engine == "sqlite" and args.engine == "both" and not args.pupils:
                    continue  # a board runs PostgreSQL; SQLite is for one school (the README)
                s = latency(engine, pupils=n, seconds=seconds, think=think)
                figures[f"{engine}/{n}"] = s
                print(f"{engine:10s} {n:5d} pupils  {s['requests_per_second']:6.1f} req/s  "
                      f"p50 {s['all'].get('p50')} p95 {s['all'].get('p95')} "
                      f"p99 {s['all'].get('p99')} ms  errors {s['errors']}  "
                      f"workers {s['worker_peak_rss_mb']} MB")
        save("latency", {"think_s": think, "seconds": seconds, "runs": figures},
             "python -m benchmarks.pupils latency" + (" --quick" if args.quick else ""))
    else:
        think = (0.2, 0.8)
        n = (args.pupils or [100 if args.quick else 1000])[0]
        ramp = 20 if args.quick else args.ramp
        for engine in engines:
            with database(engine) as url:
                s = load_at(url, pupils=n, ramp=ramp, think=think, midway=not args.whole)
            figures[engine] = s
            print(f"{engine:10s} {n} pupils in {s['elapsed_s']} s: acknowledged "
                  f"{s['acknowledged']}, stored {s['stored']['responses']}, partial "
                  f"{s['stored']['partial']}, errors {s['errors']}, lost {s['lost']}, "
                  f"p95 {s['all'].get('p95')} ms  {'OK' if s['ok'] else 'FAILED'}")
        save("load", {"pupils": n, "ramp_s": ramp, "think_s": think,
                      "start": "the class code" if args.whole else "a random screen",
                      "runs": figures},
             "python -m benchmarks.pupils load" + (" --quick" if args.quick else ""))
        if not all(s["ok"] for s in figures.values()):
            raise SystemExit("the load run lost, broke or refused submissions")
    return figures


if __name__ == "__main__":
    main()

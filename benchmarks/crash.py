"""Crash test (item 5): SIGKILL the server at random moments during a submission load.

Tablets post finished questionnaires (sealed tokens, each with its own submission id) to
``/k/send``, several at once, as fast as the server takes them. At a random moment the whole
server (gunicorn's master and both workers) is killed with SIGKILL, then started again; fifty
times. A submission the server acknowledged must be stored; a submission whose request was cut
off is unknown, so the tablet sends it again after the restart (pupil.js keeps it in its queue),
as the real retry queue does. At the end:

- every acknowledged submission's receipt is present (checked by its keyed digest);
- responses = receipts = distinct submissions acknowledged (nothing stored twice, nothing lost);
- no response is partial: each has all its answers and construct scores, no orphan rows;
- on SQLite, ``PRAGMA integrity_check`` answers ``ok``.

SIGKILL kills processes, not the machine: the kernel still writes what the database handed it,
so this tests atomicity and recovery of the application and its database, not the disk's
behaviour at a power cut (the databases' own fsync settings cover that: synchronous=FULL on
SQLite, fsync on in PostgreSQL).

    .venv/bin/python -m benchmarks.crash [--kills 50] [--engine sqlite|postgresql|both]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
from typing import Any

import aiohttp
from sqlalchemy import create_engine, select, text

from benchmarks.common import database, run_async, save
from benchmarks.pupils import FETCH, check_stored
from benchmarks.server import Server, engine_of, finished_tokens, make_app, prepare


async def _load_until_killed(server: Server, queue: list[tuple[str, str]],
                             retry: list[tuple[str, str]], acked: set[str],
                             kill_after: float, concurrency: int) -> dict[str, int]:
    """Post (what was cut off first, then new ones) until the server is killed; a request that
    is cut off goes on ``retry``: the tablet does not know whether it was stored."""
    counts = {"acknowledged": 0, "cut_off": 0, "refused": 0}
    stop = asyncio.Event()
    connector = aiohttp.TCPConnector(limit=0, force_close=True)
    async with aiohttp.ClientSession(connector=connector,
                                     timeout=aiohttp.ClientTimeout(total=20)) as http:

        async def tablet() -> None:
            while not stop.is_set() and (retry or queue):
                sid, token = retry.pop() if retry else queue.pop()
                try:
                    async with http.post(server.base + "/k/send", data={"t": token},
                                         headers=FETCH) as reply:
                        body = await reply.text()
                        status = reply.status
                except (aiohttp.ClientError, TimeoutError):
                    retry.append((sid, token))  # unknown: the tablet keeps it and retries
                    counts["cut_off"] += 1
                    if stop.is_set():
                        return
                    await asyncio.sleep(0.05)
                    continue
                if status == 200 and json.loads(body).get("ok"):
                    acked.add(sid)
                    counts["acknowledged"] += 1
                else:
                    counts["refused"] += 1
                    raise RuntimeError(f"a submission was refused: HTTP {status} {body[:200]}")

        async def killer() -> None:
            await asyncio.sleep(kill_after)
            await asyncio.get_running_loop().run_in_executor(None, server.kill)
            stop.set()

        await asyncio.gather(killer(), *(tablet() for _ in range(concurrency)))
    return counts


def _flush(server: Server, retry: list[tuple[str, str]], acked: set[str]) -> None:
    """After the last restart: every tablet sends what it still holds, until it is taken."""

    async def run() -> None:
        connector = aiohttp.TCPConnector(limit=0, force_close=True)
        async with aiohttp.ClientSession(connector=connector) as http:
            while retry:
                sid, token = retry.pop()
                async with http.post(server.base + "/k/send", data={"t": token},
                                     headers=FETCH) as reply:
                    body = await reply.text()
                    if reply.status != 200 or not json.loads(body).get("ok"):
                        raise RuntimeError(f"a retry was refused: {reply.status} {body[:200]}")
                    acked.add(sid)

    run_async(run())


def receipts_present(url: str, wave_of: dict[str, int], sids: set[str]) -> int:
    """How many of ``sids`` have their receipt stored (by the server's own keyed digest)."""
    from surveys.models import SubmissionReceipt
    from surveys.services.responses import receipt_digest

    app = make_app(url)
    with app.app_context():
        wanted = {receipt_digest(wave_of[sid], sid) for sid in sids}
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            stored = set(conn.scalars(select(SubmissionReceipt.digest)))
            integrity = (conn.scalar(text("PRAGMA integrity_check"))
                         if engine.dialect.name == "sqlite" else "ok")
    finally:
        engine.dispose()
    if integrity != "ok":
        raise RuntimeError(f"SQLite integrity check: {integrity}")
    return len(wanted & stored)


def crash_at(url: str, *, kills: int, seed: int = 13, concurrency: int = 8,
             window: tuple[float, float] = (0.2, 1.5)) -> dict[str, Any]:
    rng = random.Random(seed)
    classes = prepare(url, schools=2)
    tokens = finished_tokens(url, classes, count=max(400, kills * 250), seed=seed)
    wave_of = _wave_of(url, classes, tokens)
    queue = list(reversed(wave_of["tokens"]))  # pop() takes them in order
    retry: list[tuple[str, str]] = []
    acked: set[str] = set()
    server = Server(url="", database_url=url)
    totals = {"acknowledged": 0, "cut_off": 0, "refused": 0}
    started = time.monotonic()
    restarts = []
    for _ in range(kills):
        t0 = time.monotonic()
        server.start()
        restarts.append(time.monotonic() - t0)
        counts = run_async(_load_until_killed(server, queue, retry, acked,
                                                rng.uniform(*window), concurrency))
        for key, value in counts.items():
            totals[key] += value
    server.start()
    sent, retried = len(acked), len(retry)
    try:
        _flush(server, retry, acked)
    finally:
        server.stop()
    stored = check_stored(url)
    present = receipts_present(url, wave_of["wave"], acked)
    ok = (present == len(acked) == stored["responses"] == stored["receipts"]
          and stored["partial"] == 0 and stored["orphan_rows"] == 0 and totals["refused"] == 0)
    return {"engine": engine_of(url), "kills": kills, "acknowledged_before_last_restart": sent,
            "cut_off_requests": totals["cut_off"], "resent_after_last_restart": retried,
            "submissions": len(acked), "receipts_present": present, "stored": stored,
            "restart_s_median": round(sorted(restarts)[len(restarts) // 2], 2),
            "elapsed_s": round(time.monotonic() - started, 1), "ok": ok}


def _wave_of(url: str, classes: list[Any], tokens: list[str]) -> dict[str, Any]:
    """Each token's submission id and wave, read back from the token as the server would."""
    from surveys.blueprints import pupil
    from surveys.extensions import db
    from surveys.models import ClassSession

    app = make_app(url)
    pairs, wave = [], {}
    with app.app_context():
        waves = {c.session_id: db.session.get(ClassSession, c.session_id).wave_id
                 for c in classes}
        for token in tokens:
            state, _ = pupil.load(token, max_age=3600)
            pairs.append((state["n"], token))
            wave[state["n"]] = waves[state["sid"]]
    return {"tokens": pairs, "wave": wave}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description="SIGKILL the server during submissions")
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args(argv)
    engines = ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]
    figures = {}
    for engine in engines:
        with database(engine) as url:
            f = crash_at(url, kills=args.kills)
        figures[engine] = f
        print(f"{engine:10s} {f['kills']} kills: {f['submissions']} submissions acknowledged, "
              f"{f['cut_off_requests']} requests cut off, {f['stored']['responses']} stored, "
              f"{f['receipts_present']} receipts present, partial {f['stored']['partial']}, "
              f"restart {f['restart_s_median']} s  {'OK' if f['ok'] else 'FAILED'}")
    save("crash", {"runs": figures}, f"python -m benchmarks.crash --kills {args.kills}")
    if not all(f["ok"] for f in figures.values()):
        raise SystemExit("the crash test lost or duplicated submissions")
    return figures


if __name__ == "__main__":
    main()

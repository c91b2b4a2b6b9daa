"""What every benchmark shares: where results go, and how a machine is described.

Each benchmark writes one JSON file to ``benchmarks/results/<name>.json`` with ``save``;
``python -m benchmarks.report`` turns the files into ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import json
import os
import platform
import resource
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

RESULTS = Path(__file__).resolve().parent / "results"
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def run_async(coroutine: Any) -> Any:
    """``asyncio.run`` in a thread of its own: works even where the calling thread already has
    an event loop running (as it has after Playwright's sync API ran in the same test worker)."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
    }


def peak_rss_mb(children: bool = False) -> float:
    """Peak resident memory of this process (or of its waited-for children), in MB."""
    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    return round(resource.getrusage(who).ru_maxrss / 1024, 1)


def save(name: str, payload: dict[str, Any], command: str) -> Path:
    """Write one benchmark's figures, with the command that reproduces them."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    record = {
        "name": name,
        "command": command,
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        **payload,
    }
    path.write_text(json.dumps(record, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    return path


@contextmanager
def database(engine: str) -> Iterator[str]:
    """A fresh, empty database: a temporary SQLite file, or a private schema on the PostgreSQL
    server named by ``BENCH_DATABASE_URL`` (default: the local ``test`` database), dropped
    afterwards."""
    if engine == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{tmp}/bench.sqlite3"
        return
    base = os.environ.get("BENCH_DATABASE_URL", PG_DEFAULT)
    schema = f"kk_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        sep = "&" if "?" in base else "?"
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

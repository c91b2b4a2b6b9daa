"""A real server for the load, latency and crash runs: gunicorn on 127.0.0.1, a fresh database.

``served(url)`` starts ``gunicorn benchmarks.wsgi:app`` with two workers on a free loopback port
against the database at ``url`` and stops it afterwards; ``Server.kill()`` ends it with SIGKILL
(the crash test). ``prepare(url, ...)`` migrates a fresh database and opens class sessions for a
number of groups; ``finished_tokens`` seals finished questionnaires for them the way the pupil
screens do, so a load generator can post complete submissions without walking every screen.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SECRET = "benchmark-secret-key-not-for-production-" + "x" * 24


def engine_of(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else "postgresql"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    url: str
    database_url: str
    workers: int = 2
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    log: Path | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> None:
        env = {
            **os.environ,
            "KLASKLIMAAT_ENV": "production",
            "SECRET_KEY": SECRET,
            "DATABASE_URL": self.database_url,
            "LOG_LEVEL": "WARNING",
        }
        self.log = Path(tempfile.mkstemp(prefix="kk-gunicorn-", suffix=".log")[1])
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "--workers", str(self.workers),
                 "--bind", f"127.0.0.1:{self.port}", "--backlog", "4096",
                 "--timeout", "60", "--graceful-timeout", "5", "--preload",
                 "benchmarks.wsgi:app"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited at start: {self.log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(self.base + "/k/", timeout=2) as reply:  # noqa: S310
                    if reply.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("gunicorn did not answer within the start timeout")

    def kill(self) -> None:
        """SIGKILL the master and its workers at once: a power cut, not a shutdown."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.process = None

    def stop(self) -> None:
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            self.kill()
        self.process = None

    def worker_rss_mb(self) -> list[float]:
        """Resident memory of each worker process now, in MB (from /proc)."""
        if self.process is None:
            return []
        out = []
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        for pid in children.read_text().split() if children.exists() else []:
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):  # the worker's peak resident set
                        out.append(round(int(line.split()[1]) / 1024, 1))
            except OSError:
                continue
        return out


@contextmanager
def served(database_url: str, workers: int = 2) -> Iterator[Server]:
    server = Server(url="", database_url=database_url, workers=workers)
    server.start()
    try:
        yield server
    finally:
        server.stop()


# --- the data a run needs ----------------------------------------------------------------------


@dataclass(frozen=True)
class ClassInfo:
    code: str
    session_id: int
    grade: int


def make_app(url: str):  # type: ignore[no-untyped-def]
    """The application in this process, on the server's database, with the server's key."""
    from surveys import create_app
    from surveys.extensions import db
    from surveys.migrate import upgrade

    app = create_app({"TESTING": True, "SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": url,
                      "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade(db.engine)
    return app


def prepare(url: str, *, schools: int = 1, seed: int = 7) -> list[ClassInfo]:
    """Schools with groups 3 to 8 of 25 pupils, one open wave and one class session per group."""
    from surveys.extensions import db
    from surveys.services import sessions as svc
    from tests.foundation import factories as f

    app = make_app(url)
    rng = random.Random(seed)
    classes = []
    with app.app_context():
        for s in range(schools):
            school = f.school(f"school-{s:03d}", f"School {s + 1}")
            teacher = f.user(school, email=f"teacher{s}@example.org")
            wave = f.wave(school)
            groups = [f.group(school, f"Groep {g}", (g,), size=25, teachers=[teacher])
                      for g in range(3, 9)]
            db.session.commit()
            for group in groups:
                session = svc.open_session(group=group, wave=wave, user=teacher)
                db.session.commit()
                classes.append(ClassInfo(session.code, session.id, group.grades[0]))
    rng.shuffle(classes)
    return classes


def sealed_pupils(url: str, classes: list[ClassInfo], count: int, *, seed: int,
                  midway: bool) -> list[tuple[str, tuple[int, ...], str]]:
    """``count`` pupils spread over the classes, each sealed at a screen of the questionnaire
    with random answers to the questions before it and a submission id of its own, the way the
    pupil screens seal them: at the last screen (ready for /k/send), or with ``midway`` at a
    random screen. Each is (screen kind, that screen's answer values, token)."""
    from surveys.blueprints import pupil
    from surveys.extensions import db
    from surveys.models import ClassSession

    app = make_app(url)
    rng = random.Random(seed)
    out = []
    with app.test_request_context():
        plans = {}
        for info in classes:
            session = db.session.get(ClassSession, info.session_id)
            plan = pupil.build_plan(session.wave, session.group, info.grade, "nl")
            base = pupil.new_state(session, kiosk=False, lang="nl")
            base.update(p="s", g=info.grade, fp=plan.fingerprint())
            values = [tuple(q.instrument.scales[q.item.scale].values) for q in plan.questions]
            plans[info.session_id] = (base, plan, values)
        for n in range(count):
            base, plan, values = plans[classes[n % len(classes)].session_id]
            index = rng.randrange(len(plan.screens)) if midway else len(plan.screens) - 1
            screen = plan.screens[index]
            answered = [s.question for s in plan.screens[:index] if s.question is not None]
            state = {**base, "i": index, "n": f"bench-{seed}-{n:08d}-{uuid.uuid4().hex[:8]}",
                     "a": {str(q): rng.choice(values[q]) for q in answered}}
            options = values[screen.question] if screen.question is not None else ()
            out.append((screen.kind, options, pupil.dump(state)))
    return out


def finished_tokens(url: str, classes: list[ClassInfo], count: int, seed: int = 11) -> list[str]:
    """``count`` finished questionnaires: what a tablet posts to /k/send."""
    return [token for _, _, token in sealed_pupils(url, classes, count, seed=seed, midway=False)]

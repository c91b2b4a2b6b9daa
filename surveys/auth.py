"""Staff sessions: Flask-Login wiring and the login use case with per-account throttling.

Throttling is per account, never per IP address: a whole school sits behind one address, so an
IP limit would lock out every teacher at once. Two layers:

- a short lock: after ``LOGIN_BURST`` wrong passwords in a row the account refuses every attempt
  for ``LOGIN_LOCK_SECONDS`` (kept in ``User.failed_logins`` / ``User.locked_until``);
- an hourly ceiling: at most ``LOGIN_FAILURES_PER_HOUR`` wrong passwords per submitted address
  (Flask-Limiter, keyed by the address, so unknown addresses are limited too).
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from flask import Flask, current_app
from sqlalchemy import func, select

from surveys import passwords
from surveys.extensions import db, login_manager
from surveys.models import User

DEFAULTS = {
    "LOGIN_BURST": 5,
    "LOGIN_LOCK_SECONDS": 60,
    "LOGIN_FAILURES_PER_HOUR": 100,
}


def init_app(app: Flask) -> None:
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    # "strong" drops the session when its identifier changes; we rely on the session version
    # instead, because a school's tablets and laptops share one public address.
    login_manager.session_protection = "basic"


def now() -> dt.datetime:
    """The current time; tests replace it to step past a lock without sleeping."""
    return dt.datetime.now(dt.UTC)


def _aware(moment: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes for timezone-aware columns; they were stored as UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Load the user named by the cookie, if its session version is still current."""
    try:
        raw_id, raw_version = user_id.split(":", 1)
        uid, version = int(raw_id), int(raw_version)
    except ValueError:
        return None
    user = db.session.get(User, uid)
    if user is None or user.session_version != version or not user.active:
        return None
    return user


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def authenticate(email: str, password: str) -> User | None:
    """The user with this address and password, or None. Always spends one hash verification."""
    user = find_user(email)
    if not passwords.verify_password(user.password_hash if user else None, password):
        return None
    if user is None or not user.active:
        return None
    if passwords.needs_rehash(user.password_hash or ""):
        user.password_hash = passwords.hash_password(password)
    return user


class Outcome(enum.Enum):
    OK = "ok"
    WRONG = "wrong"
    LOCKED = "locked"


@dataclass(frozen=True)
class LoginAttempt:
    outcome: Outcome
    user: User | None = None
    #: True when a password was checked and was wrong: this counts towards the hourly ceiling.
    counted: bool = False


def attempt_login(email: str, password: str) -> LoginAttempt:
    """Check a login, keeping the account's failure count and lock up to date (caller commits)."""
    moment = now()
    user = find_user(email)
    if user is not None and user.locked_until is not None and _aware(user.locked_until) > moment:
        return LoginAttempt(Outcome.LOCKED)
    found = authenticate(email, password)
    if found is not None:
        found.failed_logins = 0
        found.locked_until = None
        return LoginAttempt(Outcome.OK, found)
    if user is not None:
        user.failed_logins = (user.failed_logins or 0) + 1
        if user.failed_logins >= current_app.config["LOGIN_BURST"]:
            user.failed_logins = 0
            user.locked_until = moment + dt.timedelta(
                seconds=current_app.config["LOGIN_LOCK_SECONDS"])
    return LoginAttempt(Outcome.WRONG, counted=True)

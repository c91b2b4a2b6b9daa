"""Staff sessions: Flask-Login wiring and the login use case."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from surveys import passwords
from surveys.extensions import db, login_manager
from surveys.models import User


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    # "strong" drops the session when its identifier changes; we rely on the session version
    # instead, because a school's tablets and laptops share one public address.
    login_manager.session_protection = "basic"


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

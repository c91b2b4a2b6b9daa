"""Configuration from environment variables, with safe defaults.

Every setting can be overridden by an environment variable of the same name; tests pass a
plain mapping to ``create_app``. Nothing secret is ever committed: the development secret key
is generated once into the instance folder.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

#: Environments in which a missing SECRET_KEY is tolerated (a key is generated instead).
LENIENT_ENVIRONMENTS = frozenset({"development", "testing"})


class ConfigurationError(RuntimeError):
    """The application cannot start with this configuration; the message says why."""


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ConfigurationError(f"{name} must be a whole number, not {value!r}") from exc


def from_environment(instance_path: str) -> dict[str, Any]:
    """Read the settings the deployment can change, with their defaults."""
    environment = os.environ.get("KLASKLIMAAT_ENV", "production").strip().lower()
    database_url = os.environ.get("DATABASE_URL") or (
        "sqlite:///" + str(Path(instance_path) / "klasklimaat.sqlite3")
    )
    return {
        "ENVIRONMENT": environment,
        "SECRET_KEY": os.environ.get("SECRET_KEY") or None,
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "SQLITE_BUSY_TIMEOUT_MS": _env_int("SQLITE_BUSY_TIMEOUT_MS", 15_000),
        "BABEL_DEFAULT_LOCALE": os.environ.get("DEFAULT_LANGUAGE", "nl"),
        "PRIVACY_K": _env_int("PRIVACY_K", 5),
        "SESSION_COOKIE_SECURE": _env_bool(
            "SESSION_COOKIE_SECURE", environment not in LENIENT_ENVIRONMENTS
        ),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO"),
    }


#: Settings that are the same everywhere and not meant to be changed by a deployment.
FIXED: dict[str, Any] = {
    "SQLALCHEMY_TRACK_MODIFICATIONS": False,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "LANGUAGES": ("nl", "en"),
    "WTF_CSRF_TIME_LIMIT": 8 * 3600,
    "MAX_CONTENT_LENGTH": 8 * 1024 * 1024,
}


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs that name no driver (``postgresql://``)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def ensure_secret_key(config: dict[str, Any], instance_path: str) -> None:
    """Fill in SECRET_KEY, or stop with a clear message where a real one is required.

    In development and tests a random key is generated once into ``instance/secret_key`` (so
    sessions survive a restart); anywhere else a missing key is an error, because a guessable key
    lets anyone forge a staff session.
    """
    if config.get("SECRET_KEY"):
        return
    if config.get("ENVIRONMENT") not in LENIENT_ENVIRONMENTS and not config.get("TESTING"):
        raise ConfigurationError(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random "
            "value (for example the output of: python3 -c 'import secrets; "
            "print(secrets.token_hex(32))'), or set KLASKLIMAAT_ENV=development on a "
            "development machine."
        )
    key_file = Path(instance_path) / "secret_key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    config["SECRET_KEY"] = key_file.read_text().strip()

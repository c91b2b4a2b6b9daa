"""Password hashing with argon2id (argon2-cffi), at OWASP's recommended minimum cost or above."""

from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

#: argon2id, 19 MiB of memory, two passes: OWASP's password-storage baseline.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, type=Type.ID)

#: A hash of a random password, verified against when the account does not exist, so that a
#: login for an unknown address takes as long as one for a known address.
_DUMMY_HASH = _hasher.hash("no account has this password")

MIN_LENGTH = 10


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)

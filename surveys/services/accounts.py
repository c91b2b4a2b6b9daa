"""Staff accounts."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from surveys import passwords
from surveys.extensions import db
from surveys.models import ROLES, School, User

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AccountError(ValueError):
    """An account cannot be created or changed as asked; the message says why."""


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    if not EMAIL_RE.match(email) or len(email) > 254:
        raise AccountError(f"{email!r} is not an e-mail address")
    return email


def create_user(
    *,
    email: str,
    display_name: str,
    role: str,
    school_slug: str | None = None,
    school: School | None = None,
    password: str | None = None,
) -> User:
    email = normalise_email(email)
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    if not display_name.strip():
        raise AccountError("an account needs a display name")
    if school is None and school_slug:
        school = db.session.scalar(select(School).where(School.slug == school_slug.lower()))
        if school is None:
            raise AccountError(f"no school with slug {school_slug!r}")
    if role != "admin" and school is None:
        raise AccountError(f"a {role} account belongs to a school: give --school")
    if db.session.scalar(select(User.id).where(func.lower(User.email) == email)) is not None:
        raise AccountError(f"an account for {email} already exists")
    if password is not None and len(password) < passwords.MIN_LENGTH:
        raise AccountError(f"a password needs at least {passwords.MIN_LENGTH} characters")
    user = User(
        email=email,
        display_name=display_name.strip(),
        role=role,
        school=school,
        board_id=school.board_id if school is not None else None,
        password_hash=passwords.hash_password(password) if password else None,
    )
    db.session.add(user)
    db.session.flush()
    return user


def get_or_create_teacher(school: School, email: str) -> User:
    """The account for a teacher's address, created without a password when missing."""
    email = normalise_email(email)
    user = db.session.scalar(select(User).where(func.lower(User.email) == email))
    if user is None:
        local = email.split("@", 1)[0].replace(".", " ").replace("_", " ").strip()
        return create_user(email=email, display_name=local.title() or email, role="teacher",
                           school=school)
    if user.school_id != school.id:
        raise AccountError(f"{email} belongs to another school")
    return user

"""Staff accounts."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets

from sqlalchemy import func, or_, select

from surveys import passwords
from surveys.extensions import db
from surveys.models import ROLES, GroupTeacher, School, SetPasswordToken, User
from surveys.services.messages import N_, Refusal

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AccountError(Refusal):
    """An account cannot be created or changed as asked; the message says why."""


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    if not EMAIL_RE.match(email) or len(email) > 254:
        raise AccountError(N_("%(email)s is not an e-mail address"), email=repr(email))
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
        raise AccountError(N_("an account needs a display name"))
    if school is None and school_slug:
        school = db.session.scalar(select(School).where(School.slug == school_slug.lower()))
        if school is None:
            raise AccountError(f"no school with slug {school_slug!r}")
    if role != "admin" and school is None:
        raise AccountError(f"a {role} account belongs to a school: give --school")
    if db.session.scalar(select(User.id).where(func.lower(User.email) == email)) is not None:
        raise AccountError(N_("an account for %(email)s already exists"), email=email)
    if password is not None:
        check_new_password(password)
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


# --- passwords and one-time set-password links ------------------------------------------------

#: How long a set-password link works.
LINK_VALID_FOR = dt.timedelta(days=7)


def check_new_password(password: str) -> None:
    if len(password) < passwords.MIN_LENGTH:
        raise AccountError(N_("a password needs at least %(n)s characters"),
                           n=passwords.MIN_LENGTH)
    if len(password) > 1000:
        raise AccountError(N_("a password may have at most 1000 characters"))


def set_password(user: User, password: str) -> None:
    """Store a new password and void every session the account had (a new session version)."""
    check_new_password(password)
    user.password_hash = passwords.hash_password(password)
    user.session_version = (user.session_version or 1) + 1
    user.failed_logins = 0
    user.locked_until = None


def change_password(user: User, current: str, new: str) -> None:
    if not passwords.verify_password(user.password_hash, current):
        raise AccountError(N_("the current password is not right"))
    set_password(user, new)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_set_password_link(user: User, *, now: dt.datetime | None = None) -> str:
    """A new one-time token for ``user``; earlier unused tokens stop working. Only the hash is
    stored, so the database alone cannot be used to take over an account."""
    moment = now or dt.datetime.now(dt.UTC)
    for old in db.session.scalars(select(SetPasswordToken).where(
            SetPasswordToken.user_id == user.id, SetPasswordToken.used.is_(False))):
        old.used = True
    token = secrets.token_urlsafe(32)
    db.session.add(SetPasswordToken(user=user, token_hash=_digest(token),
                                    expires_at=moment + LINK_VALID_FOR))
    db.session.flush()
    return token


def token_user(token: str, *, now: dt.datetime | None = None) -> SetPasswordToken | None:
    """The unused, unexpired token row for ``token``, or None."""
    if not token or len(token) > 100:
        return None
    row = db.session.scalar(select(SetPasswordToken).where(
        SetPasswordToken.token_hash == _digest(token)))
    moment = now or dt.datetime.now(dt.UTC)
    if row is None or row.used:
        return None
    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=dt.UTC)
    if expires <= moment or not row.user.active:
        return None
    return row


def redeem_set_password_link(token: str, password: str) -> User:
    row = token_user(token)
    if row is None:
        raise AccountError(N_("this link has expired or was used already"))
    set_password(row.user, password)
    row.used = True
    return row.user


# --- administration ---------------------------------------------------------------------------


def accounts_for(school_ids: set[int] | None, board_id: int | None) -> list[User]:
    """The accounts an administrator manages: of their schools, and the board's own admins."""
    query = select(User).order_by(User.role, func.lower(User.display_name))
    if school_ids is not None:
        query = query.where(or_(User.school_id.in_(school_ids),
                                (User.role == "admin") & (User.board_id == board_id)))
    return list(db.session.scalars(query))


def update_user(user: User, *, display_name: str, role: str, school: School | None,
                active: bool) -> list[str]:
    """Change an account; returns the names of the fields that changed (for the audit log).
    Switching role, school or deactivating voids the account's sessions."""
    if role not in ROLES:
        raise AccountError(N_("unknown role %(role)s"), role=repr(role))
    if not display_name.strip():
        raise AccountError(N_("an account needs a display name"))
    if role != "admin" and school is None:
        raise AccountError(N_("this role belongs to a school: choose one"))
    if role == "admin":
        school = None
    changed = []
    if user.display_name != display_name.strip():
        user.display_name = display_name.strip()
        changed.append("display_name")
    if user.role != role:
        if user.role == "teacher" and role != "teacher":
            # Group links only make sense for a teacher; leave none that grant group access.
            for link in db.session.scalars(select(GroupTeacher).where(
                    GroupTeacher.user_id == user.id)):
                db.session.delete(link)
        user.role = role
        changed.append("role")
    new_school_id = school.id if school is not None else None
    if user.school_id != new_school_id:
        if user.school_id is not None:
            for link in db.session.scalars(select(GroupTeacher).where(
                    GroupTeacher.user_id == user.id)):
                db.session.delete(link)
        user.school = school
        if school is not None:
            user.board_id = school.board_id
        changed.append("school")
    if user.active != active:
        user.active = active
        changed.append("active")
    if {"role", "school", "active"} & set(changed):
        user.session_version = (user.session_version or 1) + 1
    db.session.flush()
    return changed

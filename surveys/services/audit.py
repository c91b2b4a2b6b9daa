"""The audit log of staff actions: who did what to which object, and when.

Free text (incident descriptions, notes) is never copied into the log: it would outlive the
retention period after which the text itself is purged. A change is logged by field name, with
the old and new value only for fields that hold a fixed choice or a number.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from surveys.extensions import db
from surveys.models import AuditEvent, User


def record(user: User | None, action: str, obj: Any = None, *, school_id: int | None = None,
           detail: str = "", object_type: str | None = None,
           object_id: str | None = None) -> AuditEvent:
    """Add one event (the caller commits together with the change it describes)."""
    if obj is not None:
        object_type = object_type or type(obj).__name__
        if object_id is None:
            key = getattr(obj, "id", None)
            object_id = str(key) if key is not None else None
    event = AuditEvent(
        school_id=school_id if school_id is not None else getattr(user, "school_id", None),
        user_id=user.id if user is not None else None,
        action=action, object_type=object_type or "", object_id=object_id, detail=detail[:2000],
    )
    db.session.add(event)
    return event


def changes(before: dict[str, Any], after: dict[str, Any], *, private: tuple[str, ...] = ()) -> str:
    """``field: old → new`` for changed fields; a private field is named but not shown."""
    parts = []
    for key, old in before.items():
        new = after.get(key)
        if old != new:
            parts.append(key if key in private else f"{key}: {_show(old)} → {_show(new)}")
    return "; ".join(parts)


def _show(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def events(*, school_id: int | None, object_type: str | None = None,
           object_id: str | None = None, limit: int = 200) -> list[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
    if school_id is not None:
        query = query.where(AuditEvent.school_id == school_id)
    if object_type is not None:
        query = query.where(AuditEvent.object_type == object_type)
    if object_id is not None:
        query = query.where(AuditEvent.object_id == object_id)
    return list(db.session.scalars(query))

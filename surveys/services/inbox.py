"""The vertrouwenspersoon's inbox of pupils' conversation requests (requests come from the
pupil flow; only the school's coordinator reads them, P6)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from surveys.extensions import db
from surveys.models import ConversationRequest, User
from surveys.services import audit


def requests_for(school_id: int) -> list[ConversationRequest]:
    """Open requests first (oldest first, so nobody waits longest), then handled ones."""
    return list(db.session.scalars(select(ConversationRequest)
                                   .where(ConversationRequest.school_id == school_id)
                                   .order_by(ConversationRequest.handled,
                                             ConversationRequest.created_on,
                                             ConversationRequest.group_label)))


def mark_handled(user: User, item: ConversationRequest, *, note: str = "",
                 today: dt.date | None = None) -> None:
    item.handled = True
    item.handled_on = today or dt.date.today()
    item.handled_by_id = user.id
    item.note = note.strip()[:2000]
    # The log names the request, never the child's first name.
    audit.record(user, "conversation_request_handled", item, school_id=item.school_id)
    db.session.flush()


def mark_open(user: User, item: ConversationRequest) -> None:
    item.handled = False
    item.handled_on = None
    item.handled_by_id = None
    audit.record(user, "conversation_request_reopened", item, school_id=item.school_id)
    db.session.flush()

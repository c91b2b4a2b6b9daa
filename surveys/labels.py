"""The words staff pages show for stored codes (incident categories, places, statuses), in nl/en.

Stored values stay the short Dutch codes of DESIGN §10 (``fysiek_geweld``, ``plein``); what a
page shows is the school's own wording in the visitor's language.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask
from flask_babel import lazy_gettext as _l

SCHOOL_TIMEZONE = ZoneInfo("Europe/Amsterdam")

CATEGORY = {
    "fysiek_geweld": _l("physical violence"),
    "bedreiging": _l("intimidation and/or threat of physical violence"),
    "online_intimidatie": _l("intimidation and/or threats via internet, text message, e-mail "
                             "or social media"),
    "pesten": _l("bullying, harassment and/or blackmail"),
    "seksueel_misbruik": _l("sexual abuse"),
    "seksuele_intimidatie": _l("sexual harassment"),
    "discriminatie": _l("discrimination or racism"),
    "vernieling": _l("vandalism"),
    "diefstal": _l("theft"),
    "heling": _l("handling stolen goods"),
    "extremisme": _l("(religious) extremism"),
}
LOCATION = {
    "klas": _l("in class"),
    "plein": _l("playground"),
    "gymzaal": _l("gym"),
    "onderweg": _l("on the way to or from school"),
    "online": _l("online"),
    "elders": _l("elsewhere"),
}
HANDLED_BY = {
    "leraar": _l("teacher"),
    "directeur": _l("director"),
    "bestuur": _l("school board"),
    "politie": _l("police"),
}
FOLLOW_UP = {
    "open": _l("open"),
    "lopend": _l("in progress"),
    "afgerond": _l("done"),
}
WAVE_STATUS = {
    "draft": _l("in preparation"),
    "open": _l("open"),
    "closed": _l("closed"),
}
PARENTS_INFORMED = {
    "": _l("not recorded"),
    "yes": _l("yes"),
    "no": _l("no"),
}

ACTION = {
    "incident_registered": _l("incident registered"),
    "incident_changed": _l("incident changed"),
    "incidents_imported": _l("incidents imported"),
    "groups_imported": _l("groups imported"),
    "group_created": _l("group created"),
    "group_changed": _l("group changed"),
    "year_created": _l("school year created"),
    "wave_created": _l("wave created"),
    "wave_changed": _l("wave changed"),
    "wave_opened": _l("wave opened"),
    "wave_closed": _l("wave closed"),
    "settings_changed": _l("settings changed"),
    "school_created": _l("school created"),
    "account_created": _l("account created"),
    "account_changed": _l("account changed"),
    "password_link_issued": _l("set-password link made"),
    "password_changed": _l("password changed"),
    "password_set": _l("password set"),
    "conversation_request_handled": _l("conversation request handled"),
    "conversation_request_reopened": _l("conversation request reopened"),
    "improvement_created": _l("improvement point recorded"),
    "improvement_changed": _l("improvement point changed"),
}

_TABLES = {
    "category": CATEGORY, "location": LOCATION, "handled_by": HANDLED_BY,
    "follow_up": FOLLOW_UP, "wave_status": WAVE_STATUS,
}


def label(kind: str, value: str | None) -> str:
    """The shown word for a stored code; an unknown code is shown as it is (escaped)."""
    if value is None:
        return "—"
    return str(_TABLES[kind].get(value, value))


def choices(kind: str) -> list[tuple[str, Any]]:
    """(code, label) pairs; the labels stay lazy, so a form defined at import time still
    speaks the visitor's language."""
    return list(_TABLES[kind].items())


def action_label(action: str) -> str:
    return str(ACTION.get(action, action.replace("_", " ")))


def local_time(moment: dt.datetime | None) -> str:
    """A stored UTC time as the school's clock shows it (Europe/Amsterdam)."""
    if moment is None:
        return ""
    if moment.tzinfo is None:  # SQLite returns naive UTC
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(SCHOOL_TIMEZONE).strftime("%d-%m-%Y %H:%M")


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(label=label, label_choices=choices, action_label=action_label)
    app.jinja_env.filters["local_time"] = local_time

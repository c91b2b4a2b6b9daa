"""Translation and number helpers for the results pages, the report and the exports.

Strings come from the shared Flask-Babel catalogue (``surveys/translations``); these helpers add
what the results side needs on top: ``%(name)s`` formatting in Python and templates alike, and
numbers written the way the reader writes them (``3,12`` in Dutch, ``3.12`` in English).
"""

from __future__ import annotations

import math
from typing import Any

from flask_babel import get_locale, get_translations
from flask_babel.speaklater import LazyString


def current_lang() -> str:
    locale = get_locale()
    return "en" if locale is not None and str(locale).startswith("en") else "nl"


def gettext(msgid: str, **variables: Any) -> str:
    """Flask-Babel's gettext, formatting ``%(name)s`` placeholders from ``variables``."""
    text = get_translations().gettext(msgid)
    return text % variables if variables else text


def template_gettext(msgid: str, **variables: Any) -> str:
    """``_()`` in the results templates: like Jinja's new-style gettext, it always formats, so
    ``%%`` means a percent sign whether or not the string has variables."""
    return gettext(msgid) % variables


def ngettext(singular: str, plural: str, num: int, **variables: Any) -> str:
    variables.setdefault("num", num)
    return get_translations().ngettext(singular, plural, num) % variables


def lazy_gettext(msgid: str, **variables: Any) -> LazyString:
    return LazyString(gettext, msgid, **variables)


def num(value: float | None, decimals: int = 2, lang: str | None = None) -> str:
    """A number as the reader writes it: ``3,12`` in Dutch, ``3.12`` in English; "—" if none."""
    if value is None or not math.isfinite(value):
        return "—"
    text = f"{value:.{decimals}f}".replace("-", "−")
    return text.replace(".", ",") if (lang or current_lang()) == "nl" else text


def pct(value: float | None) -> str:
    """A share as a whole percentage ("12%"); "—" if none."""
    if value is None or not math.isfinite(value):
        return "—"
    return f"{round(100 * value)}%"


def signed(value: float | None, decimals: int = 2, lang: str | None = None) -> str:
    if value is None or not math.isfinite(value):
        return "—"
    sign = "+" if value > 0 else ""
    return sign + num(value, decimals, lang)


__all__ = [
    "current_lang",
    "gettext",
    "lazy_gettext",
    "ngettext",
    "num",
    "pct",
    "signed",
    "template_gettext",
]

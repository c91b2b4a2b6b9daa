"""Form pieces shared by the staff pages (Flask-WTF: every form carries a CSRF token)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from wtforms import SelectMultipleField, widgets

try:  # WTForms 3.3 and later; earlier versions take tuples
    from wtforms.fields.choices import SelectChoice
except ImportError:  # pragma: no cover
    SelectChoice = None  # type: ignore[assignment,misc]


class CheckboxesField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes: easier on a tablet than a list box."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def options(pairs: Iterable[tuple[Any, Any]]) -> list[Any]:
    """``(value, label)`` pairs as WTForms choices (``SelectChoice`` where WTForms has it)."""
    if SelectChoice is None:
        return list(pairs)
    return [SelectChoice(value, label) for value, label in pairs]

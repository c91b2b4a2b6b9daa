"""Refusals that speak the visitor's language: an English message template plus its values.

``str(error)`` is the English sentence (the CLI and logs print it); ``error.localised()`` is the
same sentence translated for a page. Templates are marked with ``N_`` so that ``pybabel extract``
finds them; values are filled in after translation, so a translator sees ``%(k)s``, not 7.
"""

from __future__ import annotations

from typing import Any


def N_(text: str) -> str:
    """Mark ``text`` for translation without translating it (gettext's conventional name)."""
    return text


class Refusal(ValueError):
    """A use case refused its input; the message says why."""

    def __init__(self, template: str, **params: Any) -> None:
        self.template = template
        self.params = params
        super().__init__(template % params if params else template)

    def localised(self) -> str:
        from flask_babel import gettext

        return gettext(self.template, **self.params) if self.params else gettext(self.template)

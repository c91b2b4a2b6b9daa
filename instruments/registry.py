"""Look up instruments by id and version, find the latest ones for a grade; the shipped set cached.

The shipped set is loaded once per process (:func:`registry`); an invalid shipped file makes the
first lookup raise InstrumentError, so a broken deployment fails loudly instead of serving half a
questionnaire. Tests that point at other directories build their own :class:`Registry`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from pathlib import Path

from instruments.loader import load_directory
from instruments.model import GRADES, Instrument


class Registry:
    """A set of instrument versions, keyed by ``(id, version)``."""

    def __init__(self, instruments: Mapping[tuple[str, int], Instrument]) -> None:
        self.instruments: dict[tuple[str, int], Instrument] = dict(sorted(instruments.items()))

    @classmethod
    def from_directory(cls, path: str | Path | None = None) -> Registry:
        return cls(load_directory(path))

    def __iter__(self) -> Iterator[Instrument]:
        return iter(self.instruments.values())

    def __len__(self) -> int:
        return len(self.instruments)

    def __contains__(self, key: object) -> bool:
        return key in self.instruments

    def ids(self) -> list[str]:
        return sorted({instrument.id for instrument in self})

    def versions(self, id: str) -> list[int]:
        return sorted(version for (ident, version) in self.instruments if ident == id)

    def get(self, id: str, version: int) -> Instrument:
        """One exact version; KeyError when it is not in the set."""
        try:
            return self.instruments[(id, version)]
        except KeyError:
            raise KeyError(f"unknown instrument {id!r} version {version}") from None

    def latest(self, id: str) -> Instrument:
        """The highest version of ``id``; KeyError when the id is not in the set."""
        versions = self.versions(id)
        if not versions:
            raise KeyError(f"unknown instrument {id!r}")
        return self.instruments[(id, versions[-1])]

    def for_grade(self, grade: int, teacher_feedback: bool = False) -> tuple[Instrument, ...]:
        """The latest version of every instrument that serves ``grade``.

        Safety instruments come first (by id); with ``teacher_feedback=True`` the teacher-feedback
        instruments for the grade follow them. An id whose latest version no longer serves the
        grade is left out rather than falling back to an older version.
        """
        if isinstance(grade, bool) or not isinstance(grade, int) or grade not in GRADES:
            raise ValueError(f"grade must be a groep from 1 to 8, got {grade!r}")
        latest = [self.latest(id) for id in self.ids()]
        serving = [instrument for instrument in latest if instrument.serves(grade)]
        safety = [i for i in serving if not i.is_teacher_feedback]
        teacher = [i for i in serving if i.is_teacher_feedback] if teacher_feedback else []
        return tuple(safety + teacher)


@functools.cache
def registry() -> Registry:
    """The shipped instruments (``instruments/definitions/``), loaded and checked once."""
    return Registry.from_directory()


def get(id: str, version: int) -> Instrument:
    """One version of a shipped instrument."""
    return registry().get(id, version)


def latest(id: str) -> Instrument:
    """The newest version of a shipped instrument."""
    return registry().latest(id)


def for_grade(grade: int, teacher_feedback: bool = False) -> tuple[Instrument, ...]:
    """The newest shipped instruments for a grade; see :meth:`Registry.for_grade`."""
    return registry().for_grade(grade, teacher_feedback)

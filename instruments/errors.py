"""The one exception the instrument loader raises: a precise problem in one instrument file."""

from __future__ import annotations

from pathlib import Path


class InstrumentError(ValueError):
    """A problem in an instrument file: which file, which item (if any), and what is wrong.

    ``str(error)`` reads like ``veiligheid-5-8.v1.toml: item 'veilig_klas': unknown scale
    'eens5'``; without an item it is ``<file>: <problem>``. Scale and construct problems name
    their scale or construct at the start of ``problem`` (``scale 'eens4': ...``).

    ``all_problems`` holds every problem found in the same check, this one first, so that a caller
    of :func:`instruments.load_instrument` that catches the first problem can still list the rest.
    """

    def __init__(self, path: str | Path, problem: str, item: str | None = None) -> None:
        self.path = Path(path)
        self.file = self.path.name
        self.item = item
        self.problem = problem
        self.all_problems: tuple[InstrumentError, ...] = (self,)
        super().__init__(self._message())

    def _message(self) -> str:
        if self.item is None:
            return f"{self.file}: {self.problem}"
        return f"{self.file}: item '{self.item}': {self.problem}"

    def __str__(self) -> str:
        return self._message()

    def __repr__(self) -> str:
        return f"InstrumentError({self._message()!r})"

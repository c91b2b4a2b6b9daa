"""Questionnaire definitions as data: TOML files, their loader and validator (DESIGN §5).

Standard library only, and no imports from ``surveys`` or ``analysis``: the application and the
statistics build on this package, never the other way round.

Typical use::

    import instruments
    for instrument in instruments.for_grade(7, teacher_feedback=True):
        for item in instrument.items:
            item.render("nl", leraar="juf Sanne")
"""

from instruments.cli import cli_check
from instruments.errors import InstrumentError
from instruments.loader import (
    check_data,
    check_file,
    check_files,
    content_hash,
    default_directory,
    load_directory,
    load_instrument,
)
from instruments.model import (
    FACES,
    KINDS,
    LANGUAGES,
    PLACEHOLDERS,
    Construct,
    Instrument,
    Item,
    Scale,
    word_count,
)
from instruments.registry import Registry, for_grade, get, latest, registry

__all__ = [
    "FACES",
    "KINDS",
    "LANGUAGES",
    "PLACEHOLDERS",
    "Construct",
    "Instrument",
    "InstrumentError",
    "Item",
    "Registry",
    "Scale",
    "check_data",
    "check_file",
    "check_files",
    "cli_check",
    "content_hash",
    "default_directory",
    "for_grade",
    "get",
    "latest",
    "load_directory",
    "load_instrument",
    "registry",
    "word_count",
]

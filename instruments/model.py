"""The parsed form of an instrument: frozen dataclasses that the loader builds and others read.

Nothing here reads files or validates them (that is :mod:`instruments.loader`); these classes only
answer questions about an instrument that is already known to be valid. The mappings inside them
are plain dicts for easy use in templates and JSON; treat them as read-only, since the shipped
instruments are cached and shared by the whole process.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

#: Languages every text must have: Dutch first, English for parents and staff who need it.
LANGUAGES: tuple[str, ...] = ("nl", "en")

#: How a construct turns item answers into a score (DESIGN §5, §7).
#: ``mean``: the mean of the answered items (reverse-scored where marked).
#: ``any_at_least``: true when any item is at or above the construct's threshold.
KINDS: tuple[str, ...] = ("mean", "any_at_least")

#: Face pictures the pupil screen can draw next to an answer label, saddest to happiest.
#: A scale lists one face per value; agreement scales run sad -> happy, victimisation
#: (frequency) scales the other way round, since "never" is the good answer there.
FACES: tuple[str, ...] = ("very_sad", "sad", "unsure", "content", "happy", "very_happy")

#: Placeholders an item text may contain. ``{leraar}`` is filled by the pupil screen with the
#: teacher's display name ("juf Sanne", "meester Ahmed").
PLACEHOLDERS: tuple[str, ...] = ("leraar",)

#: Constructs whose key starts with this are teacher feedback (asked once per teacher).
TEACHER_PREFIX = "leraar_"

#: Grades up to this one follow the rules for beginning readers (groep 3-4 in INSTRUMENTS.md).
YOUNG_MAX_GRADE = 4

#: Grades a pupil questionnaire can serve (groep 1-8).
GRADES = range(1, 9)

PLACEHOLDER_RE = re.compile(r"\{([^{}]*)\}")


def placeholders_in(text: str) -> list[str]:
    """The names of the ``{...}`` placeholders in ``text``, in order of appearance."""
    return PLACEHOLDER_RE.findall(text)


def word_count(text: str) -> int:
    """Words in ``text`` as a child reads them; a placeholder counts as two ("juf Sanne")."""
    return len(PLACEHOLDER_RE.sub(" x x ", text).split())


def fill_placeholders(text: str, leraar: str | None) -> str:
    """Put the teacher's display name into ``text``.

    Plain string replacement, never ``str.format``: the text comes from a file and the name from
    a user, and neither should be able to reach Python formatting. Escaping for HTML is the
    template's job. A name at the start of a sentence gets a capital ("Juf Sanne legt ...").
    """
    if "{leraar}" not in text:
        return text
    if not leraar:
        raise ValueError("this text names the teacher: pass the teacher's display name (leraar=)")
    if text.startswith("{leraar}"):
        text = leraar[:1].upper() + leraar[1:] + text[len("{leraar}") :]
    return text.replace("{leraar}", leraar)


def _check_language(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r} (expected one of {', '.join(LANGUAGES)})")


@dataclass(frozen=True)
class Scale:
    """The answer options of an item, in display order, with their stored values.

    ``frequency`` marks a how-often scale (victimisation): its values count occurrences, so
    reverse scoring is meaningless on it. ``spoken`` optionally gives, per language, what the
    read-aloud voice says for each label when it differs from the label ("2-3" -> "twee of drie").
    """

    key: str
    values: tuple[int, ...]
    labels: dict[str, tuple[str, ...]]
    faces: tuple[str, ...]
    frequency: bool = False
    spoken: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def __hash__(self) -> int:
        return hash((self.key, self.values, self.faces, self.frequency))

    @property
    def min(self) -> int:
        return self.values[0]

    @property
    def max(self) -> int:
        return self.values[-1]

    @property
    def midpoint(self) -> float:
        """Half-way between the lowest and highest value; "unsafe" means below it (DESIGN §7)."""
        return (self.min + self.max) / 2

    def _index(self, value: int) -> int:
        try:
            return self.values.index(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a value of scale {self.key!r}") from None

    def label(self, value: int, lang: str = "nl") -> str:
        """The answer label shown for ``value``."""
        _check_language(lang)
        return self.labels[lang][self._index(value)]

    def spoken_label(self, value: int, lang: str = "nl") -> str:
        """What the read-aloud voice says for ``value``."""
        _check_language(lang)
        source = self.spoken.get(lang) or self.labels[lang]
        return source[self._index(value)]

    def options(self, lang: str = "nl") -> list[tuple[int, str, str]]:
        """``(value, label, face)`` per answer option, in display order."""
        _check_language(lang)
        return list(zip(self.values, self.labels[lang], self.faces, strict=True))


@dataclass(frozen=True)
class Construct:
    """What a group of items measures together, and how their answers make one score.

    ``threshold`` is set only for ``any_at_least`` constructs: a pupil counts (e.g. as bullied)
    when any item of the construct is answered at or above it. ``intro`` is read aloud and shown
    before the construct's first item (the explanation of bullying and its time frame).
    """

    key: str
    title: dict[str, str]
    kind: str
    threshold: int | None = None
    intro: dict[str, str] | None = None

    def __hash__(self) -> int:
        return hash((self.key, self.kind, self.threshold))

    @property
    def is_teacher_feedback(self) -> bool:
        return self.key.startswith(TEACHER_PREFIX)

    def intro_text(self, lang: str = "nl", *, leraar: str | None = None) -> str | None:
        """The intro in ``lang`` with the teacher's name filled in, or None without an intro."""
        _check_language(lang)
        if self.intro is None:
            return None
        return fill_placeholders(self.intro[lang], leraar)


@dataclass(frozen=True)
class Item:
    """One question. ``key`` is stable: a key never names a different wording."""

    key: str
    construct: str
    scale: str
    text: dict[str, str]
    spoken: dict[str, str] = field(default_factory=dict)
    reverse: bool = False

    def __hash__(self) -> int:
        return hash((self.key, self.construct, self.scale, self.reverse))

    @property
    def names_teacher(self) -> bool:
        return any("{leraar}" in text for text in self.text.values())

    def render(self, lang: str = "nl", *, leraar: str | None = None, spoken: bool = False) -> str:
        """The item text (or what the voice says, with ``spoken=True``) ready for the screen.

        Raises ValueError when the item names the teacher and ``leraar`` is not given.
        """
        _check_language(lang)
        source = self.spoken.get(lang, self.text[lang]) if spoken else self.text[lang]
        return fill_placeholders(source, leraar)


@dataclass(frozen=True)
class Instrument:
    """One version of one questionnaire, exactly as in its file, plus the file's content hash."""

    id: str
    version: int
    title: dict[str, str]
    grades: tuple[int, ...]
    scales: dict[str, Scale]
    constructs: dict[str, Construct]
    items: tuple[Item, ...]
    content_hash: str
    path: Path | None = field(default=None, compare=False)

    def __hash__(self) -> int:
        return hash((self.id, self.version, self.content_hash))

    def __repr__(self) -> str:
        # The generated repr would print every item; an id is what a log line or test needs.
        return f"<Instrument {self.id} v{self.version} ({len(self.items)} items)>"

    @property
    def key(self) -> tuple[str, int]:
        """``(id, version)``: how stored answers and the registry refer to this instrument."""
        return (self.id, self.version)

    @property
    def is_teacher_feedback(self) -> bool:
        """True for a teacher-feedback questionnaire (asked once per teacher of the group)."""
        return any(key.startswith(TEACHER_PREFIX) for key in self.constructs)

    @property
    def is_young(self) -> bool:
        """True when the instrument serves a beginning reader grade (groep 3-4 rules apply)."""
        return any(grade <= YOUNG_MAX_GRADE for grade in self.grades)

    def serves(self, grade: int) -> bool:
        return grade in self.grades

    def item(self, key: str) -> Item:
        """The item with this key; KeyError naming the instrument when there is none."""
        for item in self.items:
            if item.key == key:
                return item
        raise KeyError(f"instrument {self.id!r} v{self.version} has no item {key!r}")

    def items_for(self, construct: str) -> tuple[Item, ...]:
        """The items of one construct, in questionnaire order."""
        if construct not in self.constructs:
            raise KeyError(f"instrument {self.id!r} v{self.version} has no construct {construct!r}")
        return tuple(item for item in self.items if item.construct == construct)

    def scale_for(self, item_key: str) -> Scale:
        return self.scales[self.item(item_key).scale]

    def construct_scale(self, construct: str) -> Scale:
        """The one scale all items of ``construct`` use (the loader guarantees there is one)."""
        return self.scales[self.items_for(construct)[0].scale]

    def validate_value(self, item_key: str, value: object) -> int:
        """Check one answer and return it as an int; ValueError with the reason when it is bad.

        Accepts an int or the decimal text of one (form fields arrive as text). ``None`` (a
        skipped question) is not an answer: callers handle skips before calling this.
        """
        try:
            item = self.item(item_key)
        except KeyError:
            raise ValueError(
                f"instrument {self.id!r} v{self.version} has no item {item_key!r}"
            ) from None
        scale = self.scales[item.scale]
        number: int | None = None
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,6}", value.strip()):
            number = int(value.strip())
        allowed = ", ".join(str(v) for v in scale.values)
        if number is None:
            raise ValueError(
                f"item {item_key!r}: answer {value!r} is not a whole number (allowed: {allowed})"
            )
        if number not in scale.values:
            raise ValueError(
                f"item {item_key!r}: answer {number} is not on scale {scale.key!r} "
                f"(allowed: {allowed})"
            )
        return number

"""Read instrument TOML files, check every rule of DESIGN §5 and INSTRUMENTS.md, build Instruments.

The checks collect every problem in a file rather than stopping at the first, so that
``instruments check`` can list them all; :func:`load_instrument` raises the first one and carries
the rest in ``error.all_problems``. Each problem names the file, the item where there is one, and
what is wrong, in words an instrument author can act on.

The content hash is taken over the parsed TOML (JSON with sorted keys), not over the bytes and
not over the dataclasses: comments, whitespace and key order do not change it, any wording does,
and it stays the same when this loader learns new optional fields.
"""

from __future__ import annotations

import difflib
import hashlib
import itertools
import json
import re
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NoReturn

from instruments.errors import InstrumentError
from instruments.model import (
    FACES,
    GRADES,
    KINDS,
    LANGUAGES,
    PLACEHOLDER_RE,
    PLACEHOLDERS,
    TEACHER_PREFIX,
    YOUNG_MAX_GRADE,
    Construct,
    Instrument,
    Item,
    Scale,
)

ID_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
KEY_RE = re.compile(r"[a-z][a-z0-9_]*")
FILE_NAME_RE = re.compile(r"(?P<id>.+)\.v(?P<version>[0-9]+)\.toml")

TOP_LEVEL_FIELDS = ("id", "version", "title", "grades", "scales", "constructs", "items")
SCALE_FIELDS = {"values": True, "labels": True, "faces": True, "frequency": False, "spoken": False}
CONSTRUCT_FIELDS = {"title": True, "kind": True, "threshold": False, "intro": False}
ITEM_FIELDS = {
    "key": True,
    "construct": True,
    "scale": True,
    "text": True,
    "spoken": False,
    "reverse": False,
}
LANGUAGE_NAMES = {"nl": "Dutch", "en": "English"}

#: Fewest items a mean construct needs for Cronbach's alpha to mean something (INSTRUMENTS.md).
MIN_MEAN_ITEMS = 3
MIN_MEAN_ITEMS_YOUNG = 2


def default_directory() -> Path:
    """The shipped instrument files: ``instruments/definitions/``."""
    return Path(__file__).resolve().parent / "definitions"


def content_hash(data: dict[str, Any]) -> str:
    """sha256 hex of the canonical JSON form of a parsed instrument file."""
    canonical = json.dumps(
        data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _suggest(name: str, known: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for a likely typo, else an empty string."""
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _is_int(value: object) -> bool:
    # TOML booleans are Python bools, which are ints: `version = true` must not pass as 1.
    return isinstance(value, int) and not isinstance(value, bool)


def _count(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"


def _values_text(values: Iterable[int]) -> str:
    return ", ".join(str(v) for v in values)


class _Problems:
    """Collects the problems of one file in the order they are found."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.found: list[InstrumentError] = []

    def add(self, problem: str, item: str | None = None) -> None:
        self.found.append(InstrumentError(self.path, problem, item=item))


class _Checker:
    """Validates one parsed file and builds its Instrument when nothing is wrong."""

    def __init__(self, path: Path, data: dict[str, Any]) -> None:
        self.path = path
        self.data = data
        self.problems = _Problems(path)
        self.add = self.problems.add

    # -- helpers ---------------------------------------------------------------------------

    def _fields(
        self, raw: dict[str, Any], fields: dict[str, bool], where: str, item: str | None = None
    ) -> None:
        """Report unknown fields (typos) and missing required ones."""
        prefix = f"{where}: " if where else ""
        for name in raw:
            if name not in fields:
                self.add(f"{prefix}unknown field '{name}'{_suggest(name, fields)}", item)
        for name, required in fields.items():
            if required and name not in raw:
                self.add(f"{prefix}missing required field '{name}'", item)

    def _texts(
        self, raw: object, where: str, item: str | None = None, *, partial: bool = False
    ) -> dict[str, str] | None:
        """A ``{ nl = "...", en = "..." }`` table; with ``partial`` a language may be left out."""
        if not isinstance(raw, dict):
            self.add(f'{where} must be a table like {{ nl = "...", en = "..." }}', item)
            return None
        ok = True
        for lang in raw:
            if lang not in LANGUAGES:
                self.add(
                    f"{where} has unknown language '{lang}' (expected nl and en)"
                    f"{_suggest(lang, LANGUAGES)}",
                    item,
                )
                ok = False
        if not partial:
            for lang in LANGUAGES:
                if lang not in raw:
                    self.add(f"{where} has no {LANGUAGE_NAMES[lang]} ({lang}) wording", item)
                    ok = False
        for lang in LANGUAGES:
            if lang not in raw:
                continue
            value = raw[lang]
            if not isinstance(value, str):
                self.add(f"{where}.{lang} must be text", item)
                ok = False
            elif not value.strip():
                self.add(f"{where}.{lang} is empty", item)
                ok = False
        return {lang: raw[lang] for lang in LANGUAGES if lang in raw} if ok else None

    def _label_lists(
        self, raw: object, where: str, count: int | None, *, partial: bool = False
    ) -> dict[str, tuple[str, ...]] | None:
        """A ``{ nl = [...], en = [...] }`` table with one label per scale value."""
        if not isinstance(raw, dict):
            self.add(f'{where} must be a table like {{ nl = ["..."], en = ["..."] }}')
            return None
        ok = True
        for lang in raw:
            if lang not in LANGUAGES:
                self.add(f"{where} has unknown language '{lang}' (expected nl and en)")
                ok = False
        result: dict[str, tuple[str, ...]] = {}
        for lang in LANGUAGES:
            if lang not in raw:
                if not partial:
                    self.add(f"{where} has no {LANGUAGE_NAMES[lang]} ({lang}) labels")
                    ok = False
                continue
            labels = raw[lang]
            if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
                self.add(f"{where}.{lang} must be a list of texts")
                ok = False
                continue
            if any(not label.strip() for label in labels):
                self.add(f"{where}.{lang} has an empty label")
                ok = False
            if len(set(labels)) != len(labels):
                self.add(f"{where}.{lang} repeats a label")
                ok = False
            if count is not None and len(labels) != count:
                self.add(f"{where}.{lang} has {_count(len(labels), 'label')} for {count} values")
                ok = False
            result[lang] = tuple(labels)
        return result if ok else None

    # -- the file, top down ------------------------------------------------------------------

    def check(self) -> Instrument | None:
        data = self.data
        for name in data:
            if name not in TOP_LEVEL_FIELDS:
                self.add(f"unknown top-level key '{name}'{_suggest(name, TOP_LEVEL_FIELDS)}")
        for name in TOP_LEVEL_FIELDS:
            if name not in data:
                self.add(f"missing required field '{name}'")

        ident = self._id(data.get("id"))
        version = self._version(data.get("version"))
        self._file_name(ident, version)
        title = self._texts(data["title"], "title") if "title" in data else None
        grades = self._grades(data["grades"]) if "grades" in data else None
        scales = self._scales(data["scales"]) if "scales" in data else None
        constructs = self._constructs(data["constructs"]) if "constructs" in data else None
        items = self._items(data["items"], scales, constructs, grades) if "items" in data else None
        if scales is not None and constructs is not None and items is not None:
            self._constructs_against_items(scales, constructs, items, grades)
            self._placeholders(title, constructs, items)
            self._teacher_feedback(constructs, items)

        if (
            self.problems.found
            or ident is None
            or version is None
            or title is None
            or grades is None
            or scales is None
            or constructs is None
            or items is None
        ):
            # Every None above comes with a problem already reported; the test is for typing.
            return None
        return Instrument(
            id=ident,
            version=version,
            title=title,
            grades=grades,
            scales=scales,
            constructs=constructs,
            items=items,
            content_hash=content_hash(data),
            path=self.path,
        )

    def _id(self, raw: object) -> str | None:
        if raw is None:
            return None
        if not isinstance(raw, str) or not ID_RE.fullmatch(raw):
            self.add(
                f"id {raw!r} must be lowercase letters and digits, joined by dashes "
                "(like 'veiligheid-5-8')"
            )
            return None
        return raw

    def _version(self, raw: object) -> int | None:
        if raw is None:
            return None
        if not _is_int(raw) or raw < 1:
            self.add(f"version {raw!r} must be a positive whole number")
            return None
        return raw

    def _file_name(self, ident: str | None, version: int | None) -> None:
        if ident is None or version is None:
            match = FILE_NAME_RE.fullmatch(self.path.name)
            if match is None:
                self.add("file name must be <id>.v<version>.toml")
            return
        expected = f"{ident}.v{version}.toml"
        if self.path.name != expected:
            self.add(f"file name must be '{expected}' to match id '{ident}' and version {version}")

    def _grades(self, raw: object) -> tuple[int, ...] | None:
        if not isinstance(raw, list) or not raw:
            self.add("grades must be a non-empty list of groep numbers, like [5, 6, 7, 8]")
            return None
        ok = True
        seen: set[int] = set()
        for grade in raw:
            if not _is_int(grade) or grade not in GRADES:
                self.add(f"grades: {grade!r} is not a groep from 1 to 8")
                ok = False
            elif grade in seen:
                self.add(f"grades: {grade} is listed twice")
                ok = False
            else:
                seen.add(grade)
        return tuple(sorted(seen)) if ok else None

    def _scales(self, raw: object) -> dict[str, Scale] | None:
        if not isinstance(raw, dict) or not raw:
            self.add("scales must define at least one scale, like [scales.eens4]")
            return None
        scales: dict[str, Scale] = {}
        ok = True
        for key, body in raw.items():
            scale = self._scale(key, body)
            if scale is None:
                ok = False
            else:
                scales[key] = scale
        return scales if ok else None

    def _scale(self, key: str, raw: object) -> Scale | None:
        where = f"scale '{key}'"
        if not KEY_RE.fullmatch(key):
            self.add(f"{where}: name must be lowercase letters, digits and underscores")
            return None
        if not isinstance(raw, dict):
            self.add(f"{where} must be a table with values, labels and faces")
            return None
        before = len(self.problems.found)
        self._fields(raw, SCALE_FIELDS, where)

        values = raw.get("values")
        count: int | None = None
        if values is not None:
            if not isinstance(values, list) or not all(_is_int(v) for v in values):
                self.add(f"{where}: values must be a list of whole numbers")
            elif len(values) < 2:
                self.add(f"{where}: values must offer at least two answers")
            elif any(a >= b for a, b in itertools.pairwise(values)):
                self.add(
                    f"{where}: values must be strictly increasing, got [{_values_text(values)}]"
                )
            else:
                count = len(values)

        labels = None
        if "labels" in raw:
            labels = self._label_lists(raw["labels"], f"{where}: labels", count)
        spoken: dict[str, tuple[str, ...]] = {}
        if "spoken" in raw:
            spoken = self._label_lists(raw["spoken"], f"{where}: spoken", count, partial=True) or {}

        faces = raw.get("faces")
        if faces is not None:
            if not isinstance(faces, list) or not all(isinstance(f, str) for f in faces):
                self.add(f"{where}: faces must be a list of face names")
            else:
                for face in faces:
                    if face not in FACES:
                        self.add(
                            f"{where}: unknown face '{face}' (known faces: {', '.join(FACES)})"
                        )
                if count is not None and len(faces) != count:
                    self.add(f"{where}: faces has {_count(len(faces), 'face')} for {count} values")
                if len(set(faces)) != len(faces):
                    self.add(f"{where}: faces repeats a face; each answer needs its own")

        frequency = raw.get("frequency", False)
        if not isinstance(frequency, bool):
            self.add(f"{where}: frequency must be true or false")

        if len(self.problems.found) != before or labels is None:
            return None
        return Scale(
            key=key,
            values=tuple(values),
            labels=labels,
            faces=tuple(faces),
            frequency=frequency,
            spoken=spoken,
        )

    def _constructs(self, raw: object) -> dict[str, Construct] | None:
        if not isinstance(raw, dict) or not raw:
            self.add("constructs must define at least one construct, like [constructs.veiligheid]")
            return None
        constructs: dict[str, Construct] = {}
        ok = True
        for key, body in raw.items():
            construct = self._construct(key, body)
            if construct is None:
                ok = False
            else:
                constructs[key] = construct
        return constructs if ok else None

    def _construct(self, key: str, raw: object) -> Construct | None:
        where = f"construct '{key}'"
        if not KEY_RE.fullmatch(key):
            self.add(f"{where}: name must be lowercase letters, digits and underscores")
            return None
        if not isinstance(raw, dict):
            self.add(f"{where} must be a table with title and kind")
            return None
        before = len(self.problems.found)
        self._fields(raw, CONSTRUCT_FIELDS, where)
        title = self._texts(raw["title"], f"{where}: title") if "title" in raw else None
        intro = self._texts(raw["intro"], f"{where}: intro") if "intro" in raw else None

        kind = raw.get("kind")
        if kind is not None and kind not in KINDS:
            self.add(f"{where}: unknown kind {kind!r} (expected 'mean' or 'any_at_least')")
        threshold = raw.get("threshold")
        if threshold is not None and not _is_int(threshold):
            self.add(f"{where}: threshold must be a whole number, a value of the items' scale")
        elif kind == "mean" and threshold is not None:
            self.add(f"{where}: threshold only applies to kind 'any_at_least', not 'mean'")
        elif kind == "any_at_least" and threshold is None:
            self.add(f"{where}: kind 'any_at_least' needs a threshold")

        if len(self.problems.found) != before or title is None:
            return None
        return Construct(key=key, title=title, kind=kind, threshold=threshold, intro=intro)

    def _items(
        self,
        raw: object,
        scales: dict[str, Scale] | None,
        constructs: dict[str, Construct] | None,
        grades: tuple[int, ...] | None,
    ) -> tuple[Item, ...] | None:
        if not isinstance(raw, list) or not raw:
            self.add("items must list at least one item, each as an [[items]] table")
            return None
        items: list[Item] = []
        first_use: dict[str, int] = {}
        construct_scale: dict[str, str] = {}
        young = grades is not None and any(g <= YOUNG_MAX_GRADE for g in grades)
        ok = True
        for number, body in enumerate(raw, start=1):
            if not isinstance(body, dict):
                self.add(f"item #{number} must be a table ([[items]])")
                ok = False
                continue
            key = body.get("key")
            if not isinstance(key, str) or not key:
                self.add(f"item #{number} has no key")
                ok = False
                continue
            before = len(self.problems.found)
            if not KEY_RE.fullmatch(key):
                self.add("key must be lowercase letters, digits and underscores", key)
            if key in first_use:
                self.add(f"key is used twice (items #{first_use[key]} and #{number})", key)
            else:
                first_use[key] = number
            self._fields(body, ITEM_FIELDS, "", key)

            construct = body.get("construct")
            if construct is not None and not isinstance(construct, str):
                self.add("construct must be the name of a construct, in quotes", key)
                construct = None
            if construct is not None and constructs is not None and construct not in constructs:
                self.add(
                    f"unknown construct '{construct}'{_suggest(str(construct), constructs)}", key
                )
            scale_key = body.get("scale")
            if scale_key is not None and not isinstance(scale_key, str):
                self.add("scale must be the name of a scale, in quotes", key)
                scale_key = None
            if scale_key is not None and scales is not None and scale_key not in scales:
                self.add(f"unknown scale '{scale_key}'{_suggest(str(scale_key), scales)}", key)

            text = self._texts(body["text"], "text", key) if "text" in body else None
            spoken = (
                self._texts(body["spoken"], "spoken", key, partial=True) if "spoken" in body else {}
            )

            reverse = body.get("reverse", False)
            if not isinstance(reverse, bool):
                self.add("reverse must be true or false", key)
                reverse = False
            scale = scales.get(scale_key) if scales and isinstance(scale_key, str) else None
            kind = constructs[construct] if constructs and construct in constructs else None
            if reverse and scale is not None and scale.frequency:
                self.add(f"reverse makes no sense on frequency scale '{scale_key}'", key)
            if reverse and kind is not None and kind.kind == "any_at_least":
                self.add(f"reverse is not allowed in any_at_least construct '{construct}'", key)
            if reverse and young:
                self.add(
                    "reverse items are not allowed in an instrument for groep 3-4 "
                    "(young children misread them)",
                    key,
                )
            if scale is not None and kind is not None:
                used = construct_scale.setdefault(construct, scale_key)
                if used != scale_key:
                    self.add(
                        f"scale '{scale_key}' differs from scale '{used}' used by the other "
                        f"items of construct '{construct}'",
                        key,
                    )

            if len(self.problems.found) != before or text is None:
                ok = False
                continue
            items.append(
                Item(
                    key=key,
                    construct=construct,
                    scale=scale_key,
                    text=text,
                    spoken=spoken or {},
                    reverse=reverse,
                )
            )
        return tuple(items) if ok else None

    # -- rules across sections ---------------------------------------------------------------

    def _constructs_against_items(
        self,
        scales: dict[str, Scale],
        constructs: dict[str, Construct],
        items: tuple[Item, ...],
        grades: tuple[int, ...] | None,
    ) -> None:
        only_young = grades is not None and all(g <= YOUNG_MAX_GRADE for g in grades)
        minimum = MIN_MEAN_ITEMS_YOUNG if only_young else MIN_MEAN_ITEMS
        for key, construct in constructs.items():
            where = f"construct '{key}'"
            own = [item for item in items if item.construct == key]
            if not own:
                self.add(f"{where} has no items")
                continue
            if construct.kind == "mean" and len(own) < minimum:
                audience = "an instrument only for groep 3-4" if only_young else "groep 5-8"
                self.add(
                    f"{where} has {_count(len(own), 'item')}; a mean "
                    f"construct needs at least {minimum} for {audience}"
                )
            scale = scales[own[0].scale]
            if construct.kind == "any_at_least" and construct.threshold is not None:
                if construct.threshold not in scale.values:
                    self.add(
                        f"{where}: threshold {construct.threshold} is not a value of scale "
                        f"'{scale.key}' ({_values_text(scale.values)})"
                    )
                elif construct.threshold == scale.min:
                    self.add(
                        f"{where}: threshold {construct.threshold} is the lowest value of scale "
                        f"'{scale.key}', so every answer would count"
                    )
            if scale.frequency and construct.intro is None:
                self.add(
                    f"{where}: items on frequency scale '{scale.key}' need an intro that "
                    "explains the question and names the time frame"
                )
        for key in scales:
            if not any(item.scale == key for item in items):
                self.add(f"scale '{key}' is not used by any item")

    def _placeholders(
        self,
        title: dict[str, str] | None,
        constructs: dict[str, Construct],
        items: tuple[Item, ...],
    ) -> None:
        """Only known placeholders, only in item texts and intros, balanced braces."""
        teacher = any(key.startswith(TEACHER_PREFIX) for key in constructs)

        def check(text: str, where: str, item: str | None, allowed: bool) -> None:
            if PLACEHOLDER_RE.sub("", text).count("{") or PLACEHOLDER_RE.sub("", text).count("}"):
                self.add(f"{where} has a stray brace; a placeholder looks like {{leraar}}", item)
            for name in PLACEHOLDER_RE.findall(text):
                if name not in PLACEHOLDERS:
                    known = ", ".join(f"{{{p}}}" for p in PLACEHOLDERS)
                    self.add(f"{where} uses unknown placeholder {{{name}}} (known: {known})", item)
                elif not allowed:
                    self.add(f"{where} uses {{{name}}}; placeholders belong in item texts", item)
                elif not teacher:
                    self.add(
                        f"{where} uses {{{name}}}, but this is not a teacher-feedback "
                        f"instrument (no {TEACHER_PREFIX} construct)",
                        item,
                    )

        for lang, text in (title or {}).items():
            check(text, f"title.{lang}", None, allowed=False)
        for construct in constructs.values():
            for lang, text in construct.title.items():
                check(text, f"construct '{construct.key}': title.{lang}", None, allowed=False)
            for lang, text in (construct.intro or {}).items():
                check(text, f"construct '{construct.key}': intro.{lang}", None, allowed=True)
        for item in items:
            for lang, text in item.text.items():
                check(text, f"text.{lang}", item.key, allowed=True)
            for lang, text in item.spoken.items():
                check(text, f"spoken.{lang}", item.key, allowed=True)
                if ("{leraar}" in item.text[lang]) != ("{leraar}" in text):
                    self.add(
                        f"spoken.{lang} and text.{lang} must both name the teacher with "
                        "{leraar}, or neither",
                        item.key,
                    )

    def _teacher_feedback(self, constructs: dict[str, Construct], items: tuple[Item, ...]) -> None:
        """Teacher feedback stands alone (it is asked once per teacher) and names the teacher."""
        teacher = [key for key in constructs if key.startswith(TEACHER_PREFIX)]
        other = [key for key in constructs if not key.startswith(TEACHER_PREFIX)]
        if teacher and other:
            names = ", ".join(f"'{key}'" for key in other)
            self.add(
                f"construct{'s' if len(other) > 1 else ''} {names} cannot share an instrument "
                f"with teacher feedback ({TEACHER_PREFIX}...), which is asked once per teacher"
            )
            return
        if not teacher:
            return
        for item in items:
            for lang in LANGUAGES:
                if "{leraar}" not in item.text[lang]:
                    self.add(
                        f"text.{lang} does not name the teacher; teacher-feedback items "
                        "say {leraar}",
                        item.key,
                    )


def _read(path: Path) -> tuple[dict[str, Any] | None, list[InstrumentError]]:
    """Parse the TOML of one file, or report why it cannot be read."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [InstrumentError(path, f"cannot read file: {exc.strerror or exc}")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None, [InstrumentError(path, "file is not UTF-8 text")]
    try:
        return tomllib.loads(text), []
    except tomllib.TOMLDecodeError as exc:
        return None, [InstrumentError(path, f"TOML syntax error: {exc}")]


def check_data(
    data: dict[str, Any], path: str | Path
) -> tuple[Instrument | None, list[InstrumentError]]:
    """Check parsed TOML as if read from `path` (whose name must match id and version)."""
    checker = _Checker(Path(path), data)
    instrument = checker.check()
    return instrument, checker.problems.found


def check_file(path: str | Path) -> tuple[Instrument | None, list[InstrumentError]]:
    """Check one file: the Instrument when it is valid, else None and all of its problems."""
    path = Path(path)
    data, problems = _read(path)
    if data is None:
        return None, problems
    return check_data(data, path)


def _raise_first(problems: list[InstrumentError]) -> NoReturn:
    first = problems[0]
    first.all_problems = tuple(problems)
    raise first


def load_instrument(path: str | Path) -> Instrument:
    """Load and validate one instrument file.

    Raises InstrumentError with the first problem; ``error.all_problems`` lists all of them.
    """
    instrument, problems = check_file(path)
    if problems or instrument is None:
        _raise_first(problems)
    return instrument


def _expand(paths: Iterable[str | Path]) -> tuple[list[Path], list[InstrumentError]]:
    """Files to check: files as given, directories scanned (not recursively) for ``*.toml``."""
    files: list[Path] = []
    problems: list[InstrumentError] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(path.glob("*.toml"))
            if not found:
                problems.append(InstrumentError(path, "directory has no *.toml files"))
            files.extend(found)
        elif path.exists():
            files.append(path)
        else:
            problems.append(InstrumentError(path, "no such file or directory"))
    # A file named both on its own and through its directory is checked once.
    unique = {file.resolve(): file for file in reversed(files)}
    return [file for file in files if unique[file.resolve()] is file], problems


def _check_across(instruments: list[Instrument]) -> list[InstrumentError]:
    """Rules between files: one file per (id, version); an item key never changes wording."""
    problems: list[InstrumentError] = []
    seen: dict[tuple[str, int], Instrument] = {}
    for instrument in sorted(instruments, key=lambda i: (i.id, i.version, str(i.path))):
        path = instrument.path or Path(f"{instrument.id}.v{instrument.version}.toml")
        other = seen.get(instrument.key)
        if other is not None:
            problems.append(
                InstrumentError(
                    path,
                    f"instrument '{instrument.id}' version {instrument.version} is also "
                    f"defined in {other.path}",
                )
            )
            continue
        seen[instrument.key] = instrument
        for earlier in seen.values():
            if earlier.id != instrument.id or earlier.version >= instrument.version:
                continue
            old = {item.key: item for item in earlier.items}
            for item in instrument.items:
                before = old.get(item.key)
                if before is None:
                    continue
                same = (before.text, before.construct, before.scale, before.reverse) == (
                    item.text,
                    item.construct,
                    item.scale,
                    item.reverse,
                )
                if not same:
                    problems.append(
                        InstrumentError(
                            path,
                            f"key was used with other wording in version {earlier.version}; "
                            "an item whose wording changes needs a new key",
                            item=item.key,
                        )
                    )
    return problems


def _check_paths(
    paths: Iterable[str | Path] | str | Path,
) -> tuple[list[Path], list[Instrument], list[InstrumentError]]:
    if isinstance(paths, str | Path):
        paths = [paths]
    files, problems = _expand(paths)
    instruments: list[Instrument] = []
    for file in files:
        instrument, found = check_file(file)
        problems.extend(found)
        if instrument is not None:
            instruments.append(instrument)
    problems.extend(_check_across(instruments))
    return files, instruments, problems


def check_files(paths: Iterable[str | Path] | str | Path) -> list[InstrumentError]:
    """Every problem in the given files and directories (directories: their ``*.toml``).

    Also checks between files: an (id, version) defined twice, an item key reused for different
    wording in a later version. An empty list means everything is valid.
    """
    return _check_paths(paths)[2]


def load_directory(path: str | Path | None = None) -> dict[tuple[str, int], Instrument]:
    """All instruments in a directory (default: the shipped set), keyed by ``(id, version)``.

    Raises InstrumentError (the first problem, all of them in ``all_problems``) when any file in
    the directory is invalid: a half-loaded set would make results silently incomplete.
    """
    directory = Path(path) if path is not None else default_directory()
    _files, instruments, problems = _check_paths([directory])
    if problems:
        _raise_first(problems)
    return {i.key: i for i in sorted(instruments, key=lambda i: i.key)}

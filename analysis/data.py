"""The input model of the analysis: one school's groups, scores and incidents for one wave.

The application fills these frozen dataclasses from its database (the "bridge"); everything
else in :mod:`analysis` reads only them. Scores arrive already computed per respondent (see
:mod:`analysis.scoring`): nothing here knows about items, instruments or SQL.

Shape of the data
-----------------
:class:`WaveData` — one survey wave (afname) of one school in one school year:

- ``school``, ``school_year`` (``"2026-2027"``), ``wave`` (``"najaar"``): labels, echoed
  in the outputs.
- ``groups``: a tuple of :class:`GroupData`, one per group (class) of that school year,
  including groups without respondents (groep 1–2), since their pupils and incidents count
  towards the school's incident rate.
- ``previous``: the same school's comparable wave one school year earlier, or ``None``;
  trends (same grade, same cohort) read it.

:class:`GroupData` — one group in that wave:

- ``name`` (``"Groep 6"``), ``grades`` (``(6,)`` or ``(3, 4)``), ``size`` (enrolled pupils,
  the denominator of the response rate and of incidents per pupil), ``previous_group`` (the
  name of the group these pupils formed last school year, which links cohorts; ``None`` when
  unknown or new).
- ``scores``: construct name → one-dimensional float array with one entry per respondent, the
  *same length for every construct* (row ``i`` of every array is the same, anonymous,
  respondent). Mean constructs (``veiligheid``, ``welbevinden``, ``hulp``, ``leraar_*``) are on
  the common 1–4 metric (:func:`analysis.scoring.to_common_scale`); ``gepest`` holds 0.0 or
  1.0. ``NaN`` marks a respondent without a valid score for that construct (too many skipped
  items, or a construct the respondent's instrument does not have). The number of
  respondents, ``n``, is the common length of the arrays.
- ``incidents``: incident category → number of incidents registered for this group in the
  school year (categories from :data:`INCIDENT_CATEGORIES`; absent means zero).

The arrays are copied and made read-only on construction, so a ``WaveData`` can be shared
freely. Use :func:`wave_from_dict` to build one from plain dicts and lists (JSON-friendly).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from analysis.scoring import COMMON_MAX, COMMON_MIN

__all__ = [
    "BULLIED_CONSTRUCT",
    "CONSTRUCT_LABELS",
    "INCIDENT_CATEGORIES",
    "INCIDENT_LABELS",
    "MEAN_CONSTRUCTS",
    "SAFETY_CONSTRUCT",
    "TEACHER_PREFIX",
    "GroupData",
    "WaveData",
    "construct_kind",
    "construct_label",
    "group_from_dict",
    "wave_from_dict",
]

#: The incident categories of the school's safety plan (DESIGN §2, §10), in display order.
INCIDENT_CATEGORIES = (
    "fysiek_geweld",
    "bedreiging",
    "online_intimidatie",
    "pesten",
    "seksueel_misbruik",
    "seksuele_intimidatie",
    "discriminatie",
    "vernieling",
    "diefstal",
    "heling",
    "extremisme",
)

#: Display names of the incident categories, per language.
INCIDENT_LABELS = {
    "fysiek_geweld": {"nl": "fysiek geweld", "en": "physical violence"},
    "bedreiging": {
        "nl": "intimidatie of bedreiging met fysiek geweld",
        "en": "intimidation or threats of physical violence",
    },
    "online_intimidatie": {
        "nl": "intimidatie of bedreiging via internet, sms, e-mail of social media",
        "en": "intimidation or threats online or by phone",
    },
    "pesten": {"nl": "pesten, treiteren of chantage", "en": "bullying, harassment or blackmail"},
    "seksueel_misbruik": {"nl": "seksueel misbruik", "en": "sexual abuse"},
    "seksuele_intimidatie": {"nl": "seksuele intimidatie", "en": "sexual intimidation"},
    "discriminatie": {"nl": "discriminatie of racisme", "en": "discrimination or racism"},
    "vernieling": {"nl": "vernieling", "en": "vandalism"},
    "diefstal": {"nl": "diefstal", "en": "theft"},
    "heling": {"nl": "heling", "en": "handling stolen goods"},
    "extremisme": {"nl": "(religieus) extremisme", "en": "(religious) extremism"},
}

#: Display names of the shared constructs, per language (others show their own name).
CONSTRUCT_LABELS = {
    "veiligheid": {"nl": "Veiligheidsbeleving", "en": "Feeling safe"},
    "welbevinden": {"nl": "Welbevinden", "en": "Wellbeing"},
    "gepest": {"nl": "Gepest worden", "en": "Being bullied"},
    "hulp": {"nl": "Hulp en steun", "en": "Help and support"},
    "leraar_zorg": {"nl": "Leraar: zorg", "en": "Teacher: care"},
    "leraar_uitleg": {"nl": "Leraar: uitleg", "en": "Teacher: explaining"},
    "leraar_orde": {"nl": "Leraar: rust en regels", "en": "Teacher: calm and rules"},
    "leraar_uitdaging": {"nl": "Leraar: uitdaging", "en": "Teacher: challenge"},
    "leraar_luisteren": {"nl": "Leraar: luisteren", "en": "Teacher: listening"},
}


def construct_label(construct: str, lang: str = "nl") -> str:
    """The display name of ``construct`` in ``lang`` (the name itself when unknown)."""
    return CONSTRUCT_LABELS.get(construct, {}).get(lang, construct)


#: Mean constructs shared by all safety instruments (teacher feedback adds ``leraar_*``).
MEAN_CONSTRUCTS = ("veiligheid", "welbevinden", "hulp")
#: The construct whose score is a 0/1 "bullied" verdict.
BULLIED_CONSTRUCT = "gepest"
#: The construct behind "unsafe", the safety rules and the trends.
SAFETY_CONSTRUCT = "veiligheid"
#: Teacher-feedback constructs start with this prefix.
TEACHER_PREFIX = "leraar_"


def construct_kind(construct: str) -> str:
    """Return ``"share"`` for the 0/1 bullied construct and ``"mean"`` for every other one."""
    return "share" if construct == BULLIED_CONSTRUCT else "mean"


def _readonly_array(name: str, construct: str, values: Any) -> tuple[np.ndarray, np.ndarray]:
    """The scores as a read-only float array, checked, and its valid (non-NaN) entries."""
    if not isinstance(values, np.ndarray):
        values = [np.nan if v is None else v for v in values]
    try:
        array = np.array(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name}: scores for {construct!r} are not numbers ({exc})") from None
    if array.ndim != 1:
        raise ValueError(f"{name}: scores for {construct!r} must be one-dimensional")
    finite = array[~np.isnan(array)]
    if np.isinf(finite).any():
        raise ValueError(f"{name}: scores for {construct!r} contain an infinite value")
    if construct_kind(construct) == "share":
        if not ((finite == 0.0) | (finite == 1.0)).all():
            raise ValueError(f"{name}: scores for {construct!r} must be 0, 1 or missing")
    elif ((finite < COMMON_MIN) | (finite > COMMON_MAX)).any():
        raise ValueError(
            f"{name}: scores for {construct!r} must lie on the common metric 1–4 "
            "(use analysis.scoring.to_common_scale)"
        )
    array.setflags(write=False)
    finite.setflags(write=False)
    return array, finite


@dataclass(frozen=True, eq=False)
class GroupData:
    """One group (class) in one survey wave: who it is, its respondents' scores, its incidents.

    Parameters
    ----------
    name : str
        The group's name, unique within the school year ("Groep 6", "Groep 3/4").
    grades : tuple of int
        The grade levels (groep) in the group; two for a combination group.
    size : int
        Enrolled pupils; the denominator of the response rate and of incidents per pupil.
    previous_group : str or None
        The name of the group these pupils formed last school year (the cohort link).
    scores : mapping of str to array of float
        Construct → per-respondent scores, all arrays of the same length; NaN = no score.
    incidents : mapping of str to int
        Incident category → count registered for this group in the school year.
    """

    name: str
    grades: tuple[int, ...]
    size: int
    previous_group: str | None = None
    scores: Mapping[str, np.ndarray] = field(default_factory=dict)
    incidents: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError(f"a group needs a non-empty name, got {self.name!r}")
        name = self.name
        grades = tuple(self.grades)
        for grade in grades:
            if isinstance(grade, bool) or not isinstance(grade, numbers.Integral):
                raise ValueError(f"{name}: grade {grade!r} is not an integer")
            if not 1 <= grade <= 8:
                raise ValueError(f"{name}: grade {grade} is not a groep 1–8")
        object.__setattr__(self, "grades", tuple(int(g) for g in grades))
        if isinstance(self.size, bool) or not isinstance(self.size, numbers.Integral):
            raise ValueError(f"{name}: size {self.size!r} is not an integer")
        if self.size < 0:
            raise ValueError(f"{name}: size {self.size} is negative")
        object.__setattr__(self, "size", int(self.size))
        if self.previous_group is not None and (
            not isinstance(self.previous_group, str) or not self.previous_group.strip()
        ):
            raise ValueError(f"{name}: previous_group must be a group name or None")

        scores = {}
        valid = {}  # the valid scores per construct, asked for again and again: kept once
        for construct, values in dict(self.scores).items():
            if not isinstance(construct, str) or not construct:
                raise ValueError(f"{name}: construct names must be non-empty strings")
            scores[construct], valid[construct] = _readonly_array(name, construct, values)
        lengths = {len(v) for v in scores.values()}
        if len(lengths) > 1:
            raise ValueError(
                f"{name}: every construct needs one entry per respondent; got lengths "
                f"{sorted(lengths)}"
            )
        object.__setattr__(self, "scores", MappingProxyType(scores))
        object.__setattr__(self, "_valid", valid)

        incidents = {}
        for category, count in dict(self.incidents).items():
            if category not in INCIDENT_CATEGORIES:
                raise ValueError(
                    f"{name}: unknown incident category {category!r}; expected one of "
                    f"{', '.join(INCIDENT_CATEGORIES)}"
                )
            if isinstance(count, bool) or not isinstance(count, numbers.Integral) or count < 0:
                raise ValueError(f"{name}: incident count for {category!r} must be an integer ≥ 0")
            incidents[category] = int(count)
        object.__setattr__(self, "incidents", MappingProxyType(incidents))

    @property
    def n(self) -> int:
        """The number of respondents (the common length of the score arrays)."""
        return len(next(iter(self.scores.values()))) if self.scores else 0

    @property
    def response_rate(self) -> float:
        """Respondents per enrolled pupil, ``n / size``; NaN when the size is zero."""
        return self.n / self.size if self.size else math.nan

    @property
    def incident_total(self) -> int:
        """All incidents registered for the group in the school year."""
        return sum(self.incidents.values())

    def values(self, construct: str) -> np.ndarray:
        """The valid (non-missing) scores of ``construct``; empty when the group has none."""
        kept = self._valid.get(construct)  # type: ignore[attr-defined]
        return np.empty(0) if kept is None else kept

    def count(self, construct: str) -> int:
        """The number of respondents with a valid score for ``construct``."""
        kept = self._valid.get(construct)  # type: ignore[attr-defined]
        return 0 if kept is None else len(kept)


@dataclass(frozen=True, eq=False)
class WaveData:
    """One survey wave of one school: its groups, and the previous year's wave for trends.

    Parameters
    ----------
    school : str
        The school's name (or slug) as the outputs should show it.
    school_year : str
        The school year, ``"2026-2027"``.
    wave : str
        The wave's name within the year (``"najaar"``).
    groups : tuple of GroupData
        Every group of the school year, names unique.
    previous : WaveData or None
        The same school's comparable wave one school year earlier.
    """

    school: str
    school_year: str
    wave: str
    groups: tuple[GroupData, ...]
    previous: WaveData | None = None

    def __post_init__(self) -> None:
        groups = tuple(self.groups)
        for group in groups:
            if not isinstance(group, GroupData):
                raise ValueError(f"groups must be GroupData, got {type(group).__name__}")
        names = [g.name for g in groups]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"{self.school_year}: duplicate group names {duplicates}")
        object.__setattr__(self, "groups", groups)
        if self.previous is not None and not isinstance(self.previous, WaveData):
            raise ValueError("previous must be a WaveData or None")

    def group(self, name: str) -> GroupData:
        """The group called ``name``; ``KeyError`` when there is none."""
        for group in self.groups:
            if group.name == name:
                return group
        raise KeyError(name)

    def key(self, construct: str) -> str:
        """The privacy measure name of a construct in this wave: ``"veiligheid@2026-2027/najaar"``.

        Views that span waves (trends, the attention list) name their cells this way, so a
        check over several views can tell this year's figures from last year's.
        """
        return f"{construct}@{self.school_year}/{self.wave}"

    @property
    def constructs(self) -> tuple[str, ...]:
        """Every construct that any group has scores for, sorted."""
        return tuple(sorted({c for g in self.groups for c in g.scores}))

    def counts(self, construct: str) -> dict[str, int]:
        """Group name → number of valid scores for ``construct``."""
        return {g.name: g.count(construct) for g in self.groups}

    def values(self, construct: str) -> dict[str, np.ndarray]:
        """Group name → valid scores for ``construct`` (groups without any are left out)."""
        return {g.name: g.values(construct) for g in self.groups if g.count(construct)}


def group_from_dict(data: Mapping[str, Any]) -> GroupData:
    """Build a :class:`GroupData` from plain data.

    Scores come either column-wise, ``"scores": {"veiligheid": [3.2, None, ...], ...}``,
    or row-wise, ``"respondents": [{"veiligheid": 3.2, "gepest": 0}, ...]`` (a construct
    missing from a row is a missing score). ``None`` is a missing score in both forms.
    """
    data = dict(data)
    known = {"name", "grades", "size", "previous_group", "scores", "respondents", "incidents"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ValueError(f"unknown group fields {unknown}")
    if "scores" in data and "respondents" in data:
        raise ValueError("give scores or respondents, not both")
    if "respondents" in data:
        rows: Iterable[Mapping[str, Any]] = data["respondents"]
        rows = list(rows)
        constructs = sorted({c for row in rows for c in row})
        scores = {
            c: [row.get(c) if row.get(c) is not None else math.nan for row in rows]
            for c in constructs
        }
    else:
        scores = dict(data.get("scores", {}))
    return GroupData(
        name=data.get("name", ""),
        grades=tuple(data.get("grades", ())),
        size=data.get("size", 0),
        previous_group=data.get("previous_group"),
        scores=scores,
        incidents=dict(data.get("incidents", {})),
    )


def wave_from_dict(data: Mapping[str, Any]) -> WaveData:
    """Build a :class:`WaveData` (and its ``previous`` chain) from plain dicts and lists.

    Example::

        wave_from_dict({
            "school": "De Regenboog", "school_year": "2026-2027", "wave": "najaar",
            "groups": [{"name": "Groep 6", "grades": [6], "size": 25,
                        "previous_group": "Groep 5",
                        "scores": {"veiligheid": [3.4, 2.8], "gepest": [0, 1]},
                        "incidents": {"pesten": 2}}],
            "previous": None,
        })
    """
    data = dict(data)
    known = {"school", "school_year", "wave", "groups", "previous"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ValueError(f"unknown wave fields {unknown}")
    previous = data.get("previous")
    return WaveData(
        school=str(data.get("school", "")),
        school_year=str(data.get("school_year", "")),
        wave=str(data.get("wave", "")),
        groups=tuple(group_from_dict(g) for g in data.get("groups", ())),
        previous=wave_from_dict(previous) if previous is not None else None,
    )

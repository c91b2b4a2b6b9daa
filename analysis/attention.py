"""The attention list (DESIGN §7, §10): which groups need attention, and why, in plain words.

:func:`attention_list` applies the rules of :class:`analysis.policy.AttentionPolicy` to one
wave and returns an :class:`AttentionResult`; ``to_json_dict(lang)`` is the object that
``flask attention --format json`` prints, ``to_text(lang)`` the terminal rendering.

JSON shape (DESIGN §10)::

    {"school": ..., "school_year": ..., "wave": ..., "k": 5,
     "groups": [{"group": "Groep 6", "n": 24,
                 "flags": [{"rule": "safety_low", "text": "...", "value": 2.61,
                            "reference": 3.18, "q": 0.004, "effect": -0.82}],
                 "warnings": [{"rule": "low_response", "text": "..."}]},
                {"group": "Groep 3", "suppressed": true}]}

What the numbers of a flag are:

==================  ======================  =====================  =====================
rule                value                   reference              effect
==================  ======================  =====================  =====================
safety_low          group mean (1–4)        rest of school mean    Hedges' g
bullying_high       share bullied (0–1)     rest of school share   difference in shares
safety_decline      group mean now          cohort mean last year  Hedges' g
incidents_high      incidents per pupil     rest of school         rate ratio
severe_incident     number of incidents     null                   null
==================  ======================  =====================  =====================

``q`` is the Benjamini–Hochberg adjusted p-value within the rule's family (null for
``severe_incident``). Means and g are rounded to 2 decimals, shares and rates to 3; a value
that does not exist (an infinite rate ratio) is null.

Which groups appear:

- a group with at least ``k`` respondents, when it has a flag or a warning (every such group
  with ``include_all=True``): ``group``, ``n`` (respondents), ``flags``, ``warnings``;
- a group with ``0 < n < k`` respondents: ``{"group": ..., "suppressed": true}`` and nothing
  else — except that a ``severe_incident`` flag is still listed under ``"flags"``, since it
  comes from the incident register, never from pupils' answers (a group with no respondents
  at all, such as groep 1–2, appears only for that reason);
- a *protected pool* (:mod:`analysis.privacy`), when the safety or bullying rule flags it:
  ``group`` is the members' names joined with " + ", with ``"protected": true`` and
  ``"members"``. A group that had to join a pool is not compared on its own for that
  measure, so that no figure of the small group in the pool can be worked back.

Respondent counts (``n``) are shown for groups of at least ``k``: they are not answers (the
teacher's session screen shows the live count too). Every figure computed from answers is
registered as a :class:`analysis.privacy.Cell` (measure ``wave.key(construct)``, e.g.
``"veiligheid@2026-2027/najaar"``) and
the whole list passes :func:`analysis.privacy.guard` before it is returned.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from analysis.comparisons import (
    RestComparison,
    compare_means_to_rest,
    compare_rates_to_rest,
    compare_shares_to_rest,
)
from analysis.data import INCIDENT_LABELS, GroupData, WaveData
from analysis.policy import FLAG_RULES, AttentionPolicy
from analysis.privacy import Cell, guard
from analysis.trends import TrendComparison, cohort_trend

__all__ = [
    "LANGUAGES",
    "AttentionResult",
    "DataWarning",
    "Flag",
    "GroupAttention",
    "attention_list",
]

#: The languages the sentences are written in.
LANGUAGES = ("nl", "en")


def _check_lang(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {LANGUAGES}, got {lang!r}")
    return lang


# --- numbers in sentences ---------------------------------------------------------------


def _num(x: float, lang: str, decimals: int = 2) -> str:
    text = f"{x:.{decimals}f}".replace("-", "−")
    return text.replace(".", ",") if lang == "nl" else text


def _pct(x: float) -> str:
    return f"{round(100 * x)}%"


def _q(q: float, lang: str) -> str:
    if q < 0.001:
        return "q < " + _num(0.001, lang, 3)
    return "q = " + _num(q, lang, 3)


def _size_word(g: float, lang: str) -> str:
    size = abs(g)
    words = {
        "nl": ("een verwaarloosbaar", "een klein", "een middelgroot", "een groot"),
        "en": ("a negligible", "a small", "a medium", "a large"),
    }[lang]
    return words[0 if size < 0.2 else 1 if size < 0.5 else 2 if size < 0.8 else 3]


def _chance(q: float, lang: str) -> str:
    if lang == "nl":
        return "vrijwel zeker geen toeval" if q < 0.01 else "waarschijnlijk geen toeval"
    return "very unlikely to be chance" if q < 0.01 else "unlikely to be chance"


def _json_number(x: float | None, decimals: int) -> float | int | None:
    if x is None or not math.isfinite(x):
        return None
    return round(float(x)) if decimals == 0 else round(float(x), decimals)


def _per_100(rate: float, lang: str) -> str:
    per_100 = 100 * rate
    return _num(per_100, lang, 1 if per_100 < 10 else 0)


def _json_q(q: float | None) -> float | None:
    if q is None or not math.isfinite(q):
        return None
    return round(q, 3) if q >= 0.001 else float(f"{q:.1e}")


# --- results ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Flag:
    """One reason a group needs attention, with its figures and a sentence per language."""

    rule: str
    value: float | None
    reference: float | None
    q: float | None
    effect: float | None
    text_nl: str
    text_en: str
    decimals: int = 2
    effect_decimals: int = 2

    def text(self, lang: str = "nl") -> str:
        """The plain sentence in ``lang``."""
        return self.text_nl if _check_lang(lang) == "nl" else self.text_en

    def to_json_dict(self, lang: str = "nl") -> dict:
        """``{"rule", "text", "value", "reference", "q", "effect"}`` as in DESIGN §10."""
        return {
            "rule": self.rule,
            "text": self.text(lang),
            "value": _json_number(self.value, self.decimals),
            "reference": _json_number(self.reference, self.decimals),
            "q": _json_q(self.q),
            "effect": _json_number(self.effect, self.effect_decimals),
        }


@dataclass(frozen=True)
class DataWarning:
    """A data-quality warning about a group (not a flag)."""

    rule: str
    text_nl: str
    text_en: str

    def text(self, lang: str = "nl") -> str:
        """The plain sentence in ``lang``."""
        return self.text_nl if _check_lang(lang) == "nl" else self.text_en

    def to_json_dict(self, lang: str = "nl") -> dict:
        """``{"rule", "text"}``."""
        return {"rule": self.rule, "text": self.text(lang)}


@dataclass(frozen=True)
class GroupAttention:
    """One entry of the attention list: a group, a protected pool, or a suppressed group."""

    group: str
    n: int | None
    suppressed: bool = False
    protected: bool = False
    members: tuple[str, ...] = ()
    flags: tuple[Flag, ...] = ()
    warnings: tuple[DataWarning, ...] = ()

    def to_json_dict(self, lang: str = "nl") -> dict:
        """The entry as DESIGN §10 shows it (see the module docstring for the variants)."""
        if self.suppressed:
            entry: dict = {"group": self.group, "suppressed": True}
            if self.flags:  # only severe_incident, from the incident register
                entry["flags"] = [f.to_json_dict(lang) for f in self.flags]
            return entry
        entry = {"group": self.group, "n": self.n}
        if self.protected:
            entry["protected"] = True
            entry["members"] = list(self.members)
        entry["flags"] = [f.to_json_dict(lang) for f in self.flags]
        entry["warnings"] = [w.to_json_dict(lang) for w in self.warnings]
        return entry


@dataclass(frozen=True)
class AttentionResult:
    """The attention list of one wave; see the module docstring."""

    school: str
    school_year: str
    wave: str
    k: int
    groups: tuple[GroupAttention, ...]
    policy: AttentionPolicy = field(repr=False, default_factory=AttentionPolicy)
    cells: tuple[Cell, ...] = field(repr=False, default=())

    def to_json_dict(self, lang: str = "nl") -> dict:
        """The JSON object of DESIGN §10, with sentences in ``lang``."""
        _check_lang(lang)
        return {
            "school": self.school,
            "school_year": self.school_year,
            "wave": self.wave,
            "k": self.k,
            "groups": [g.to_json_dict(lang) for g in self.groups],
        }

    def to_text(self, lang: str = "nl") -> str:
        """A plain-text rendering for a terminal."""
        _check_lang(lang)
        nl = lang == "nl"
        title = "Aandachtslijst" if nl else "Attention list"
        lines = [f"{title} {self.school} — {self.school_year}, {self.wave} (k = {self.k})", ""]
        if not self.groups:
            lines.append("Geen groepen vragen aandacht." if nl else "No group needs attention.")
        for entry in self.groups:
            if entry.suppressed:
                lines.append(
                    f"{entry.group}: minder dan {self.k} leerlingen deden mee; geen cijfers."
                    if nl
                    else f"{entry.group}: fewer than {self.k} pupils took part; no figures."
                )
            else:
                pupils = "leerlingen" if nl else "pupils"
                lines.append(f"{entry.group} ({entry.n} {pupils})")
            for flag in entry.flags:
                lines.append(f"  • {flag.text(lang)}")
            for warning in entry.warnings:
                label = "Let op" if nl else "Note"
                lines.append(f"  ! {label}: {warning.text(lang)}")
        return "\n".join(lines) + "\n"


# --- the sentences ------------------------------------------------------------------------


def _name(label: str, protected: bool, lang: str) -> str:
    if not protected:
        return label
    if lang == "nl":
        return f"{label} (samen getoond om kleine groepen te beschermen)"
    return f"{label} (shown together to protect small groups)"


def _safety_low_flag(row: RestComparison) -> Flag:
    texts = {}
    for lang in LANGUAGES:
        who = _name(row.label, row.protected, lang)
        v, r = _num(row.value, lang), _num(row.reference, lang)
        g = _num(row.effect, lang)
        if lang == "nl":
            texts[lang] = (
                f"In {who} is de veiligheidsbeleving gemiddeld {v} op een schaal van 1 tot 4; "
                f"in de rest van de school is dat {r}. Dat is {_size_word(row.effect, lang)} "
                f"verschil (g = {g}), {_chance(row.q, lang)} ({_q(row.q, lang)})."
            )
        else:
            texts[lang] = (
                f"In {who} the average feeling of safety is {v} on a scale from 1 to 4; "
                f"in the rest of the school it is {r}. That is {_size_word(row.effect, lang)} "
                f"difference (g = {g}), {_chance(row.q, lang)} ({_q(row.q, lang)})."
            )
    return Flag("safety_low", row.value, row.reference, row.q, row.effect, texts["nl"], texts["en"])


def _young(members: Sequence[str], wave: WaveData) -> bool:
    grades = [g for m in members for g in wave.group(m).grades]
    return bool(grades) and max(grades) <= 4


def _bullying_flag(row: RestComparison, wave: WaveData) -> Flag:
    young = _young(row.members, wave)
    one = row.count == 1
    texts = {}
    for lang in LANGUAGES:
        who = _name(row.label, row.protected, lang)
        share, ref = _pct(row.value), _pct(row.reference)
        if lang == "nl":
            how = "vaak" if young else "2–3 keer per maand of vaker"
            says, are = ("zegt", "wordt") if one else ("zeggen", "worden")
            texts[lang] = (
                f"In {who} {says} {row.count} van de {row.n} leerlingen ({share}) dat ze {how} "
                f"gepest {are}; in de rest van de school is dat {ref}."
            )
        else:
            how = "often" if young else "two or three times a month or more"
            says = "says" if one else "say"
            texts[lang] = (
                f"In {who}, {row.count} of the {row.n} pupils ({share}) {says} they are bullied "
                f"{how}; in the rest of the school this is {ref}."
            )
    return Flag(
        "bullying_high",
        row.value,
        row.reference,
        row.q,
        row.effect,
        texts["nl"],
        texts["en"],
        decimals=3,
        effect_decimals=3,
    )


def _decline_flag(row: TrendComparison) -> Flag:
    texts = {}
    for lang in LANGUAGES:
        now, then = _num(row.value, lang), _num(row.previous_value, lang)
        drop = _num(-row.difference, lang)
        if lang == "nl":
            texts[lang] = (
                f"In {row.group} is de veiligheidsbeleving gedaald van {then} vorig schooljaar "
                f"(toen {row.previous_group}) naar {now} nu: {drop} punt lager op de schaal "
                f"van 1 tot 4, {_chance(row.q, lang)} ({_q(row.q, lang)})."
            )
        else:
            texts[lang] = (
                f"In {row.group} the feeling of safety fell from {then} last school year "
                f"(as {row.previous_group}) to {now} now: {drop} points lower on the scale "
                f"from 1 to 4, {_chance(row.q, lang)} ({_q(row.q, lang)})."
            )
    return Flag(
        "safety_decline",
        row.value,
        row.previous_value,
        row.q,
        row.effect,
        texts["nl"],
        texts["en"],
    )


def _incidents_flag(row: RestComparison) -> Flag:
    texts = {}
    for lang in LANGUAGES:
        rate, ref = _per_100(row.value, lang), _per_100(row.reference, lang)
        if lang == "nl":
            noun = "incident" if row.count == 1 else "incidenten"
            texts[lang] = (
                f"In {row.label} zijn dit schooljaar {row.count} {noun} geregistreerd, {rate} "
                f"per 100 leerlingen; in de rest van de school is dat {ref} per 100 leerlingen "
                f"({_q(row.q, lang)})."
            )
        else:
            noun = "incident was" if row.count == 1 else "incidents were"
            texts[lang] = (
                f"In {row.label}, {row.count} {noun} registered this school year, {rate} per "
                f"100 pupils; in the rest of the school this is {ref} per 100 pupils "
                f"({_q(row.q, lang)})."
            )
    return Flag(
        "incidents_high",
        row.value,
        row.reference,
        row.q,
        row.effect,
        texts["nl"],
        texts["en"],
        decimals=3,
    )


def _join(parts: list[str], lang: str) -> str:
    if len(parts) == 1:
        return parts[0]
    last = " en " if lang == "nl" else " and "
    return ", ".join(parts[:-1]) + last + parts[-1]


def _severe_flag(group: GroupData, categories: Sequence[str]) -> Flag | None:
    found = [(c, group.incidents.get(c, 0)) for c in categories if group.incidents.get(c, 0)]
    if not found:
        return None
    total = sum(n for _, n in found)
    nl = [
        f"{n} {'incident' if n == 1 else 'incidenten'} van {INCIDENT_LABELS[c]['nl']}"
        for c, n in found
    ]
    en = [
        f"{n} {'incident' if n == 1 else 'incidents'} of {INCIDENT_LABELS[c]['en']}"
        for c, n in found
    ]
    verb_nl = "is" if total == 1 else "zijn"
    verb_en = "was" if total == 1 else "were"
    return Flag(
        "severe_incident",
        float(total),
        None,
        None,
        None,
        f"In {group.name} {verb_nl} dit schooljaar {_join(nl, 'nl')} geregistreerd.",
        f"In {group.name}, {_join(en, 'en')} {verb_en} registered this school year.",
        decimals=0,
    )


def _low_response(group: GroupData) -> DataWarning:
    n, size, share = group.n, group.size, _pct(group.n / group.size)
    return DataWarning(
        "low_response",
        f"Slechts {n} van de {size} leerlingen ({share}) hebben de vragenlijst ingevuld; "
        "de cijfers van deze groep zijn daardoor minder zeker.",
        f"Only {n} of the {size} pupils ({share}) answered the questionnaire, so this "
        "group's figures are less certain.",
    )


# --- the list -------------------------------------------------------------------------------


def attention_list(
    wave: WaveData,
    policy: AttentionPolicy | None = None,
    *,
    include_all: bool = False,
) -> AttentionResult:
    """Apply the attention rules of ``policy`` (default: DESIGN §7) to one wave.

    Parameters
    ----------
    wave : WaveData
        The wave; ``wave.previous`` (last school year) feeds ``safety_decline``.
    policy : AttentionPolicy, optional
        Thresholds; ``AttentionPolicy()`` when omitted. ``policy.k`` is the small-group k.
    include_all : bool
        Also list groups of at least k respondents without flags or warnings (for a
        dashboard); the attention list proper leaves them out.

    Returns
    -------
    AttentionResult
        Entries in the wave's group order; flags within an entry in the order of
        :data:`analysis.policy.FLAG_RULES`.
    """
    policy = policy or AttentionPolicy()
    k = policy.k
    year = wave.school_year
    safety, bullied = policy.safety_construct, policy.bullied_construct
    order = {g.name: i for i, g in enumerate(wave.groups)}

    flags: dict[str, list[Flag]] = {}
    pools: dict[str, tuple[str, ...]] = {}
    cells: list[Cell] = []

    def add(label: str, flag: Flag) -> None:
        flags.setdefault(label, []).append(flag)

    def released(measure: str, row: RestComparison, rest: frozenset[str]) -> None:
        cells.append(Cell(wave.key(measure), frozenset(row.members), row.n))
        cells.append(Cell(wave.key(measure), rest, row.rest_n))

    # severe incidents: every group, whatever its size
    for group in wave.groups:
        flag = _severe_flag(group, policy.severe_categories)
        if flag is not None:
            add(group.name, flag)

    # safety_low: each unit against the rest of the school
    view = compare_means_to_rest(
        wave.values(safety), measure=safety, alternative="less", k=k, confidence=policy.confidence
    )
    for row in view.rows:
        if row.q < policy.safety_low_q and row.effect <= policy.safety_low_max_g:
            add(row.label, _safety_low_flag(row))
            released(safety, row, view.protection.rest(view.protection.unit_of(row.members[0])))
            if row.protected:
                pools[row.label] = row.members

    # bullying_high
    shares = compare_shares_to_rest(
        wave.values(bullied), measure=bullied, alternative="greater", k=k
    )
    for row in shares.rows:
        if row.rest_n == 0:
            continue
        if row.value >= policy.bullying_share or row.q < policy.bullying_q:
            add(row.label, _bullying_flag(row, wave))
            released(
                bullied, row, shares.protection.rest(shares.protection.unit_of(row.members[0]))
            )
            if row.protected:
                pools[row.label] = row.members

    # safety_decline: the same cohort last year
    trend = cohort_trend(wave, safety, alternative="less", k=k, confidence=policy.confidence)
    for row in trend.rows:
        if row.q < policy.decline_q and -row.difference >= policy.decline_min_drop:
            add(row.group, _decline_flag(row))
    for row in trend.rows:
        if any(f.rule == "safety_decline" for f in flags.get(row.group, ())):
            cells.append(Cell(trend.key_now, frozenset({row.group}), row.n))
            cells.append(Cell(trend.key_then, frozenset({row.previous_group}), row.previous_n))

    # incidents_high: only groups with at least k respondents may be flagged
    rates = compare_rates_to_rest(
        {g.name: g.incident_total for g in wave.groups},
        {g.name: g.size for g in wave.groups},
        confidence=policy.confidence,
    )
    for row in rates.rows:
        if wave.group(row.label).n < k:
            continue
        if row.q < policy.incidents_q and row.count >= policy.incidents_min_count:
            add(row.label, _incidents_flag(row))

    # assemble the entries in group order
    entries: list[tuple[tuple[int, int], GroupAttention]] = []
    for group in wave.groups:
        own = _sorted(flags.get(group.name, []))
        if group.n < k:
            severe = tuple(f for f in own if f.rule == "severe_incident")
            if group.n > 0 or severe:
                entries.append(
                    ((order[group.name], 0), GroupAttention(group.name, None, True, flags=severe))
                )
            continue
        warnings = ()
        if group.size and group.n / group.size < policy.low_response_below:
            warnings = (_low_response(group),)
        if own or warnings or include_all:
            entries.append(
                (
                    (order[group.name], 0),
                    GroupAttention(group.name, group.n, flags=tuple(own), warnings=warnings),
                )
            )
    for label, members in pools.items():
        entry = GroupAttention(
            label,
            sum(wave.group(m).n for m in members),
            protected=True,
            members=members,
            flags=tuple(_sorted(flags[label])),
        )
        entries.append(((min(order[m] for m in members), 1), entry))
    entries.sort(key=lambda pair: pair[0])

    counts = {wave.key(safety): wave.counts(safety), wave.key(bullied): wave.counts(bullied)}
    if wave.previous is not None:
        counts[wave.previous.key(safety)] = wave.previous.counts(safety)
    result = AttentionResult(
        school=wave.school,
        school_year=year,
        wave=wave.wave,
        k=k,
        groups=tuple(entry for _, entry in entries),
        policy=policy,
        cells=tuple(cells),
    )
    guard(result.cells, counts, k)
    return result


def _sorted(flags: list[Flag]) -> list[Flag]:
    return sorted(flags, key=lambda f: FLAG_RULES.index(f.rule))

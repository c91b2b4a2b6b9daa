"""The results views: a group's page, the school overview, teacher feedback, the coordinator's
figures. Each function loads what it needs (counts and sums in SQL, per-respondent scores through
the bridge) and hands the numbers to :mod:`analysis`, whose views apply small-group protection
(P4) and call ``guard`` before they return. Nothing here decides who may see what: the blueprint
asks :mod:`surveys.permissions` first.
"""

from __future__ import annotations

import functools
import math
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import special
from sqlalchemy import String, cast, func, select

import instruments
from analysis.attention import AttentionResult, GroupAttention, attention_list
from analysis.comparisons import (
    RestComparison,
    RestView,
    benjamini_hochberg,
    compare_means_to_rest,
    compare_rates_to_rest,
    compare_shares_to_rest,
    welch_t,
)
from analysis.data import (
    INCIDENT_CATEGORIES,
    MEAN_CONSTRUCTS,
    WaveData,
    construct_kind,
)
from analysis.description import (
    GroupRow,
    GroupTable,
    ItemDistribution,
    describe_mean,
    group_table,
    item_table,
)
from analysis.plots import (
    GroupProfileData,
    IncidentData,
    TrendData,
    group_profile_data,
    trend_data,
)
from analysis.policy import AttentionPolicy
from analysis.privacy import Cell, Protection, Unit, guard, protect
from analysis.reliability import AlphaResult, cronbach_alpha
from analysis.trends import SchoolSeries, SeriesPoint, TrendComparison, cohort_trend, grade_trend
from surveys.extensions import db
from surveys.models import (
    Answer,
    ConstructScore,
    Group,
    Incident,
    InstrumentVersion,
    Response,
    School,
    SchoolYear,
    SurveyWave,
    User,
)
from surveys.services.analysis_data import (
    SAFETY_CONSTRUCTS,
    effective_k,
    find_wave,
    load_history,
    wave_chain,
    wave_data,
)

#: The constructs a results page shows, in this order: three means and the bullied share.
SHOWN_CONSTRUCTS = ("veiligheid", "welbevinden", "hulp", "gepest")
#: A difference counts as statistically clear below this Benjamini–Hochberg q.
CLEAR_Q = 0.05


# --- loading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class WaveContext:
    """One school wave, its k, and its data with last year's comparable wave attached."""

    school: School
    year: SchoolYear
    wave: SurveyWave
    k: int
    data: WaveData

    @property
    def policy(self) -> AttentionPolicy:
        return AttentionPolicy(k=self.k)


def load_wave(school: School, year: SchoolYear, wave: SurveyWave) -> WaveContext:
    return WaveContext(school, year, wave, effective_k(school, wave), wave_data(school, year, wave))


def default_wave(year: SchoolYear | None, wave_id: int | None = None) -> SurveyWave | None:
    """The wave asked for (when it belongs to ``year``), else the year's latest wave."""
    if year is None:
        return None
    if wave_id is not None:
        wave = db.session.get(SurveyWave, wave_id)
        if wave is not None and wave.school_year_id == year.id:
            return wave
    return find_wave(year, None)


def waves_of_year(year: SchoolYear) -> list[SurveyWave]:
    return list(db.session.scalars(select(SurveyWave).where(SurveyWave.school_year_id == year.id)
                                   .order_by(SurveyWave.starts_on, SurveyWave.id)))


# --- small pieces every view uses ------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """A unit's figure against the rest of the school (two-sided, BH within the construct)."""

    construct: str
    statistic: str  # "mean" or "share"
    label: str
    members: tuple[str, ...]
    protected: bool
    n: int
    value: float
    ci_low: float
    ci_high: float
    rest_n: int
    rest: float
    difference: float
    q: float
    effect: float

    @property
    def clear(self) -> bool:
        return math.isfinite(self.q) and self.q < CLEAR_Q


def _rest_view(data: WaveData, construct: str, k: int) -> RestView:
    if construct_kind(construct) == "share":
        return compare_shares_to_rest(data.values(construct), measure=construct,
                                      alternative="two-sided", k=k)
    return compare_means_to_rest(data.values(construct), measure=construct,
                                 alternative="two-sided", k=k)


@functools.lru_cache(maxsize=64)
def table_of(data: WaveData, construct: str, k: int, statistic: str | None = None) -> GroupTable:
    """``group_table``, remembered per WaveData object (compared by identity) within a page."""
    return group_table(data, construct, statistic=statistic, k=k)


@functools.lru_cache(maxsize=64)
def comparisons(data: WaveData, construct: str, k: int) -> dict[str, Comparison]:
    """Unit label → comparison with the rest of the school, for one construct."""
    table = table_of(data, construct, k)
    view = _rest_view(data, construct, k)
    out = {}
    for row in table.rows:
        rest: RestComparison | None = view.row(row.label)
        out[row.label] = Comparison(
            construct=construct, statistic=table.statistic, label=row.label,
            members=row.members, protected=row.protected, n=row.n, value=row.estimate,
            ci_low=row.ci_low, ci_high=row.ci_high,
            rest_n=rest.rest_n if rest else 0,
            rest=rest.reference if rest else math.nan,
            difference=(row.estimate - rest.reference) if rest else math.nan,
            q=rest.q if rest else math.nan, effect=rest.effect if rest else math.nan,
        )
    return out


def unit_of(table: GroupTable, group: str) -> GroupRow | None:
    return next((r for r in table.rows if group in r.members), None)


# --- item distributions ----------------------------------------------------------------------


@dataclass(frozen=True)
class ItemResult:
    """The answers to one item for one unit: counts per option, in the scale's order."""

    instrument: str
    version: int
    item: str
    construct: str
    scale: str
    text_nl: str
    text_en: str
    values: tuple[int, ...]
    labels_nl: tuple[str, ...]
    labels_en: tuple[str, ...]
    faces: tuple[str, ...]
    label: str  # the unit: a group, a protected pool, or "school"
    protected: bool
    distribution: ItemDistribution

    def text(self, lang: str) -> str:
        return self.text_en if lang == "en" else self.text_nl

    def labels(self, lang: str) -> tuple[str, ...]:
        return self.labels_en if lang == "en" else self.labels_nl


def _instrument_versions() -> dict[int, tuple[str, int]]:
    return {row.id: (row.instrument_id, row.version)
            for row in db.session.scalars(select(InstrumentVersion))}


def item_counts(wave_id: int, *, teacher_id: int | None = None,
                part_zero: bool = True) -> dict[tuple[str, int, str], dict[int, dict[int, int]]]:
    """(instrument, version, item) → group id → value → count, counted in SQL.

    ``part_zero``: the pupils' own questionnaire; otherwise teacher feedback (about
    ``teacher_id``). Skipped answers (NULL) are not counted.
    """
    query = (
        select(Answer.instrument_version_id, Answer.item_key, Response.group_id, Answer.value,
               func.count())
        .join(Response, Response.id == Answer.response_id)
        .where(Response.wave_id == wave_id, Answer.value.is_not(None))
        .group_by(Answer.instrument_version_id, Answer.item_key, Response.group_id, Answer.value)
    )
    if part_zero:
        query = query.where(Answer.part == 0)
    else:
        query = query.where(Answer.part > 0)
        if teacher_id is not None:
            query = query.where(Answer.teacher_id == teacher_id)
    versions = _instrument_versions()
    out: dict[tuple[str, int, str], dict[int, dict[int, int]]] = {}
    for version_id, item, group_id, value, count in db.session.execute(query):
        key = (*versions[version_id], item)
        out.setdefault(key, {}).setdefault(group_id, {})[int(value)] = int(count)
    return out


def _expand(counts: dict[int, int]) -> np.ndarray:
    values = sorted(counts)
    return np.repeat(np.array(values, dtype=float), [counts[v] for v in values])


def _item_result(key: tuple[str, int, str], label: str, protected: bool,
                 dist: ItemDistribution) -> ItemResult | None:
    inst_id, version, item_key = key
    try:
        inst = instruments.get(inst_id, version)
        item = inst.item(item_key)
    except KeyError:
        return None
    scale = inst.scales[item.scale]
    return ItemResult(
        instrument=inst_id, version=version, item=item_key, construct=item.construct,
        scale=item.scale, text_nl=item.render("nl", leraar="de leraar"),
        text_en=item.render("en", leraar="the teacher"), values=tuple(scale.values),
        labels_nl=tuple(scale.labels["nl"]), labels_en=tuple(scale.labels["en"]),
        faces=tuple(scale.faces), label=label, protected=protected, distribution=dist)


def _item_order(key: tuple[str, int, str]) -> tuple[str, int, int]:
    inst_id, version, item_key = key
    try:
        inst = instruments.get(inst_id, version)
        position = [i.key for i in inst.items].index(item_key)
    except (KeyError, ValueError):
        position = 999
    return (inst_id, version, position)


def item_blocks(items: Sequence[ItemResult]) -> list[list[ItemResult]]:
    """Items in runs of the same instrument and scale (one chart and table per run)."""
    blocks: list[list[ItemResult]] = []
    for item in items:
        key = (item.instrument, item.version, item.scale, item.construct)
        if blocks and (blocks[-1][0].instrument, blocks[-1][0].version, blocks[-1][0].scale,
                       blocks[-1][0].construct) == key:
            blocks[-1].append(item)
        else:
            blocks.append([item])
    return blocks


def group_items(data: WaveData, wave_id: int, group: Group, names: dict[int, str],
                k: int) -> list[ItemResult]:
    """The item distributions of the unit holding ``group`` (empty when it has no unit).

    The unit is the group's own, or its protected pool, of the page's partition (the
    respondents' feeling-of-safety counts), so every question on the page speaks of the same
    pupils and a pool never changes from one question to the next; a question answered by
    fewer than k pupils of the unit is left out, and so is one whose school-level pooling puts
    this group with another (the difference would give back fewer than k pupils' answers).
    """
    unit = protect(data.counts("veiligheid"), k).unit_of(group.name)
    if unit is None:
        return []
    members = set(unit.members)
    out = []
    counts = item_counts(wave_id)
    for key in sorted(counts, key=_item_order):
        by_group = counts[key]
        if group.id not in by_group:
            continue
        merged: dict[int, int] = defaultdict(int)
        per_group: dict[str, int] = {}
        for group_id, by_value in by_group.items():
            name = names.get(group_id)
            if name is None:
                continue
            per_group[name] = sum(by_value.values())
            if name in members:
                for value, count in by_value.items():
                    merged[value] += count
        # The school-level view of this question pools by who answered *it* (a combination
        # group's few pupils of one grade, say). Show it here only where that pooling agrees
        # with the page's unit; otherwise the school total minus this page would give back
        # the answers of fewer than k pupils.
        item_unit = protect(per_group, k).unit_of(group.name)
        if item_unit is None or set(item_unit.members) != members & set(per_group):
            continue
        inst = instruments.get(key[0], key[1])
        scale = inst.scale_for(key[2])
        dist = ItemDistribution(sum(merged.values()), tuple(scale.values),
                                tuple(merged.get(v, 0) for v in scale.values))
        if dist.n < k:
            continue
        measure = f"{key[0]}:{key[2]}"
        guard([Cell(measure, frozenset(members & set(per_group)), dist.n)], {measure: per_group},
              k)
        result = _item_result(key, unit.label, unit.protected, dist)
        if result is not None:
            out.append(result)
    return out


# --- the group page ------------------------------------------------------------------------


@dataclass(frozen=True)
class ConstructResult:
    """One construct on a group's page: the unit against the rest and against last year."""

    construct: str
    statistic: str
    comparison: Comparison | None  # None: the group has no unit (too few answers)
    school: GroupRow | None
    grade: TrendComparison | None
    cohort: TrendComparison | None


@dataclass(frozen=True)
class GroupResults:
    group_id: int
    group: str
    school_year: str
    wave: str
    wave_id: int
    k: int
    size: int
    n: int | None  # None when fewer than k answered (never shown then)
    suppressed: bool
    pool: Unit | None  # the protected pool the group is shown in, if any
    constructs: tuple[ConstructResult, ...]
    items: tuple[ItemResult, ...]
    attention: tuple[GroupAttention, ...]
    profile: GroupProfileData | None
    incidents: tuple[Incident, ...]
    previous_year: str | None

    @property
    def response_rate(self) -> float | None:
        return self.n / self.size if self.n is not None and self.size else None

    @property
    def low_response(self) -> bool:
        rate = self.response_rate
        return rate is not None and rate < AttentionPolicy().low_response_below

    def cells(self) -> tuple[Cell, ...]:
        """Every survey figure on the page (for the tests' privacy audit)."""
        cells = []
        for c in self.constructs:
            if c.comparison is not None:
                cells.append(Cell(c.construct, frozenset(c.comparison.members), c.comparison.n))
        return tuple(cells)


def group_results(group: Group, wave: SurveyWave, viewer: User | None = None) -> GroupResults:
    """A group's results in one wave (``viewer`` is for the caller's access check, done before).

    The group's own figures, or those of the protected pool it is shown in, never a figure of
    fewer than k pupils: a group under k gets no figures at all.
    """
    year = group.school_year
    school = year.school
    ctx = load_wave(school, year, wave)
    data, k = ctx.data, ctx.k
    gd = data.group(group.name)
    suppressed = 0 < gd.n < k or gd.n == 0
    protection = protect(data.counts("veiligheid"), k)
    unit = protection.unit_of(group.name)
    pool = unit if unit is not None and unit.protected else None
    constructs = []
    profile = None
    if not suppressed:
        trends = {}
        for construct in SHOWN_CONSTRUCTS:
            if construct not in data.constructs:
                continue
            alt = "two-sided"
            trends[construct] = (
                grade_trend(data, construct, alternative=alt, k=k).row(group.name),
                cohort_trend(data, construct, alternative=alt, k=k).row(group.name),
            )
        for construct in SHOWN_CONSTRUCTS:
            if construct not in data.constructs:
                continue
            table = table_of(data, construct, k)
            comps = comparisons(data, construct, k)
            mine = unit_of(table, group.name)
            constructs.append(ConstructResult(
                construct, table.statistic, comps.get(mine.label) if mine else None,
                table.total, *trends[construct]))
        present = [c for c in SHOWN_CONSTRUCTS if c in data.constructs]
        profile = group_profile_data(data, group.name, present, k=k)
    names = {g.id: g.name for g in year.groups}
    items = () if suppressed else tuple(group_items(data, wave.id, group, names, k))
    entries = attention_list(data, ctx.policy).groups
    mine_attention = tuple(e for e in entries if e.group == group.name
                           or (pool is not None and e.protected and group.name in e.members))
    incidents = tuple(db.session.scalars(
        select(Incident).where(Incident.group_id == group.id)
        .order_by(Incident.occurred_on.desc())))
    return GroupResults(
        group_id=group.id, group=group.name, school_year=year.name, wave=wave.name,
        wave_id=wave.id, k=k, size=group.size, n=None if suppressed else gd.n,
        suppressed=suppressed, pool=pool, constructs=tuple(constructs), items=items,
        attention=mine_attention, profile=profile, incidents=incidents,
        previous_year=data.previous.school_year if data.previous else None)


# --- teacher feedback ----------------------------------------------------------------------


@dataclass(frozen=True)
class FeedbackFigure:
    construct: str
    n: int  # respondents behind it (>= k) or 0 when protected
    mean: float
    ci_low: float
    ci_high: float
    protected: bool
    change: float = math.nan  # against the previous wave shown
    q: float = math.nan

    @property
    def clear(self) -> bool:
        return math.isfinite(self.q) and self.q < CLEAR_Q


@dataclass(frozen=True)
class FeedbackWave:
    school_year: str
    wave: str
    wave_id: int
    groups: tuple[str, ...]
    figures: tuple[FeedbackFigure, ...]
    items: tuple[ItemResult, ...]


@dataclass(frozen=True)
class TeacherFeedback:
    teacher_id: int
    teacher: str
    k: int
    constructs: tuple[str, ...]
    waves: tuple[FeedbackWave, ...]  # newest first

    def series(self) -> TrendData:
        """The teacher's figures over the waves, shaped like the school trend (for the chart)."""
        series = []
        for construct in self.constructs:
            points, covers = [], []
            for w in reversed(self.waves):
                fig = next((f for f in w.figures if f.construct == construct), None)
                if fig is None or fig.protected:
                    continue
                points.append(SeriesPoint(w.school_year, w.wave, fig.n, fig.mean, fig.ci_low,
                                          fig.ci_high))
                covers.append(frozenset({f"teacher:{self.teacher_id}"}))
            series.append(SchoolSeries(construct, "mean", self.k, tuple(points), tuple(covers)))
        return TrendData(self.k, tuple(series))


def teacher_feedback(teacher: User, school: School) -> TeacherFeedback:
    """The feedback pupils gave ``teacher``, per wave and construct, newest first.

    One figure per wave and construct over every group the teacher taught in that wave; fewer
    than k answers for a construct make it protected. The change against the teacher's previous
    wave is tested with Welch's t, BH across the constructs of a wave.
    """
    rows = db.session.execute(
        select(Response.wave_id, ConstructScore.construct, ConstructScore.common)
        .join(Response, Response.id == ConstructScore.response_id)
        .where(ConstructScore.teacher_id == teacher.id, ConstructScore.part > 0,
               ConstructScore.common.is_not(None))
    ).all()
    values: dict[int, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for wave_id, construct, value in rows:
        values[wave_id][construct].append(float(value))
    waves = list(db.session.scalars(
        select(SurveyWave).join(SchoolYear).where(SchoolYear.school_id == school.id,
                                                  SurveyWave.id.in_(list(values)))
        .order_by(SurveyWave.starts_on)))
    constructs = tuple(sorted({c for w in values.values() for c in w},
                              key=_feedback_order))
    group_names = _taught_groups(teacher)
    out: list[FeedbackWave] = []
    previous: dict[str, np.ndarray] | None = None
    for wave in waves:
        k = effective_k(school, wave)
        arrays = {c: np.array(values[wave.id].get(c, []), dtype=float) for c in constructs}
        tests = []
        for c in constructs:
            now = arrays[c]
            before = previous.get(c) if previous else None
            if len(now) >= k and before is not None and len(before) >= k:
                tests.append(welch_t(now, before, "two-sided").p)
            else:
                tests.append(math.nan)
        q = benjamini_hochberg(tests) if tests else []
        figures = []
        for c, qi in zip(constructs, q, strict=True):
            now = arrays[c]
            if len(now) < k:
                figures.append(FeedbackFigure(c, 0, math.nan, math.nan, math.nan, True))
                continue
            s = describe_mean(now)
            before = previous.get(c) if previous else None
            change = (s.mean - float(before.mean())
                      if before is not None and len(before) >= k else math.nan)
            figures.append(FeedbackFigure(c, s.n, s.mean, s.ci_low, s.ci_high, False, change,
                                          float(qi)))
        guard([Cell(f"{f.construct}@{wave.id}", frozenset({"teacher"}), f.n)
               for f in figures if not f.protected],
              {f"{c}@{wave.id}": {"teacher": len(arrays[c])} for c in constructs}, k)
        items = _feedback_items(wave.id, teacher.id, k)
        out.append(FeedbackWave(wave.school_year.name, wave.name, wave.id,
                                tuple(group_names.get(wave.school_year_id, ())),
                                tuple(figures), tuple(items)))
        previous = {c: a for c, a in arrays.items() if len(a) >= k}
    k_now = effective_k(school, waves[-1]) if waves else effective_k_school(school)
    return TeacherFeedback(teacher.id, teacher.display_name, k_now, constructs,
                           tuple(reversed(out)))


def effective_k_school(school: School) -> int:
    from flask import current_app

    return max(5, int(current_app.config["PRIVACY_K"]), school.settings.k if school.settings
               else 5)


def _feedback_order(construct: str) -> tuple[int, str]:
    order = ("leraar_zorg", "leraar_uitleg", "leraar_orde", "leraar_uitdaging",
             "leraar_luisteren")
    return (order.index(construct) if construct in order else len(order), construct)


def _taught_groups(teacher: User) -> dict[int, list[str]]:
    from surveys.models import GroupTeacher

    out: dict[int, list[str]] = defaultdict(list)
    for year_id, name in db.session.execute(
            select(Group.school_year_id, Group.name).join(GroupTeacher)
            .where(GroupTeacher.user_id == teacher.id).order_by(Group.name)):
        out[year_id].append(name)
    return out


def _feedback_items(wave_id: int, teacher_id: int, k: int) -> list[ItemResult]:
    counts = item_counts(wave_id, teacher_id=teacher_id, part_zero=False)
    out = []
    for key in sorted(counts, key=_item_order):
        merged: dict[int, int] = defaultdict(int)
        for by_value in counts[key].values():
            for value, count in by_value.items():
                merged[value] += count
        inst = instruments.get(key[0], key[1])
        scale = inst.scale_for(key[2])
        dist = ItemDistribution(sum(merged.values()), tuple(scale.values),
                                tuple(merged.get(v, 0) for v in scale.values))
        if dist.n < k:
            continue
        result = _item_result(key, "teacher", False, dist)
        if result is not None:
            out.append(result)
    return out


# --- the school overview -------------------------------------------------------------------


@dataclass(frozen=True)
class HeatCell:
    comparison: Comparison | None
    tone: int  # -3 (much worse than the rest) .. 3 (much better); 0 without a comparison

    @property
    def pooled(self) -> bool:
        return self.comparison is not None and self.comparison.protected


@dataclass(frozen=True)
class HeatRow:
    group: str
    cells: tuple[HeatCell, ...]


@dataclass(frozen=True)
class Heatmap:
    constructs: tuple[str, ...]
    rows: tuple[HeatRow, ...]
    school: tuple[GroupRow | None, ...]
    suppressed: tuple[str, ...]

    @property
    def pools(self) -> tuple[str, ...]:
        """The labels of the protected pools shown ("Groep 5 + Groep 8")."""
        labels = []
        for row in self.rows:
            for c in row.cells:
                if c.pooled and c.comparison.label not in labels:
                    labels.append(c.comparison.label)
        return tuple(labels)

    def cells(self) -> tuple[Cell, ...]:
        out = set()
        for row in self.rows:
            for c in row.cells:
                if c.comparison is not None:
                    comp = c.comparison
                    out.add(Cell(comp.construct, frozenset(comp.members), comp.n))
        for construct, total in zip(self.constructs, self.school, strict=True):
            if total is not None:
                out.add(Cell(construct, frozenset(total.members), total.n))
        return tuple(out)


def _tone(comp: Comparison) -> int:
    d = comp.difference
    if not math.isfinite(d):
        return 0
    if comp.statistic == "share":  # more bullied pupils is worse
        d, steps = -d, (0.05, 0.10, 0.20)
    else:
        steps = (0.10, 0.30, 0.50)
    size = abs(d)
    level = 0 if size < steps[0] else 1 if size < steps[1] else 2 if size < steps[2] else 3
    return level if d > 0 else -level


def heatmap(data: WaveData, k: int, constructs: Sequence[str] = SHOWN_CONSTRUCTS) -> Heatmap:
    """Groups × constructs, each cell the group's (or its pool's) figure against the rest."""
    present = [c for c in constructs if c in data.constructs]
    comps = {c: comparisons(data, c, k) for c in present}
    tables = {c: table_of(data, c, k) for c in present}
    groups = [g.name for g in data.groups if any(g.count(c) for c in present)]
    rows = []
    suppressed = set()
    for name in groups:
        cells = []
        for c in present:
            mine = unit_of(tables[c], name)
            # a group under k shows "protected" on its own row; its pool's figure is shown on
            # the row of the group it was merged with, never next to the small group's name
            if mine is None or data.group(name).count(c) < k:
                suppressed.add(name)
                cells.append(HeatCell(None, 0))
                continue
            comp = comps[c][mine.label]
            cells.append(HeatCell(comp, _tone(comp)))
        rows.append(HeatRow(name, tuple(cells)))
    result = Heatmap(tuple(present), tuple(rows), tuple(tables[c].total for c in present),
                     tuple(sorted(suppressed, key=groups.index)))
    guard(result.cells(), {c: data.counts(c) for c in present}, k)
    return result


@dataclass(frozen=True)
class ResponseRow:
    label: str
    members: tuple[str, ...]
    protected: bool
    n: int
    size: int

    @property
    def rate(self) -> float:
        return self.n / self.size if self.size else math.nan

    @property
    def low(self) -> bool:
        return self.rate < AttentionPolicy().low_response_below


@dataclass(frozen=True)
class Representativeness:
    rows: tuple[ResponseRow, ...]
    n: int
    size: int
    not_surveyed: tuple[str, ...]  # groups without a questionnaire (groep 1-2)
    p: float  # chi-square goodness of fit of respondents over the units against their size

    @property
    def rate(self) -> float:
        return self.n / self.size if self.size else math.nan

    @property
    def representative(self) -> bool:
        return (self.rate >= AttentionPolicy().low_response_below
                and (not math.isfinite(self.p) or self.p >= 0.05))

    @property
    def low_groups(self) -> tuple[str, ...]:
        return tuple(r.label for r in self.rows if r.low)


def representativeness(data: WaveData, k: int) -> Representativeness:
    """Respondents per group (protected like every view) against the pupils enrolled."""
    surveyed = [g for g in data.groups if max(g.grades, default=0) >= 3]
    counts = {g.name: g.n for g in surveyed}
    protection = protect(counts, k)
    sizes = {g.name: g.size for g in surveyed}
    rows = tuple(ResponseRow(u.label, u.members, u.protected, u.n,
                             sum(sizes[m] for m in u.members)) for u in protection.units)
    n = sum(r.n for r in rows)
    size = sum(sizes[g] for g in protection.members)
    p = math.nan
    if len(rows) > 1 and n and all(r.size for r in rows):
        expected = np.array([r.size for r in rows], dtype=float) / size * n
        observed = np.array([r.n for r in rows], dtype=float)
        # Pearson's chi-square goodness of fit (scipy.stats.chisquare) with k - 1 df
        statistic = float(((observed - expected) ** 2 / expected).sum())
        p = float(special.chdtrc(len(rows) - 1, statistic))
    not_surveyed = tuple(g.name for g in data.groups if max(g.grades, default=0) < 3)
    guard([Cell("respondents", frozenset(r.members), r.n) for r in rows],
          {"respondents": counts}, k)
    return Representativeness(rows, n, size, not_surveyed, p)


@dataclass(frozen=True)
class IncidentRow:
    group: str
    size: int
    counts: tuple[int, ...]  # per category in ``IncidentOverview.categories``
    total: int
    rate: float  # incidents per pupil
    q: float
    safety: Comparison | None
    bullied: Comparison | None

    @property
    def high(self) -> bool:
        return math.isfinite(self.q) and self.q < CLEAR_Q and self.total >= 3


@dataclass(frozen=True)
class IncidentOverview:
    """Incidents of this school year per group and category, next to the survey figures, and
    the whole school per year and category (the chart)."""

    categories: tuple[str, ...]
    rows: tuple[IncidentRow, ...]
    without_group: tuple[int, ...]
    by_year: IncidentData

    @property
    def total(self) -> int:
        return sum(r.total for r in self.rows) + sum(self.without_group)


def incidents_by_year(school: School, years: Iterable[str] | None = None) -> IncidentData:
    """Every incident of the school per school year and category, counted in SQL."""
    rows = db.session.execute(
        select(SchoolYear.name, Incident.category, func.count())
        .join(SchoolYear, SchoolYear.id == Incident.school_year_id)
        .where(SchoolYear.school_id == school.id)
        .group_by(SchoolYear.name, Incident.category)).all()
    names = sorted(set(years) if years is not None else {r[0] for r in rows})
    counts = {(y, c): int(n) for y, c, n in rows}
    keep = [c for c in INCIDENT_CATEGORIES if any(counts.get((y, c)) for y in names)]
    return IncidentData(tuple(names), tuple(keep),
                        tuple(tuple(counts.get((y, c), 0) for c in keep) for y in names))


def incident_overview(school: School, ctx_data: WaveData, year: SchoolYear,
                      history_years: Sequence[str], k: int) -> IncidentOverview:
    data = ctx_data
    rates = compare_rates_to_rest({g.name: g.incident_total for g in data.groups},
                                  {g.name: g.size for g in data.groups})
    safety = comparisons(data, "veiligheid", k) if "veiligheid" in data.constructs else {}
    bullied = comparisons(data, "gepest", k) if "gepest" in data.constructs else {}
    safety_table = table_of(data, "veiligheid", k) if safety else None
    bullied_table = table_of(data, "gepest", k) if bullied else None
    used = [c for c in INCIDENT_CATEGORIES if any(g.incidents.get(c) for g in data.groups)]
    loose = dict(db.session.execute(
        select(Incident.category, func.count()).where(Incident.school_year_id == year.id,
                                                      Incident.group_id.is_(None))
        .group_by(Incident.category)).all())
    used = [c for c in INCIDENT_CATEGORIES if c in used or loose.get(c)]
    rows = []
    for g in data.groups:
        rate = rates.row(g.name)
        s_unit = (unit_of(safety_table, g.name)
                  if safety_table and g.count("veiligheid") >= k else None)
        b_unit = (unit_of(bullied_table, g.name)
                  if bullied_table and g.count("gepest") >= k else None)
        rows.append(IncidentRow(
            g.name, g.size, tuple(g.incidents.get(c, 0) for c in used), g.incident_total,
            rate.value if rate else math.nan, rate.q if rate else math.nan,
            safety.get(s_unit.label) if s_unit else None,
            bullied.get(b_unit.label) if b_unit else None))
    return IncidentOverview(tuple(used), tuple(rows), tuple(int(loose.get(c, 0)) for c in used),
                            incidents_by_year(school, history_years))


@dataclass(frozen=True)
class AlphaRow:
    instrument: str
    version: int
    construct: str
    result: AlphaResult


_ALPHA_CACHE: OrderedDict[tuple[str, int, int, int], list[AlphaRow]] = OrderedDict()


def reliability(wave_id: int, k: int) -> list[AlphaRow]:
    """Cronbach's alpha per instrument version and construct over this wave's answers.

    Stored answers never change (a response is written once, and purged whole), so the result
    is remembered per wave and number of responses.
    """
    n = db.session.scalar(select(func.count()).select_from(Response)
                          .where(Response.wave_id == wave_id)) or 0
    key = (str(db.engine.url), wave_id, n, k)
    if key in _ALPHA_CACHE:
        _ALPHA_CACHE.move_to_end(key)
        return _ALPHA_CACHE[key]
    result = _reliability(wave_id, k)
    _ALPHA_CACHE[key] = result
    while len(_ALPHA_CACHE) > 64:
        _ALPHA_CACHE.popitem(last=False)
    return result


def _reliability(wave_id: int, k: int) -> list[AlphaRow]:
    versions = _instrument_versions()
    rows = db.session.execute(
        # the id as text: parsing thousands of UUIDs costs more than the statistics
        select(cast(Answer.response_id, String), Answer.part, Answer.instrument_version_id,
               Answer.item_key, Answer.value)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.wave_id == wave_id)).all()
    matrices: dict[tuple[int, str], dict[tuple[str, int], dict[str, float]]] = defaultdict(
        lambda: defaultdict(dict))
    items_of: dict[tuple[int, str], list[str]] = {}
    meta: dict[tuple[int, str], tuple[str, int] | None] = {}  # construct, reverse sum
    for response_id, part, version_id, item_key, value in rows:
        info = meta.get((version_id, item_key), False)
        if info is False:
            info = meta[(version_id, item_key)] = _item_meta(versions[version_id], item_key)
            if info is not None and (version_id, info[0]) not in items_of:
                inst = instruments.get(*versions[version_id])
                items_of[(version_id, info[0])] = [i.key for i in inst.items_for(info[0])]
        if info is None:
            continue
        construct, reverse_sum = info
        if value is not None and reverse_sum:
            value = reverse_sum - value
        matrices[(version_id, construct)][(response_id, part)][item_key] = (
            math.nan if value is None else float(value))
    out = []
    for (version_id, construct), respondents in matrices.items():
        keys = items_of[(version_id, construct)]
        if len(keys) < 2:
            continue
        matrix = np.array([[r.get(i, math.nan) for i in keys] for r in respondents.values()])
        inst_id, version = versions[version_id]
        out.append(AlphaRow(inst_id, version, construct, cronbach_alpha(matrix, k=k)))
    out.sort(key=lambda r: (r.instrument, r.version, _construct_order(r.construct)))
    return out


def _item_meta(version: tuple[str, int], item_key: str) -> tuple[str, int] | None:
    """(construct, min + max of the scale when reverse-scored else 0), None when unknown."""
    try:
        inst = instruments.get(*version)
        item = inst.item(item_key)
    except KeyError:
        return None
    scale = inst.scales[item.scale]
    return item.construct, (scale.min + scale.max) if item.reverse else 0


def _construct_order(construct: str) -> tuple[int, tuple[int, str]]:
    if construct in SHOWN_CONSTRUCTS:
        return (SHOWN_CONSTRUCTS.index(construct), (0, ""))
    return (len(SHOWN_CONSTRUCTS), _feedback_order(construct))


@dataclass(frozen=True)
class SchoolOverview:
    school: str
    school_year: str
    wave: str
    wave_id: int
    year_id: int
    k: int
    n: int
    attention: AttentionResult
    heatmap: Heatmap
    trend: TrendData
    bullied_trend: SchoolSeries
    history: tuple[str, ...]
    incidents: IncidentOverview
    response: Representativeness
    reliability: tuple[AlphaRow, ...]
    data: WaveData = field(repr=False)


def school_overview(school: School, year: SchoolYear, wave: SurveyWave) -> SchoolOverview:
    """Everything the director's overview shows for one wave (see the module docstring)."""
    history = load_history(school, year, wave)
    data = history[-1]
    k = effective_k(school, wave)
    attention = attention_list(data, AttentionPolicy(k=k))
    present = [c for c in MEAN_CONSTRUCTS if c in data.constructs] or ["veiligheid"]
    trend = trend_data(history, present, k=k)
    from analysis.trends import school_series

    bullied = school_series(history, "gepest", k=k)
    years = tuple(dict.fromkeys(w.school_year for w in history))
    return SchoolOverview(
        school=school.name, school_year=year.name, wave=wave.name, wave_id=wave.id,
        year_id=year.id, k=k, n=sum(g.n for g in data.groups), attention=attention,
        heatmap=heatmap(data, k), trend=trend, bullied_trend=bullied, history=years,
        incidents=incident_overview(school, data, year, years, k),
        response=representativeness(data, k), reliability=tuple(reliability(wave.id, k)),
        data=data)


# --- the coordinator's figures ---------------------------------------------------------------


@dataclass(frozen=True)
class CoordinatorFigures:
    school: str
    school_year: str
    wave: str
    k: int
    totals: tuple[GroupRow | None, ...]  # per SHOWN_CONSTRUCTS (school level)
    unsafe: GroupRow | None  # share of pupils below the midpoint of feeling safe
    bullying_items: tuple[ItemResult, ...]  # school level
    trend: TrendData
    bullied_trend: SchoolSeries
    incidents: IncidentData
    withheld: bool


def school_items(data: WaveData, wave_id: int, year: SchoolYear, k: int,
                 construct: str | None = None) -> list[ItemResult]:
    """School-level answer distributions per item (protected like every item view)."""
    names = {g.id: g.name for g in year.groups}
    counts = item_counts(wave_id)
    out = []
    for key in sorted(counts, key=_item_order):
        inst = instruments.get(key[0], key[1])
        try:
            item = inst.item(key[2])
        except KeyError:
            continue
        if construct is not None and item.construct != construct:
            continue
        answers = {names[g]: _expand(c) for g, c in counts[key].items() if g in names}
        table = item_table(f"{key[0]}:{key[2]}", answers, inst.scales[item.scale].values, k=k)
        if table.total is None:
            continue
        result = _item_result(key, "school", False, table.total)
        if result is not None:
            out.append(result)
    return out


def coordinator_figures(school: School, year: SchoolYear, wave: SurveyWave) -> CoordinatorFigures:
    """School-wide safety and bullying: totals, the bullying items, trends and incidents."""
    history = load_history(school, year, wave)
    data = history[-1]
    k = effective_k(school, wave)
    totals = tuple(group_table(data, c, k=k).total if c in data.constructs else None
                   for c in SHOWN_CONSTRUCTS)
    unsafe = (group_table(data, "veiligheid", statistic="unsafe", k=k).total
              if "veiligheid" in data.constructs else None)
    present = [c for c in MEAN_CONSTRUCTS if c in data.constructs] or ["veiligheid"]
    from analysis.trends import school_series

    years = tuple(dict.fromkeys(w.school_year for w in history))
    return CoordinatorFigures(
        school=school.name, school_year=year.name, wave=wave.name, k=k, totals=totals,
        unsafe=unsafe, bullying_items=tuple(school_items(data, wave.id, year, k, "gepest")),
        trend=trend_data(history, present, k=k),
        bullied_trend=school_series(history, "gepest", k=k),
        incidents=incidents_by_year(school, years),
        withheld=all(t is None for t in totals))


__all__ = [
    "CLEAR_Q",
    "SAFETY_CONSTRUCTS",
    "SHOWN_CONSTRUCTS",
    "AlphaRow",
    "Comparison",
    "ConstructResult",
    "CoordinatorFigures",
    "GroupResults",
    "Heatmap",
    "ItemResult",
    "Protection",
    "SchoolOverview",
    "TeacherFeedback",
    "WaveContext",
    "comparisons",
    "coordinator_figures",
    "default_wave",
    "group_results",
    "heatmap",
    "incidents_by_year",
    "item_blocks",
    "load_history",
    "load_wave",
    "reliability",
    "representativeness",
    "school_items",
    "school_overview",
    "teacher_feedback",
    "wave_chain",
    "waves_of_year",
]

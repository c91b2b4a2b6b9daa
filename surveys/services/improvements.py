"""Improvement points (verbeterpunten): what the director agreed with the team, and, a year on,
how the figure each point was about has changed since.

A point belongs to a school year and may name a group of that year, a construct and an
attention rule (``safety_low`` ...). Next year's pages show it next to the same figure now: for
the group with the same name (the same grade) and for the group its pupils moved up to (the same
cohort); for the school when no group is named. Figures go through the same protection as every
other view, so a group under k shows "protected", never a number.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import select

from analysis.attention import attention_list
from analysis.data import WaveData
from analysis.policy import FLAG_RULES, AttentionPolicy
from surveys.extensions import db
from surveys.models import IMPROVEMENT_STATUSES, Group, ImprovementPoint, SchoolYear, User
from surveys.services import audit
from surveys.services.results import SHOWN_CONSTRUCTS, table_of, unit_of

#: Which figure an attention rule is about (incidents are counted, not averaged).
RULE_CONSTRUCT = {
    "safety_low": "veiligheid",
    "safety_decline": "veiligheid",
    "bullying_high": "gepest",
    "incidents_high": "incidents",
    "severe_incident": "incidents",
}


class ImprovementError(ValueError):
    """The point cannot be saved as given; the message says why (English, for the log)."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ImprovementIn:
    title: str
    description: str = ""
    owner: str = ""
    status: str = "gepland"
    group_id: int | None = None
    construct: str | None = None
    flag_rule: str | None = None


def points_for(year: SchoolYear) -> list[ImprovementPoint]:
    status_order = {s: i for i, s in enumerate(IMPROVEMENT_STATUSES)}
    points = db.session.scalars(select(ImprovementPoint)
                                .where(ImprovementPoint.school_year_id == year.id)
                                .order_by(ImprovementPoint.created_at, ImprovementPoint.id))
    return sorted(points, key=lambda p: status_order.get(p.status, 9))


def _check(year: SchoolYear, data: ImprovementIn) -> None:
    if not data.title.strip():
        raise ImprovementError("a point needs a title", "title")
    if len(data.title) > 200:
        raise ImprovementError("the title is longer than 200 characters", "title")
    if data.status not in IMPROVEMENT_STATUSES:
        raise ImprovementError(f"unknown status {data.status!r}", "status")
    if data.construct is not None and data.construct not in SHOWN_CONSTRUCTS:
        raise ImprovementError(f"unknown construct {data.construct!r}", "construct")
    if data.flag_rule is not None and data.flag_rule not in FLAG_RULES:
        raise ImprovementError(f"unknown attention rule {data.flag_rule!r}", "flag_rule")
    if data.group_id is not None:
        group = db.session.get(Group, data.group_id)
        if group is None or group.school_year_id != year.id:
            raise ImprovementError("the group is not one of this school year", "group_id")


def _apply(point: ImprovementPoint, data: ImprovementIn) -> None:
    point.title = data.title.strip()
    point.description = data.description.strip()
    point.owner = data.owner.strip()[:200]
    point.status = data.status
    point.group_id = data.group_id
    point.construct = data.construct
    point.flag_rule = data.flag_rule


def create(user: User, year: SchoolYear, data: ImprovementIn) -> ImprovementPoint:
    """Add a point to ``year`` (the caller commits); ImprovementError on bad input."""
    _check(year, data)
    point = ImprovementPoint(school_year_id=year.id, title="")
    _apply(point, data)
    db.session.add(point)
    db.session.flush()
    audit.record(user, "improvement_created", point, school_id=year.school_id)
    return point


def update(user: User, point: ImprovementPoint, data: ImprovementIn) -> None:
    _check(point.school_year, data)
    before = {"status": point.status, "group_id": point.group_id, "construct": point.construct,
              "flag_rule": point.flag_rule, "owner": point.owner}
    _apply(point, data)
    after = {"status": point.status, "group_id": point.group_id, "construct": point.construct,
             "flag_rule": point.flag_rule, "owner": point.owner}
    audit.record(user, "improvement_changed", point, school_id=point.school_year.school_id,
                 detail=audit.changes(before, after, private=("owner",)))
    db.session.flush()


# --- a year on -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One figure a point was about, then and now. ``None`` means protected or not measured."""

    kind: str  # "same_grade", "cohort" or "school"
    then_label: str
    now_label: str
    measure: str  # a construct, or "incidents"
    statistic: str  # "mean", "share" or "count"
    then: float | None
    now: float | None
    flagged_now: bool | None = None  # when the point names a rule: does it still fire?

    @property
    def difference(self) -> float | None:
        if self.then is None or self.now is None:
            return None
        return self.now - self.then

    @property
    def better(self) -> bool | None:
        d = self.difference
        if d is None or abs(d) < 1e-9:
            return None
        return d < 0 if self.measure in ("gepest", "incidents") else d > 0


@dataclass(frozen=True)
class PointFollowUp:
    point: ImprovementPoint
    measure: str | None
    changes: tuple[Change, ...]


def measure_of(point: ImprovementPoint) -> str | None:
    if point.construct:
        return point.construct
    if point.flag_rule:
        return RULE_CONSTRUCT.get(point.flag_rule)
    return None


def _figure(data: WaveData, measure: str, group: str | None, k: int) -> tuple[float | None, str]:
    if measure == "incidents":
        if group is None:
            return float(sum(g.incident_total for g in data.groups)), "count"
        try:
            return float(data.group(group).incident_total), "count"
        except KeyError:
            return None, "count"
    if measure not in data.constructs:
        return None, "mean"
    table = table_of(data, measure, k)
    if group is None:
        return (table.total.estimate if table.total else None), table.statistic
    unit = unit_of(table, group)
    if unit is None or unit.protected or not math.isfinite(unit.estimate):
        return None, table.statistic
    return unit.estimate, table.statistic


def follow_up(points: list[ImprovementPoint], then: WaveData | None, now: WaveData | None,
              groups_now: list[Group], k: int) -> list[PointFollowUp]:
    """Each of last year's points with its figure then (``then``) and now (``now``)."""
    flagged: dict[str, set[str]] = {}
    if now is not None:
        for entry in attention_list(now, AttentionPolicy(k=k)).groups:
            flagged[entry.group] = {f.rule for f in entry.flags}
    out = []
    for point in points:
        measure = measure_of(point)
        changes: list[Change] = []
        if measure is not None and then is not None and now is not None:
            if point.group is None:
                a, stat = _figure(then, measure, None, k)
                b, _ = _figure(now, measure, None, k)
                changes.append(Change("school", then.school_year, now.school_year, measure,
                                      stat, a, b))
            else:
                name = point.group.name
                a, stat = _figure(then, measure, name, k)
                targets = [("same_grade", g) for g in groups_now if g.name == name]
                targets += [("cohort", g) for g in groups_now
                            if g.previous_group_id == point.group_id and g.name != name]
                for kind, group in targets:
                    b, _ = _figure(now, measure, group.name, k)
                    fired = (point.flag_rule in flagged.get(group.name, set())
                             if point.flag_rule else None)
                    changes.append(Change(kind, f"{name} ({then.school_year})",
                                          f"{group.name} ({now.school_year})", measure, stat,
                                          a, b, fired))
        out.append(PointFollowUp(point, measure, tuple(changes)))
    return out


__all__ = [
    "RULE_CONSTRUCT",
    "Change",
    "ImprovementError",
    "ImprovementIn",
    "PointFollowUp",
    "create",
    "follow_up",
    "measure_of",
    "points_for",
    "update",
]

"""The attention policy: every rule and threshold of the attention list, in one place.

The defaults are those of DESIGN §7. A school (or a test) changes a threshold by passing its
own :class:`AttentionPolicy` to :func:`analysis.attention.attention_list`, e.g.
``AttentionPolicy(low_response_below=0.8)``. Each rule below names the fields it reads.

Rules (flags)
-------------
``safety_low``
    The group's mean feeling of safety (common 1–4 metric) is below the rest of the school:
    one-sided Welch's t, Benjamini–Hochberg across the groups of the wave, and
    ``q < safety_low_q`` **and** Hedges' ``g <= safety_low_max_g``. One-sided, because the
    rule only ever looks for *lower* safety; the effect-size floor keeps a trivial difference
    in a big school off the list.
``bullying_high``
    The share of bullied pupils (any victimisation item at "2–3 times a month" or more) is
    at least ``bullying_share`` (an absolute norm, whatever the rest of the school does) **or**
    above the rest of the school by a one-sided Fisher's exact test at BH
    ``q < bullying_q`` (a relative signal for a school whose own level is already high). The
    absolute arm uses the point estimate on purpose: any group where one in seven pupils
    reports being bullied deserves a conversation, even if the interval is wide.
``safety_decline``
    The group's safety is below that of the same cohort last year (its ``previous_group``):
    one-sided Welch's t, BH across the linked groups, ``q < decline_q`` **and** a drop of at
    least ``decline_min_drop`` points on the 1–4 metric.
``incidents_high``
    Incidents per enrolled pupil above the rest of the school: the exact conditional
    binomial test of two Poisson rates, one-sided, BH across the groups of the school year,
    ``q < incidents_q`` **and** at least ``incidents_min_count`` incidents.
``severe_incident``
    Any incident in ``severe_categories`` (sexual abuse, sexual intimidation, extremism) is
    always listed, whatever its group's size: the flag counts registered incidents, which are
    not pupils' answers, so it is shown even for a group whose survey figures are suppressed.

Warnings (data quality, not flags)
----------------------------------
``low_response``
    Fewer than ``low_response_below`` of the enrolled pupils answered.

Groups with fewer than ``k`` respondents are never flagged by the survey or incident-rate
rules and never described (DESIGN §4 P4, §7).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

from analysis.data import BULLIED_CONSTRUCT, INCIDENT_CATEGORIES, SAFETY_CONSTRUCT
from analysis.privacy import DEFAULT_K, check_k

__all__ = ["FLAG_RULES", "WARNING_RULES", "AttentionPolicy"]

#: The flag rules, in the order the attention list shows them.
FLAG_RULES = ("severe_incident", "safety_low", "bullying_high", "safety_decline", "incidents_high")
#: The data-quality warnings.
WARNING_RULES = ("low_response",)


def _fraction(name: str, value: float, *, open_low: bool = True) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a number, got {value!r}")
    if not (0 < value <= 1 if open_low else 0 <= value <= 1):
        raise ValueError(f"{name} must lie in {'(0, 1]' if open_low else '[0, 1]'}, got {value}")


@dataclass(frozen=True)
class AttentionPolicy:
    """Thresholds of the attention list (DESIGN §7); see the module docstring for the rules.

    Attributes
    ----------
    k : int
        Small-group threshold (≥ 5): groups with fewer respondents are never described.
    safety_construct, bullied_construct : str
        The constructs the safety and bullying rules read.
    safety_low_q, safety_low_max_g : float
        ``safety_low``: BH q below this, and Hedges' g at most this (negative).
    bullying_share, bullying_q : float
        ``bullying_high``: share at least this, or one-sided Fisher BH q below this.
    decline_q, decline_min_drop : float
        ``safety_decline``: BH q below this, and a drop of at least this many scale points.
    incidents_q : float
        ``incidents_high``: BH q below this ...
    incidents_min_count : int
        ... and at least this many incidents in the school year.
    severe_categories : tuple of str
        ``severe_incident``: incident categories that are always listed.
    low_response_below : float
        ``low_response``: warn when respondents / enrolled pupils is below this.
    confidence : float
        Confidence level of the intervals behind the figures.
    """

    k: int = DEFAULT_K
    safety_construct: str = SAFETY_CONSTRUCT
    bullied_construct: str = BULLIED_CONSTRUCT
    safety_low_q: float = 0.05
    safety_low_max_g: float = -0.5
    bullying_share: float = 0.15
    bullying_q: float = 0.05
    decline_q: float = 0.05
    decline_min_drop: float = 0.3
    incidents_q: float = 0.05
    incidents_min_count: int = 3
    severe_categories: tuple[str, ...] = ("seksueel_misbruik", "seksuele_intimidatie", "extremisme")
    low_response_below: float = 0.70
    confidence: float = 0.95

    def __post_init__(self) -> None:
        check_k(self.k)
        for name in ("safety_low_q", "bullying_q", "decline_q", "incidents_q", "bullying_share"):
            _fraction(name, getattr(self, name))
        _fraction("low_response_below", self.low_response_below, open_low=False)
        if not 0 < self.confidence < 1:
            raise ValueError(f"confidence must lie between 0 and 1, got {self.confidence}")
        if not self.safety_low_max_g <= 0:
            raise ValueError(f"safety_low_max_g must be ≤ 0, got {self.safety_low_max_g}")
        if not self.decline_min_drop >= 0:
            raise ValueError(f"decline_min_drop must be ≥ 0, got {self.decline_min_drop}")
        count = self.incidents_min_count
        if isinstance(count, bool) or not isinstance(count, numbers.Integral) or count < 1:
            raise ValueError(f"incidents_min_count must be an integer ≥ 1, got {count!r}")
        categories = tuple(self.severe_categories)
        unknown = sorted(set(categories) - set(INCIDENT_CATEGORIES))
        if unknown:
            raise ValueError(f"unknown severe incident categories {unknown}")
        object.__setattr__(self, "severe_categories", categories)

"""Per-respondent construct scores, the common 1–4 metric and the cut-offs (DESIGN §7).

A pupil's answers to the items of one construct become one score, computed once when the
response is submitted and stored with it:

- kind ``"mean"``: the mean of the answered items, reverse-scored items mapped as
  ``scale_min + scale_max - v``. The score is valid only when at least two thirds of the
  construct's items were answered (``answered * 3 >= n_items * 2``); otherwise it is missing.
- kind ``"any_at_least"`` (victimisation, "gepest"): 1.0 when any answered item reaches the
  threshold (the Olweus cut-off "2–3 times a month or more", Solberg & Olweus 2003); 0.0 when
  none does *and* at least two thirds of the items were answered; otherwise missing. A single
  answered item at or over the threshold is enough evidence of being bullied, so the
  two-thirds rule applies only to the "not bullied" verdict.

Groep 3–4 answer on three faces, groep 5–8 on four options, so means are compared on one
common metric: a linear map of the scale onto 1–4 (``to_common_scale``). Every comparison
between groups uses the common metric. "Unsafe" is a safety score below the midpoint of the
common metric (2.5).

References
----------
Solberg, M. E., & Olweus, D. (2003). Prevalence estimation of school bullying with the Olweus
Bully/Victim Questionnaire. *Aggressive Behavior*, 29(3), 239–268.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

__all__ = [
    "COMMON_MAX",
    "COMMON_MIN",
    "KINDS",
    "UNSAFE_BELOW",
    "construct_score",
    "is_bullied",
    "is_unsafe",
    "to_common_scale",
]

#: The construct kinds an instrument may declare.
KINDS = ("mean", "any_at_least")

#: Bounds of the common metric onto which every "mean" construct is mapped.
COMMON_MIN = 1.0
COMMON_MAX = 4.0

#: A safety score on the common metric below this value counts as "unsafe" (the midpoint).
UNSAFE_BELOW = (COMMON_MIN + COMMON_MAX) / 2


def _check_scale(scale_min: int, scale_max: int) -> None:
    for name, bound in (("scale_min", scale_min), ("scale_max", scale_max)):
        if isinstance(bound, bool) or not isinstance(bound, numbers.Integral):
            raise ValueError(f"{name} must be an integer, got {bound!r}")
    if scale_min >= scale_max:
        raise ValueError(f"scale_min ({scale_min}) must be below scale_max ({scale_max})")


def construct_score(
    values: Sequence[int | None],
    *,
    kind: str,
    scale_min: int,
    scale_max: int,
    reverse: Sequence[bool] | None = None,
    threshold: int | None = None,
) -> float | None:
    """Score one respondent on one construct.

    Parameters
    ----------
    values : sequence of int or None
        The answers to the construct's items in item order, on the item's own scale;
        ``None`` marks a skipped item.
    kind : {"mean", "any_at_least"}
        How the construct is scored (the instrument file's ``kind``).
    scale_min, scale_max : int
        The lowest and highest value of the answer scale (e.g. 1 and 4, or 0 and 4).
    reverse : sequence of bool, optional
        Per item, whether it is reverse-scored; a reversed value ``v`` becomes
        ``scale_min + scale_max - v`` before anything else is done with it.
    threshold : int, optional
        Required for ``"any_at_least"``: the value from which an answer counts (for
        victimisation, the value of "2–3 times a month"). Ignored for ``"mean"``.

    Returns
    -------
    float or None
        ``"mean"``: :math:`\\bar v = \\frac{1}{a}\\sum_{i\\ answered} v_i` when
        :math:`3a \\ge 2m` (``a`` answered of ``m`` items), else ``None``.
        ``"any_at_least"``: 1.0 when any answered :math:`v_i \\ge` threshold; 0.0 when none
        does and :math:`3a \\ge 2m`; else ``None``.

    Raises
    ------
    ValueError
        On an unknown kind, a missing or out-of-scale threshold, a value that is not an
        integer within ``[scale_min, scale_max]``, a ``reverse`` of the wrong length, or an
        empty item list.

    Examples
    --------
    >>> construct_score([4, 3, None], kind="mean", scale_min=1, scale_max=4)
    3.5
    >>> construct_score([4, 1], kind="mean", scale_min=1, scale_max=4, reverse=[False, True])
    4.0
    >>> construct_score([0, None, 2], kind="any_at_least", scale_min=0, scale_max=4, threshold=2)
    1.0
    """
    if kind not in KINDS:
        raise ValueError(f"unknown construct kind {kind!r}; expected one of {', '.join(KINDS)}")
    _check_scale(scale_min, scale_max)
    values = list(values)
    if not values:
        raise ValueError("a construct needs at least one item; got no values")
    if reverse is None:
        reverse = [False] * len(values)
    else:
        reverse = list(reverse)
        if len(reverse) != len(values):
            raise ValueError(
                f"reverse has {len(reverse)} entries but there are {len(values)} values"
            )
    if kind == "any_at_least":
        if threshold is None:
            raise ValueError('kind "any_at_least" needs a threshold')
        if isinstance(threshold, bool) or not isinstance(threshold, numbers.Integral):
            raise ValueError(f"threshold must be an integer, got {threshold!r}")
        if not scale_min <= threshold <= scale_max:
            raise ValueError(
                f"threshold {threshold} lies outside the scale [{scale_min}, {scale_max}]"
            )

    answered: list[int] = []
    for position, (value, rev) in enumerate(zip(values, reverse, strict=True)):
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise ValueError(f"item {position + 1}: value {value!r} is not an integer")
        if not scale_min <= value <= scale_max:
            raise ValueError(
                f"item {position + 1}: value {value} lies outside the scale "
                f"[{scale_min}, {scale_max}]"
            )
        answered.append(scale_min + scale_max - int(value) if rev else int(value))

    enough = len(answered) * 3 >= len(values) * 2
    if kind == "mean":
        if not enough or not answered:
            return None
        return math.fsum(answered) / len(answered)
    # any_at_least
    if any(v >= threshold for v in answered):
        return 1.0
    return 0.0 if enough else None


def to_common_scale(value: float, scale_min: int, scale_max: int) -> float:
    """Map a score linearly onto the common 1–4 metric.

    .. math:: c = 1 + 3\\,\\frac{v - \\text{min}}{\\text{max} - \\text{min}}

    so the ends of every scale meet the ends of the common metric (a 3-point answer of 2,
    the middle face, becomes 2.5). This is the usual "percent of maximum possible" rescaling
    (Cohen, Cohen, Aiken & West 1999), expressed on 1–4 instead of 0–100.

    Raises
    ------
    ValueError
        When the scale is empty or reversed, or ``value`` lies outside it.

    References
    ----------
    Cohen, P., Cohen, J., Aiken, L. S., & West, S. G. (1999). The problem of units and the
    circumstance for POMP. *Multivariate Behavioral Research*, 34(3), 315–346.
    """
    _check_scale(scale_min, scale_max)
    if value is None or isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"value must be a number, got {value!r}")
    if not math.isfinite(value) or not scale_min <= value <= scale_max:
        raise ValueError(f"value {value} lies outside the scale [{scale_min}, {scale_max}]")
    span = COMMON_MAX - COMMON_MIN
    return COMMON_MIN + span * (float(value) - scale_min) / (scale_max - scale_min)


def is_unsafe(common_value: float) -> bool:
    """Whether a safety score on the common metric lies below its midpoint (``UNSAFE_BELOW``).

    Raises
    ------
    ValueError
        When the score is missing (``None``) or outside the common metric 1–4.
    """
    if common_value is None:
        raise ValueError("no valid safety score (None); leave this respondent out of % unsafe")
    if isinstance(common_value, bool) or not isinstance(common_value, numbers.Real):
        raise ValueError(f"safety score must be a number, got {common_value!r}")
    if not COMMON_MIN <= common_value <= COMMON_MAX:
        raise ValueError(f"safety score {common_value} lies outside the common metric 1–4")
    return common_value < UNSAFE_BELOW


def is_bullied(score: float) -> bool:
    """Whether an ``"any_at_least"`` score (0.0 or 1.0) says the pupil is bullied.

    Raises
    ------
    ValueError
        When the score is missing (``None``) or is not 0 or 1.
    """
    if score is None:
        raise ValueError("no valid bullying score (None); leave this respondent out of % bullied")
    if isinstance(score, bool) or not isinstance(score, numbers.Real) or score not in (0, 1):
        raise ValueError(f"a bullying score is 0.0 or 1.0, got {score!r}")
    return score == 1

"""Synthetic schools with known, planted effects: for the power tests, benchmarks and demos.

A simulated school has ``groups`` groups (groep 1..8 cycling) this year and last year, linked as
cohorts (this year's group *i* was last year's group *i*). Per respondent:

- ``veiligheid`` and ``welbevinden``: normal on the common metric, mean ``safety_mean``, SD
  ``safety_sd``, clipped to 1–4;
- ``gepest``: 1 with probability ``bullied_share``;
- incidents: Poisson with ``incident_rate`` per enrolled pupil per school year, category
  ``pesten``.

Planted effects (all on this year's data):

- ``safety_shift``: {group index: shift in SDs}, e.g. ``{0: -0.8}`` (Hedges' g ≈ −0.8 against
  the rest);
- ``cohort_decline``: {group index: drop in scale points against the same cohort last year};
- ``incident_spike``: {group index: rate multiplier};
- ``bullied_boost``: {group index: the group's bullying probability}.

Everything is drawn from ``numpy.random.Generator`` passed in, so a fixed seed gives a fixed
school.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from analysis.data import GroupData, WaveData

__all__ = ["simulate_school"]


def _scores(rng: np.random.Generator, n: int, mean: float, sd: float) -> np.ndarray:
    return np.clip(rng.normal(mean, sd, n), 1.0, 4.0)


def simulate_school(
    rng: np.random.Generator,
    *,
    groups: int = 8,
    respondents: int | Mapping[int, int] = 25,
    enrolled: int = 27,
    safety_mean: float = 3.1,
    safety_sd: float = 0.5,
    bullied_share: float = 0.08,
    incident_rate: float = 0.1,
    safety_shift: Mapping[int, float] | None = None,
    cohort_decline: Mapping[int, float] | None = None,
    incident_spike: Mapping[int, float] | None = None,
    bullied_boost: Mapping[int, float] | None = None,
    school: str = "Simulatieschool",
    school_year: str = "2026-2027",
    previous_year: str = "2025-2026",
) -> WaveData:
    """One simulated school: this year's wave with last year's as ``previous``.

    ``respondents`` is one number for every group or {group index: n} (groups not named get
    25). Group *i* is called ``"Groep <i+1>"`` last year and ``"Groep <i+1>b"`` this year.
    """
    safety_shift = dict(safety_shift or {})
    cohort_decline = dict(cohort_decline or {})
    incident_spike = dict(incident_spike or {})
    bullied_boost = dict(bullied_boost or {})

    def size(i: int) -> int:
        if isinstance(respondents, Mapping):
            return int(respondents.get(i, 25))
        return int(respondents)

    last = []
    for i in range(groups):
        n = size(i)
        last.append(
            GroupData(
                f"Groep {i + 1}",
                ((i % 8) + 1,),
                max(enrolled, n),
                None,
                scores={
                    "veiligheid": _scores(rng, n, safety_mean, safety_sd),
                    "welbevinden": _scores(rng, n, safety_mean, safety_sd),
                    "gepest": (rng.random(n) < bullied_share).astype(float),
                },
                incidents={"pesten": int(rng.poisson(incident_rate * max(enrolled, n)))},
            )
        )
    now = []
    for i in range(groups):
        n = size(i)
        mean = safety_mean + safety_shift.get(i, 0.0) * safety_sd - cohort_decline.get(i, 0.0)
        rate = incident_rate * incident_spike.get(i, 1.0)
        bullied = bullied_boost.get(i, bullied_share)
        now.append(
            GroupData(
                f"Groep {i + 1}b",
                ((i % 8) + 1,),
                max(enrolled, n),
                f"Groep {i + 1}",
                scores={
                    "veiligheid": _scores(rng, n, mean, safety_sd),
                    "welbevinden": _scores(rng, n, safety_mean, safety_sd),
                    "gepest": (rng.random(n) < bullied).astype(float),
                },
                incidents={"pesten": int(rng.poisson(rate * max(enrolled, n)))},
            )
        )
    previous = WaveData(school, previous_year, "najaar", tuple(last))
    return WaveData(school, school_year, "najaar", tuple(now), previous=previous)

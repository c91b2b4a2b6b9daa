"""Small-group protection (DESIGN §4 P4): no figure for fewer than k respondents, none recoverable.

Two rules, applied here and nowhere else:

1. **Threshold.** No aggregate (mean, share, SD, interval, count of answers, test statistic)
   describes fewer than ``k`` respondents; ``k`` is at least 5 and may only be raised.
2. **Complementary suppression.** Within one *view* — a set of figures shown together, such as
   a table of groups plus a school total, a heat map, or the attention list — no suppressed
   group's figure may be computable from the figures that are shown. A school total minus every
   shown group equals the one group that was left out, so a single suppressed group is merged
   with the next-smallest group into a *protected* row, as Panorama does. In general:

   - every group with ``0 < n < k`` goes into one pool;
   - while the pool holds a single group, or fewer than ``k`` respondents, the smallest group
     still shown on its own joins it (ties: the later group in the input order);
   - if the pool still cannot reach ``k`` respondents in two or more groups, nothing of the
     view is shown at all (a school with fewer than ``k`` respondents in total).

   The result is a partition of the groups into *units* (:class:`Protection`): groups shown on
   their own and at most one protected pool. Every figure of a view must aggregate a union of
   units; a suppressed group then only ever appears together with at least one other group.

:func:`guard` checks any view independently of how it was built, which is what every output
function calls before it returns (and what the property tests call too). A view is a list of
:class:`Cell` s; each cell says which groups' respondents a released figure aggregates. A
figure is a sum over respondents (a mean with its n is a sum, a share with its n is a count, an
SD adds a sum of squares over the same respondents), so a suppressed set of groups ``S`` is
recoverable exactly when its indicator vector lies in the linear span of the cells' indicator
vectors (Cox 1980). :func:`audit` checks that for every set of small groups with fewer than
``k`` respondents together, by projecting onto the null space of the cell matrix.

Groups with no respondents for a measure contribute nothing to any sum and are ignored.

References
----------
Cox, L. H. (1980). Suppression methodology and statistical disclosure control. *Journal of the
American Statistical Association*, 75(370), 377–385.
Panorama Education (2019). *Data privacy and minimum group sizes in survey reporting*
(merging a group below the minimum with the next-smallest group).
"""

from __future__ import annotations

import itertools
import numbers
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

__all__ = [
    "DEFAULT_K",
    "MIN_K",
    "Cell",
    "DisclosureError",
    "Leak",
    "Protection",
    "Unit",
    "audit",
    "check_k",
    "guard",
    "protect",
    "protect_joint",
]

#: The smallest k the design allows (DESIGN §4 P4): configurable upward only.
MIN_K = 5
#: The default k.
DEFAULT_K = 5


class DisclosureError(ValueError):
    """Raised when a view would describe fewer than k respondents or reveal a suppressed group."""


def check_k(k: int) -> int:
    """Validate ``k``: an integer of at least :data:`MIN_K`. Returns it as ``int``.

    Raises
    ------
    ValueError
        When ``k`` is not an integer or is below 5.
    """
    if isinstance(k, bool) or not isinstance(k, numbers.Integral):
        raise ValueError(f"k must be an integer, got {k!r}")
    if k < MIN_K:
        raise ValueError(f"k must be at least {MIN_K} (it may only be raised), got {k}")
    return int(k)


@dataclass(frozen=True)
class Unit:
    """A row a view may show: one group on its own, or a protected pool of groups.

    Attributes
    ----------
    label : str
        The group's name, or the members' names joined with " + " for a pool.
    members : tuple of str
        The groups whose respondents the row aggregates.
    n : int
        Respondents behind the row (for a joint partition: the smallest count over the
        measures of the view, summed over the members).
    protected : bool
        True for the pool that holds the suppressed groups.
    """

    label: str
    members: tuple[str, ...]
    n: int
    protected: bool = False


@dataclass(frozen=True)
class Protection:
    """The partition of one view's groups into units; see the module docstring.

    Attributes
    ----------
    k : int
        The threshold used.
    units : tuple of Unit
        The rows the view may show, in input order (the pool sits where its first member was).
    suppressed : tuple of str
        Groups with ``0 < n < k``: never shown on their own.
    merged : tuple of str
        Groups with ``n >= k`` that had to join the protected pool.
    withheld : bool
        True when not even a pool could reach k: the view shows nothing.
    """

    k: int
    units: tuple[Unit, ...]
    suppressed: tuple[str, ...]
    merged: tuple[str, ...]
    withheld: bool

    def unit_of(self, group: str) -> Unit | None:
        """The unit that holds ``group``; ``None`` when the group is not shown in any unit."""
        for unit in self.units:
            if group in unit.members:
                return unit
        return None

    def alone(self, group: str) -> bool:
        """Whether ``group`` is shown as a row of its own."""
        unit = self.unit_of(group)
        return unit is not None and not unit.protected

    @property
    def singles(self) -> tuple[str, ...]:
        """The groups shown on their own."""
        return tuple(u.members[0] for u in self.units if not u.protected)

    @property
    def pool(self) -> Unit | None:
        """The protected pool, if there is one."""
        return next((u for u in self.units if u.protected), None)

    @property
    def members(self) -> tuple[str, ...]:
        """Every group covered by some unit (the groups a school total may include)."""
        return tuple(g for u in self.units for g in u.members)

    @property
    def n(self) -> int:
        """Respondents covered by the units together."""
        return sum(u.n for u in self.units)

    def rest(self, unit: Unit) -> frozenset[str]:
        """The cover of "the rest of the school" for ``unit``: every other unit's members."""
        return frozenset(g for u in self.units if u is not unit for g in u.members)


def _partition(effective: Mapping[str, int], present: Iterable[str], k: int) -> Protection:
    k = check_k(k)
    order = list(present)
    position = {g: i for i, g in enumerate(order)}
    small = [g for g in order if effective[g] < k]
    singles = [g for g in order if effective[g] >= k]
    pool = list(small)
    merged: list[str] = []
    if pool:
        while (len(pool) == 1 or sum(effective[g] for g in pool) < k) and singles:
            # the smallest group still shown alone; on a tie the later one, so the
            # earlier groups of the input order keep their own rows
            nxt = min(singles, key=lambda g: (effective[g], -position[g]))
            singles.remove(nxt)
            pool.append(nxt)
            merged.append(nxt)
    withheld = bool(pool) and (len(pool) == 1 or sum(effective[g] for g in pool) < k)
    if withheld:
        return Protection(k=k, units=(), suppressed=tuple(small), merged=(), withheld=True)
    units: list[Unit] = []
    pool_members = tuple(sorted(pool, key=position.__getitem__))
    pool_placed = False
    for g in order:
        if g in pool:
            if not pool_placed:
                units.append(
                    Unit(
                        label=" + ".join(pool_members),
                        members=pool_members,
                        n=sum(effective[m] for m in pool_members),
                        protected=True,
                    )
                )
                pool_placed = True
        else:
            units.append(Unit(label=g, members=(g,), n=effective[g]))
    return Protection(
        k=k,
        units=tuple(units),
        suppressed=tuple(small),
        merged=tuple(sorted(merged, key=position.__getitem__)),
        withheld=False,
    )


def _check_counts(counts: Mapping[str, int], what: str) -> dict[str, int]:
    checked = {}
    for group, n in counts.items():
        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 0:
            raise ValueError(f"{what}: count for {group!r} must be an integer ≥ 0, got {n!r}")
        checked[group] = int(n)
    return checked


def protect(counts: Mapping[str, int], k: int = DEFAULT_K) -> Protection:
    """Partition the groups of a one-measure view into units (see the module docstring).

    Parameters
    ----------
    counts : mapping of str to int
        Group name → respondents with a value for the view's measure, in display order.
        Groups with zero respondents are left out of the partition.
    k : int
        The threshold, at least 5.

    Examples
    --------
    >>> p = protect({"Groep 3": 3, "Groep 4": 12, "Groep 5": 24, "Groep 6": 20})
    >>> [u.label for u in p.units]
    ['Groep 3 + Groep 4', 'Groep 5', 'Groep 6']
    """
    counts = _check_counts(counts, "protect")
    present = [g for g, n in counts.items() if n > 0]
    return _partition(counts, present, k)


def protect_joint(counts_by_measure: Mapping[str, Mapping[str, int]], k: int = DEFAULT_K):
    """Partition for a view that shows several measures side by side (a heat map).

    One partition serves every measure, so the rows line up: a group counts as small when any
    measure has fewer than ``k`` values for it, and a pool is big enough when the sum of its
    members' smallest counts reaches ``k`` (which bounds every measure's pool count from
    below). A group without any value in any measure is left out.
    """
    checked = {m: _check_counts(c, f"protect_joint[{m}]") for m, c in counts_by_measure.items()}
    groups: list[str] = []
    for counts in checked.values():
        for g in counts:
            if g not in groups:
                groups.append(g)
    effective = {g: min(c.get(g, 0) for c in checked.values()) for g in groups}
    present = [g for g in groups if any(c.get(g, 0) > 0 for c in checked.values())]
    return _partition(effective, present, k)


@dataclass(frozen=True)
class Cell:
    """One released figure of a view: which measure, over which groups' respondents.

    Attributes
    ----------
    measure : str
        What the figure is about (a construct name, e.g. ``"veiligheid"``); figures of
        different measures cannot be combined into one another.
    cover : frozenset of str
        The groups whose respondents the figure aggregates.
    n : int
        The respondents it describes, as the output states it.
    """

    measure: str
    cover: frozenset[str]
    n: int


@dataclass(frozen=True)
class Leak:
    """A disclosure found by :func:`audit`: a figure (or derivable figure) under k."""

    measure: str
    groups: frozenset[str]
    n: int
    reason: str


def audit(
    cells: Iterable[Cell], counts: Mapping[str, Mapping[str, int]], k: int = DEFAULT_K
) -> list[Leak]:
    """Find every way a view discloses fewer than ``k`` respondents.

    Parameters
    ----------
    cells : iterable of Cell
        The figures the view releases.
    counts : mapping of str to mapping of str to int
        Measure → group → respondents with a value (the truth the view was built from).
    k : int
        The threshold.

    Returns
    -------
    list of Leak
        Empty when the view is safe. A leak is either a cell whose cover holds ``0 < n < k``
        respondents (or whose stated ``n`` disagrees with the counts), or a set ``S`` of groups
        with ``0 < n(S) < k`` whose indicator vector :math:`\\mathbf 1_S` lies in the row space of
        the cell matrix :math:`C` (rows: cells, columns: groups with respondents), i.e.
        :math:`N^\\top \\mathbf 1_S = 0` for a basis :math:`N` of the null space of :math:`C`.
    """
    k = check_k(k)
    by_measure: dict[str, list[Cell]] = {}
    for cell in cells:
        by_measure.setdefault(cell.measure, []).append(cell)
    leaks: list[Leak] = []
    for measure, measure_cells in by_measure.items():
        if measure not in counts:
            raise ValueError(f"audit: no counts for measure {measure!r}")
        mcounts = counts[measure]
        groups = [g for g, n in mcounts.items() if n > 0]
        index = {g: i for i, g in enumerate(groups)}
        rows = []
        for cell in measure_cells:
            unknown = sorted(set(cell.cover) - set(mcounts))
            if unknown:
                raise ValueError(f"audit: cell covers unknown groups {unknown}")
            n_true = sum(mcounts[g] for g in cell.cover)
            if cell.n != n_true:
                leaks.append(
                    Leak(measure, cell.cover, cell.n, f"stated n {cell.n} but counts say {n_true}")
                )
            if 0 < n_true < k:
                leaks.append(Leak(measure, cell.cover, n_true, f"a figure over {n_true} < {k}"))
            row = np.zeros(len(groups))
            for g in cell.cover:
                if g in index:
                    row[index[g]] = 1.0
            if row.any():
                rows.append(row)
        small = [g for g in groups if mcounts[g] < k]
        if not rows or not small:  # no figures, or no group that could be worked back
            continue
        matrix = np.array(rows)
        # null space of the cell matrix: right singular vectors beyond its rank
        _, sing, vt = np.linalg.svd(matrix)
        rank = int((sing > 1e-9 * max(matrix.shape)).sum())
        null = vt[rank:].T  # (groups, nullity)
        for size in range(1, len(small) + 1):
            found_any = False
            for subset in itertools.combinations(small, size):
                n_subset = sum(mcounts[g] for g in subset)
                if n_subset >= k:
                    continue
                found_any = True
                vector = np.zeros(len(groups))
                vector[[index[g] for g in subset]] = 1.0
                if null.shape[1] == 0 or np.abs(null.T @ vector).max() < 1e-9:
                    leaks.append(
                        Leak(
                            measure,
                            frozenset(subset),
                            n_subset,
                            f"recoverable from the view: {n_subset} < {k} respondents",
                        )
                    )
            if not found_any:
                break  # every larger subset reaches k too
    return leaks


def guard(
    cells: Iterable[Cell], counts: Mapping[str, Mapping[str, int]], k: int = DEFAULT_K
) -> None:
    """Raise :class:`DisclosureError` when :func:`audit` finds anything; the one gate of P4.

    Every function of :mod:`analysis` that returns figures meant for display calls this on
    its result before returning, so a bug in how a view was put together fails loudly
    instead of showing a small group.
    """
    leaks = audit(cells, counts, k)
    if leaks:
        details = "; ".join(
            f"{leak.measure} {sorted(leak.groups)}: {leak.reason}" for leak in leaks
        )
        raise DisclosureError(f"view would disclose small groups: {details}")

"""Tests for analysis.privacy: the k threshold, protected pools, and the disclosure audit."""

import pytest

from analysis.privacy import (
    Cell,
    DisclosureError,
    audit,
    check_k,
    guard,
    protect,
    protect_joint,
)


def labels(protection):
    return [u.label for u in protection.units]


@pytest.mark.parametrize("bad", [4, 0, -5, 5.0, True, "5"])
def test_k_below_five_or_not_an_integer_is_refused(bad):
    with pytest.raises(ValueError):
        check_k(bad)


def test_k_may_be_raised():
    assert check_k(8) == 8
    protection = protect({"a": 7, "b": 20, "c": 30}, k=8)
    assert protection.suppressed == ("a",)


def test_no_small_groups_no_pool():
    p = protect({"Groep 3": 20, "Groep 4": 22})
    assert labels(p) == ["Groep 3", "Groep 4"]
    assert p.pool is None and not p.withheld


def test_single_small_group_merges_with_next_smallest():
    p = protect({"Groep 3": 3, "Groep 4": 12, "Groep 5": 24, "Groep 6": 20})
    assert labels(p) == ["Groep 3 + Groep 4", "Groep 5", "Groep 6"]
    assert p.pool.n == 15 and p.pool.protected
    assert p.suppressed == ("Groep 3",)
    assert p.merged == ("Groep 4",)
    assert not p.alone("Groep 4") and p.alone("Groep 5")


def test_two_small_groups_that_reach_k_together_need_no_merge():
    p = protect({"a": 3, "b": 4, "c": 24})
    assert labels(p) == ["a + b", "c"]
    assert p.merged == ()


def test_two_small_groups_below_k_together_take_the_next_smallest():
    p = protect({"a": 2, "b": 1, "c": 24, "d": 9})
    assert labels(p) == ["a + b + d", "c"]


def test_zero_groups_are_left_out():
    p = protect({"Groep 1/2": 0, "Groep 3": 20, "Groep 4": 21})
    assert p.members == ("Groep 3", "Groep 4")
    assert p.suppressed == ()


@pytest.mark.parametrize("counts", [{"a": 3}, {"a": 3, "b": 1}, {"a": 2, "b": 2}])
def test_school_below_k_is_withheld(counts):
    p = protect(counts)
    assert p.withheld and p.units == ()


def test_joint_partition_uses_the_smallest_count():
    p = protect_joint(
        {"veiligheid": {"a": 20, "b": 20, "c": 30}, "hulp": {"a": 20, "b": 4, "c": 30}}
    )
    assert labels(p) == ["a + b", "c"]


def test_audit_finds_the_classic_difference_attack():
    counts = {"v": {"a": 3, "b": 12, "c": 24}}
    cells = [Cell("v", frozenset({"b"}), 12), Cell("v", frozenset({"c"}), 24)]
    assert audit(cells, counts) == []  # without a total, a cannot be worked out
    leaks = audit([*cells, Cell("v", frozenset("abc"), 39)], counts)
    assert [sorted(leak.groups) for leak in leaks] == [["a"]]
    with pytest.raises(DisclosureError, match="recoverable"):
        guard([*cells, Cell("v", frozenset("abc"), 39)], counts)


def test_audit_finds_recovery_through_overlapping_references():
    # "rest of the school" references for b and c reveal a: (rest_b + rest_c - ...) algebra
    counts = {"v": {"a": 3, "b": 12, "c": 24}}
    cells = [
        Cell("v", frozenset({"b"}), 12),
        Cell("v", frozenset({"a", "c"}), 27),
        Cell("v", frozenset({"c"}), 24),
    ]
    assert [sorted(leak.groups) for leak in audit(cells, counts)] == [["a"]]


def test_audit_flags_small_cells_and_wrong_n():
    counts = {"v": {"a": 3, "b": 12}}
    reasons = [leak.reason for leak in audit([Cell("v", frozenset({"a"}), 3)], counts)]
    assert any("3 < 5" in r for r in reasons)
    wrong = audit([Cell("v", frozenset({"b"}), 11)], counts)
    assert any("stated n" in leak.reason for leak in wrong)


def test_audit_pair_below_k_counts_as_leak():
    counts = {"v": {"a": 2, "b": 2, "c": 30}}
    cells = [Cell("v", frozenset({"c"}), 30), Cell("v", frozenset("abc"), 34)]
    assert [sorted(leak.groups) for leak in audit(cells, counts)] == [["a", "b"]]


def test_protected_partition_passes_the_audit():
    counts = {"Groep 3": 3, "Groep 4": 12, "Groep 5": 24, "Groep 6": 20}
    p = protect(counts)
    cells = [Cell("v", frozenset(u.members), u.n) for u in p.units]
    cells.append(Cell("v", frozenset(p.members), p.n))
    for unit in p.units:
        rest = p.rest(unit)
        cells.append(Cell("v", rest, sum(counts[g] for g in rest)))
    assert audit(cells, {"v": counts}) == []

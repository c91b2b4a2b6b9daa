"""Tests for analysis.scoring: construct scores, the common metric and the cut-offs."""

import pytest

from analysis.scoring import (
    UNSAFE_BELOW,
    construct_score,
    is_bullied,
    is_unsafe,
    to_common_scale,
)


def mean_score(values, **kw):
    return construct_score(values, kind="mean", scale_min=1, scale_max=4, **kw)


def bully_score(values, threshold=2):
    return construct_score(
        values, kind="any_at_least", scale_min=0, scale_max=4, threshold=threshold
    )


class TestMean:
    def test_all_answered(self):
        assert mean_score([1, 2, 3, 4]) == pytest.approx(2.5)

    def test_skipped_items_are_left_out(self):
        assert mean_score([4, 3, None]) == pytest.approx(3.5)

    def test_reverse_scored_items(self):
        assert mean_score([4, 1], reverse=[False, True]) == pytest.approx(4.0)
        assert mean_score([2, 2, 2], reverse=[True, False, True]) == pytest.approx((3 + 2 + 3) / 3)

    def test_reverse_on_three_point_scale(self):
        score = construct_score(
            [1, 3], kind="mean", scale_min=1, scale_max=3, reverse=[True, False]
        )
        assert score == pytest.approx(3.0)

    @pytest.mark.parametrize(
        ("values", "valid"),
        [
            ([1, 2, None], True),  # 2 of 3: exactly two thirds
            ([1, None, None], False),
            ([1, 2, 3, None], True),  # 3 of 4
            ([1, 2, None, None], False),  # 2 of 4 < two thirds
            ([1, 2, 3, 4, None], True),  # 4 of 5
            ([1, 2, 3, None, None], False),  # 3 of 5 = 0.6 < 2/3
            ([1, 2, 3, 4, None, None], True),  # 4 of 6: exactly two thirds
            ([None], False),
            ([None, None], False),
            ([2, None], False),  # 1 of 2
        ],
    )
    def test_two_thirds_rule(self, values, valid):
        assert (mean_score(values) is not None) is valid

    def test_single_item(self):
        assert mean_score([3]) == pytest.approx(3.0)


class TestAnyAtLeast:
    def test_at_threshold_is_bullied(self):
        assert bully_score([0, 0, 2, 0]) == 1.0

    def test_below_threshold_everywhere(self):
        assert bully_score([0, 1, 1, 0]) == 0.0

    def test_one_answer_over_threshold_is_enough(self):
        # one item at "several times a week" settles it even when most are skipped
        assert bully_score([None, None, 4, None, None, None, None]) == 1.0

    def test_not_bullied_needs_two_thirds(self):
        assert bully_score([0, 0, None, None, None, None, None]) is None
        assert bully_score([0, 0, 0, 0, 0, None, None]) == 0.0

    def test_three_point_scale_vaak(self):
        score = construct_score(
            [1, 3, 1], kind="any_at_least", scale_min=1, scale_max=3, threshold=3
        )
        assert score == 1.0
        assert is_bullied(score)


class TestErrors:
    def test_value_outside_scale(self):
        with pytest.raises(ValueError, match="outside the scale"):
            mean_score([1, 5])
        with pytest.raises(ValueError, match="item 1"):
            bully_score([-1, 0])

    def test_non_integer_value(self):
        with pytest.raises(ValueError, match="not an integer"):
            mean_score([1.5, 2])
        with pytest.raises(ValueError, match="not an integer"):
            mean_score([True, 2])

    def test_unknown_kind(self):
        with pytest.raises(ValueError, match="unknown construct kind"):
            construct_score([1], kind="median", scale_min=1, scale_max=4)

    def test_missing_threshold(self):
        with pytest.raises(ValueError, match="needs a threshold"):
            construct_score([1], kind="any_at_least", scale_min=0, scale_max=4)

    def test_threshold_outside_scale(self):
        with pytest.raises(ValueError, match="threshold"):
            bully_score([1], threshold=7)

    def test_reverse_length(self):
        with pytest.raises(ValueError, match="reverse"):
            mean_score([1, 2], reverse=[True])

    def test_empty_scale(self):
        with pytest.raises(ValueError, match="below scale_max"):
            construct_score([1], kind="mean", scale_min=4, scale_max=4)

    def test_no_items(self):
        with pytest.raises(ValueError, match="at least one item"):
            mean_score([])


class TestCommonScale:
    @pytest.mark.parametrize(
        ("value", "lo", "hi", "expected"),
        [
            (1, 1, 4, 1.0),
            (4, 1, 4, 4.0),
            (2.5, 1, 4, 2.5),
            (1, 1, 3, 1.0),
            (2, 1, 3, 2.5),
            (3, 1, 3, 4.0),
            (0, 0, 4, 1.0),
            (2, 0, 4, 2.5),
            (1.5, 1, 3, 1.75),
        ],
    )
    def test_linear_map(self, value, lo, hi, expected):
        assert to_common_scale(value, lo, hi) == pytest.approx(expected)

    def test_outside_scale(self):
        with pytest.raises(ValueError, match="outside"):
            to_common_scale(3.5, 1, 3)
        with pytest.raises(ValueError, match="number"):
            to_common_scale(None, 1, 3)

    def test_unsafe_cut_off(self):
        assert UNSAFE_BELOW == 2.5
        assert is_unsafe(2.49)
        assert not is_unsafe(2.5)
        assert not is_unsafe(4.0)
        # the middle face on a 3-point scale is exactly the midpoint, so not unsafe
        assert not is_unsafe(to_common_scale(2, 1, 3))

    def test_unsafe_rejects_missing_or_off_metric(self):
        with pytest.raises(ValueError, match="None"):
            is_unsafe(None)
        with pytest.raises(ValueError, match="common metric"):
            is_unsafe(0.5)


class TestBullied:
    def test_values(self):
        assert is_bullied(1.0)
        assert not is_bullied(0.0)

    @pytest.mark.parametrize("bad", [None, 0.5, 2, "1"])
    def test_rejects(self, bad):
        with pytest.raises(ValueError):
            is_bullied(bad)

"""Tests for analysis.data: the input model validates what the bridge fills in."""

import math

import numpy as np
import pytest

from analysis.data import GroupData, WaveData, group_from_dict, wave_from_dict


def test_group_basics():
    group = GroupData(
        "Groep 6",
        (6,),
        25,
        "Groep 5",
        scores={"veiligheid": [3.0, np.nan, 2.0], "gepest": [0, 1, None]},
        incidents={"pesten": 2, "diefstal": 1},
    )
    assert group.n == 3
    assert group.count("veiligheid") == 2
    assert group.values("gepest").tolist() == [0.0, 1.0]
    assert group.response_rate == pytest.approx(3 / 25)
    assert group.incident_total == 3
    assert group.values("hulp").size == 0
    with pytest.raises(ValueError):
        group.scores["veiligheid"][0] = 1.0  # read-only


def test_group_without_size_has_nan_rate():
    assert math.isnan(GroupData("Groep 1/2", (1, 2), 0).response_rate)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": ""}, "non-empty name"),
        ({"grades": (9,)}, "groep 1–8"),
        ({"size": -1}, "negative"),
        ({"scores": {"veiligheid": [0.5]}}, "common metric"),
        ({"scores": {"gepest": [2]}}, "0, 1 or missing"),
        ({"scores": {"veiligheid": [3.0], "gepest": [0, 1]}}, "one entry per respondent"),
        ({"incidents": {"brand": 1}}, "unknown incident category"),
        ({"incidents": {"pesten": -1}}, "integer ≥ 0"),
        ({"scores": {"veiligheid": ["x"]}}, "not numbers"),
    ],
)
def test_group_rejects(kwargs, message):
    base = {"name": "Groep 6", "grades": (6,), "size": 25}
    with pytest.raises(ValueError, match=message):
        GroupData(**{**base, **kwargs})


def test_wave_rejects_duplicate_names():
    g = GroupData("Groep 6", (6,), 25)
    with pytest.raises(ValueError, match="duplicate"):
        WaveData("s", "2026-2027", "najaar", (g, g))


def test_from_dict_row_and_column_forms_agree():
    rows = group_from_dict(
        {
            "name": "Groep 5",
            "grades": [5],
            "size": 20,
            "respondents": [{"veiligheid": 3.5, "gepest": 0}, {"veiligheid": None, "gepest": 1}],
        }
    )
    cols = group_from_dict(
        {
            "name": "Groep 5",
            "grades": [5],
            "size": 20,
            "scores": {"veiligheid": [3.5, None], "gepest": [0, 1]},
        }
    )
    for construct in ("veiligheid", "gepest"):
        np.testing.assert_array_equal(rows.scores[construct], cols.scores[construct])


def test_wave_from_dict_with_previous():
    wave = wave_from_dict(
        {
            "school": "De Regenboog",
            "school_year": "2026-2027",
            "wave": "najaar",
            "groups": [{"name": "Groep 6", "grades": [6], "size": 25, "previous_group": "Groep 5"}],
            "previous": {
                "school": "De Regenboog",
                "school_year": "2025-2026",
                "wave": "najaar",
                "groups": [{"name": "Groep 5", "grades": [5], "size": 24}],
            },
        }
    )
    assert wave.previous.group("Groep 5").size == 24
    assert wave.group("Groep 6").previous_group == "Groep 5"
    with pytest.raises(KeyError):
        wave.group("Groep 9")
    with pytest.raises(ValueError, match="unknown wave fields"):
        wave_from_dict({"school": "x", "year": "2026"})

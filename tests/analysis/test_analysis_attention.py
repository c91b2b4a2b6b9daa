"""Tests for analysis.attention and analysis.policy: rules, sentences, JSON shape, k."""

import json

import numpy as np
import pytest

from analysis.attention import attention_list
from analysis.comparisons import compare_means_to_rest
from analysis.data import GroupData, WaveData
from analysis.policy import AttentionPolicy


def scores(values, bullied):
    n = len(values)
    return {"veiligheid": np.array(values, dtype=float), "gepest": np.array(bullied[:n], float)}


def even(mean, n, spread=0.4):
    """n safety scores with the given mean, evenly spread."""
    return list(np.linspace(mean - spread, mean + spread, n))


def group(name, grade, n, mean=3.2, bullied=0, size=None, previous=None, incidents=None):
    bully = [1.0] * bullied + [0.0] * (n - bullied)
    return GroupData(
        name,
        (grade,),
        size if size is not None else n + 1,
        previous,
        scores=scores(even(mean, n), bully) if n else {},
        incidents=incidents or {},
    )


def school(*groups, previous=None):
    return WaveData("De Regenboog", "2026-2027", "najaar", tuple(groups), previous=previous)


def entry(result, name):
    return next(g for g in result.groups if g.group == name)


def rules(result, name):
    return [f.rule for f in entry(result, name).flags]


def test_quiet_school_has_an_empty_list():
    wave = school(*(group(f"Groep {i}", i, 24) for i in range(3, 9)))
    result = attention_list(wave)
    assert result.groups == ()
    assert result.to_json_dict()["groups"] == []
    assert "Geen groepen" in result.to_text() and "No group" in result.to_text("en")
    assert len(attention_list(wave, include_all=True).groups) == 6


def test_safety_low_flag_with_figures_and_sentences():
    groups = [group(f"Groep {i}", i, 24, mean=3.3) for i in range(3, 9)]
    groups[3] = GroupData("Groep 6", (6,), 25, scores=scores(even(2.6, 24, 0.6), [0.0] * 24))
    result = attention_list(school(*groups))
    flag = entry(result, "Groep 6").flags[0]
    assert flag.rule == "safety_low"
    assert flag.value == pytest.approx(2.6)
    assert flag.reference == pytest.approx(3.3)
    assert flag.q < 0.05 and flag.effect <= -0.5
    as_json = flag.to_json_dict("nl")
    assert set(as_json) == {"rule", "text", "value", "reference", "q", "effect"}
    assert as_json["value"] == 2.6 and as_json["reference"] == 3.3
    assert "2,60" in flag.text("nl") and "3,30" in flag.text("nl")
    assert "2.60" in flag.text("en") and "rest of the school" in flag.text("en")


def test_small_difference_is_not_flagged_even_when_significant():
    # a big school, a consistent but small difference: q < 0.05 but g > -0.5
    def big(name, grade, mean):
        return GroupData(name, (grade,), 301, scores=scores(even(mean, 300, 0.9), [0.0] * 300))

    groups = [big(f"Groep {i}", i, 3.0) for i in range(4, 9)] + [big("Groep 3", 3, 2.85)]
    result = attention_list(school(*groups), include_all=True)
    assert all(g.flags == () for g in result.groups)
    row = compare_means_to_rest(school(*groups).values("veiligheid")).row("Groep 3")
    assert row.q < 0.05 and -0.5 < row.effect < 0


def test_bullying_sentence_matches_the_issue_example():
    groups = [group("Groep 6", 6, 24, bullied=5)] + [
        group(f"Groep {i}", i, 25, bullied=b) for i, b in ((3, 1), (4, 2), (5, 2), (7, 2), (8, 1))
    ]
    result = attention_list(school(*groups))
    flag = entry(result, "Groep 6").flags[0]
    assert flag.rule == "bullying_high"
    assert flag.text("nl") == (
        "In Groep 6 zeggen 5 van de 24 leerlingen (21%) dat ze 2–3 keer per maand of vaker "
        "gepest worden; in de rest van de school is dat 6%."
    )
    assert flag.text("en") == (
        "In Groep 6, 5 of the 24 pupils (21%) say they are bullied two or three times a month "
        "or more; in the rest of the school this is 6%."
    )
    assert flag.to_json_dict()["value"] == 0.208


def test_bullying_wording_for_young_groups_and_one_pupil():
    groups = [group("Groep 3", 3, 6, bullied=1)] + [group(f"Groep {i}", i, 25) for i in (5, 6)]
    flag = entry(attention_list(school(*groups)), "Groep 3").flags[0]
    assert "zegt 1 van de 6 leerlingen (17%) dat ze vaak gepest wordt" in flag.text("nl")
    assert "1 of the 6 pupils (17%) says they are bullied often" in flag.text("en")


def test_bullying_relative_arm():
    # 12% is under the absolute norm, but far above a school where nobody is bullied
    policy = AttentionPolicy(bullying_share=0.5)
    groups = [group("Groep 5", 5, 60, bullied=12)] + [
        group(f"Groep {i}", i, 60) for i in (3, 4, 6, 7, 8)
    ]
    result = attention_list(school(*groups), policy)
    assert rules(result, "Groep 5") == ["bullying_high"]


def test_cohort_decline():
    last = WaveData(
        "De Regenboog",
        "2025-2026",
        "najaar",
        tuple(group(f"Groep {i}", i, 24, mean=3.3) for i in range(3, 8)),
    )
    now = [group(f"Groep {i + 1}", i + 1, 24, mean=3.3, previous=f"Groep {i}") for i in range(3, 8)]
    now[2] = group("Groep 6", 6, 24, mean=2.9, previous="Groep 5")
    result = attention_list(school(*now, previous=last))
    assert "safety_decline" in rules(result, "Groep 6")
    flag = next(f for f in entry(result, "Groep 6").flags if f.rule == "safety_decline")
    assert flag.value == pytest.approx(2.9) and flag.reference == pytest.approx(3.3)
    assert "toen Groep 5" in flag.text("nl") and "as Groep 5" in flag.text("en")
    # a smaller drop than 0.3 points is not a flag, however certain
    now[2] = group("Groep 6", 6, 24, mean=3.05, previous="Groep 5")
    result = attention_list(school(*now, previous=last))
    assert all("safety_decline" not in rules(result, g.group) for g in result.groups)


def test_incidents_high_needs_three_incidents_and_q():
    groups = [group(f"Groep {i}", i, 24) for i in range(3, 9)]
    groups[2] = group("Groep 5", 5, 24, incidents={"pesten": 6, "vernieling": 2})
    result = attention_list(school(*groups))
    flag = entry(result, "Groep 5").flags[0]
    assert flag.rule == "incidents_high"
    assert flag.value == pytest.approx(8 / 25) and flag.reference == 0
    assert flag.to_json_dict()["effect"] is None  # rate ratio against zero is infinite
    assert "8 incidenten" in flag.text("nl") and "32 per 100 leerlingen" in flag.text("nl")
    groups[2] = group("Groep 5", 5, 24, incidents={"pesten": 2})
    assert attention_list(school(*groups)).groups == ()


def test_severe_incident_is_always_listed_without_survey_figures():
    groups = [group(f"Groep {i}", i, 24) for i in range(4, 9)]
    groups.append(group("Groep 3", 3, 3, incidents={"seksuele_intimidatie": 1}))
    groups.append(group("Groep 1/2", 1, 0, size=30, incidents={"extremisme": 2}))
    result = attention_list(school(*groups)).to_json_dict("nl")
    small = next(g for g in result["groups"] if g["group"] == "Groep 3")
    assert set(small) == {"group", "suppressed", "flags"}
    assert [f["rule"] for f in small["flags"]] == ["severe_incident"]
    assert small["flags"][0]["value"] == 1
    assert small["flags"][0]["text"] == (
        "In Groep 3 is dit schooljaar 1 incident van seksuele intimidatie geregistreerd."
    )
    toddlers = next(g for g in result["groups"] if g["group"] == "Groep 1/2")
    assert "2 incidenten van (religieus) extremisme" in toddlers["flags"][0]["text"]


def test_suppressed_groups_say_nothing_else():
    groups = [group(f"Groep {i}", i, 24) for i in range(4, 9)]
    groups.append(group("Groep 3", 3, 4, mean=1.5, bullied=4, size=25))
    result = attention_list(school(*groups))
    as_json = result.to_json_dict()
    assert {"group": "Groep 3", "suppressed": True} in as_json["groups"]
    assert "Groep 3: minder dan 5" in result.to_text()


def test_low_response_warning():
    groups = [group(f"Groep {i}", i, 24) for i in range(3, 8)]
    groups.append(group("Groep 8", 8, 12, size=25))
    result = attention_list(school(*groups)).to_json_dict("en")
    (only,) = result["groups"]
    assert only["group"] == "Groep 8" and only["n"] == 12 and only["flags"] == []
    assert only["warnings"] == [
        {
            "rule": "low_response",
            "text": "Only 12 of the 25 pupils (48%) answered the questionnaire, so this "
            "group's figures are less certain.",
        }
    ]


def test_a_pool_can_be_flagged_as_a_protected_entry():
    groups = [group(f"Groep {i}", i, 24, mean=3.4) for i in range(5, 9)]
    groups.append(group("Groep 3", 3, 3, mean=2.4))
    groups.append(GroupData("Groep 4", (4,), 11, scores=scores(even(2.5, 10, 0.3), [0.0] * 10)))
    result = attention_list(school(*groups)).to_json_dict()
    pool = next(g for g in result["groups"] if g.get("protected"))
    assert pool["group"] == "Groep 3 + Groep 4"
    assert pool["members"] == ["Groep 3", "Groep 4"] and pool["n"] == 13
    assert [f["rule"] for f in pool["flags"]] == ["safety_low"]
    assert {"group": "Groep 3", "suppressed": True} in result["groups"]
    # Groep 4 is not compared on its own: it has no entry with a safety figure
    assert not any(g["group"] == "Groep 4" for g in result["groups"])


def test_json_is_serialisable_and_matches_design_keys():
    groups = [group(f"Groep {i}", i, 24) for i in range(3, 8)]
    groups.append(group("Groep 8", 8, 24, mean=2.2, bullied=9, incidents={"pesten": 9}))
    result = attention_list(school(*groups))
    as_json = json.loads(json.dumps(result.to_json_dict("nl")))
    assert list(as_json) == ["school", "school_year", "wave", "k", "groups"]
    assert as_json["k"] == 5
    (g8,) = as_json["groups"]
    assert list(g8) == ["group", "n", "flags", "warnings"]
    assert [f["rule"] for f in g8["flags"]] == ["safety_low", "bullying_high", "incidents_high"]
    with pytest.raises(ValueError, match="lang"):
        result.to_json_dict("de")


def test_k_is_a_parameter_and_cannot_go_below_five():
    groups = [group(f"Groep {i}", i, 24) for i in range(3, 8)]
    groups.append(group("Groep 8", 8, 7, mean=2.0, bullied=4))
    assert attention_list(school(*groups)).groups[0].group == "Groep 8"
    strict = attention_list(school(*groups), AttentionPolicy(k=8)).to_json_dict()
    assert strict["k"] == 8
    assert {"group": "Groep 8", "suppressed": True} in strict["groups"]
    # with k = 8 the seven pupils of Groep 8 are only described together with Groep 7
    pool = next(g for g in strict["groups"] if g.get("protected"))
    assert pool["members"] == ["Groep 7", "Groep 8"]
    with pytest.raises(ValueError, match="at least 5"):
        AttentionPolicy(k=4)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"safety_low_q": 0},
        {"safety_low_max_g": 0.2},
        {"bullying_share": 1.5},
        {"decline_min_drop": -0.1},
        {"incidents_min_count": 0},
        {"severe_categories": ("brand",)},
        {"low_response_below": 2},
        {"confidence": 1},
    ],
)
def test_policy_rejects_nonsense(kwargs):
    with pytest.raises(ValueError):
        AttentionPolicy(**kwargs)

"""The shipped questionnaires follow INSTRUMENTS.md: constructs, counts, scales, child language."""

from __future__ import annotations

import re

import pytest

import instruments
from instruments import Instrument, check_files, default_directory, word_count

SAFETY = ("veiligheid-5-8", "veiligheid-3-4")
TEACHER = ("leraar-5-8", "leraar-3-4")

# Pinned content hashes of the shipped files. Stored answers refer to these exact wordings: if
# this test fails, do not update the hash of an existing version; copy the file to a new version
# (and give changed items new keys), then add its hash here.
SHIPPED_HASHES = {
    ("leraar-3-4", 1): "7fc071e41ab0f0e6ccfd719cb02733cf8d1da46dbf92b9a3223ad8a6b099f8b9",
    ("leraar-5-8", 1): "9bc357d42e0676f169519b1b9e66ee8a40ce865ed852e1e3cb6a670a38b6ff44",
    ("veiligheid-3-4", 1): "9cadf321669f75bfdbdeb34625f1a2521c673da0c18998135357478b8eeb38e7",
    ("veiligheid-5-8", 1): "f6ccffa19b456cbdfdd8b0ff6c8887a44b4f474c3ae6e1eddf1e0fa97730b53f",
}

# construct -> (kind, items for groep 5-8, items for groep 3-4), from INSTRUMENTS.md.
SAFETY_CONSTRUCTS = {
    "veiligheid": ("mean", 5, 3),
    "welbevinden": ("mean", 4, 2),
    "gepest": ("any_at_least", 7, 3),
    "hulp": ("mean", 3, 2),
}
TEACHER_CONSTRUCTS = (
    "leraar_zorg",
    "leraar_uitleg",
    "leraar_orde",
    "leraar_uitdaging",
    "leraar_luisteren",
)

# Negations young children misread; none may appear in a groep 3-4 item.
NEGATIONS = {"niet", "geen", "nooit", "niemand", "niets", "nergens", "not", "never", "no"}


def shipped() -> list[Instrument]:
    return list(instruments.registry())


def is_young(instrument: Instrument) -> bool:
    return max(instrument.grades) <= 4


def test_shipped_set_has_no_problems() -> None:
    assert check_files(default_directory()) == []
    assert sorted(instruments.registry().instruments) == sorted(SHIPPED_HASHES)


@pytest.mark.parametrize("key", sorted(SHIPPED_HASHES))
def test_shipped_wording_is_unchanged(key: tuple[str, int]) -> None:
    assert instruments.get(*key).content_hash == SHIPPED_HASHES[key], (
        f"{key[0]}.v{key[1]}.toml changed; answers refer to it. Make a new version instead."
    )


@pytest.mark.parametrize("id", SAFETY)
def test_safety_constructs_kinds_and_item_counts(id: str) -> None:
    instrument = instruments.latest(id)
    young = is_young(instrument)
    assert list(instrument.constructs) == list(SAFETY_CONSTRUCTS)
    for key, (kind, older, younger) in SAFETY_CONSTRUCTS.items():
        assert instrument.constructs[key].kind == kind
        assert len(instrument.items_for(key)) == (younger if young else older), key


def test_grades_of_the_starting_set() -> None:
    assert instruments.latest("veiligheid-5-8").grades == (5, 6, 7, 8)
    assert instruments.latest("leraar-5-8").grades == (5, 6, 7, 8)
    assert instruments.latest("veiligheid-3-4").grades == (3, 4)
    assert instruments.latest("leraar-3-4").grades == (3, 4)


def test_agreement_scales() -> None:
    older = instruments.latest("veiligheid-5-8").construct_scale("veiligheid")
    assert older.values == (1, 2, 3, 4)  # four options, no midpoint
    assert not older.frequency
    assert older.faces == ("sad", "unsure", "content", "happy")

    younger = instruments.latest("veiligheid-3-4").construct_scale("veiligheid")
    assert younger.values == (1, 2, 3)
    assert younger.labels == {"nl": ("Nee", "Soms", "Ja"), "en": ("No", "Sometimes", "Yes")}
    assert younger.faces == ("sad", "unsure", "happy")


def test_victimisation_scale_for_groep_5_8() -> None:
    instrument = instruments.latest("veiligheid-5-8")
    gepest = instrument.constructs["gepest"]
    scale = instrument.construct_scale("gepest")

    assert scale.frequency
    assert scale.values == (0, 1, 2, 3, 4)
    assert scale.labels["en"] == (
        "Never",
        "Once or twice",
        "2-3 times a month",
        "About once a week",
        "Several times a week",
    )
    # The threshold is the value of "2-3 times a month" (DESIGN §7).
    assert scale.label(gepest.threshold, "nl") == "2-3 keer per maand"
    assert scale.spoken_label(gepest.threshold, "nl") == "Twee of drie keer per maand"
    assert scale.faces[0] == "happy"  # "never" is the good answer


def test_victimisation_scale_for_groep_3_4() -> None:
    instrument = instruments.latest("veiligheid-3-4")
    gepest = instrument.constructs["gepest"]
    scale = instrument.construct_scale("gepest")

    assert scale.frequency
    assert scale.values == (0, 1, 2)
    assert scale.labels["nl"] == ("Nooit", "Soms", "Vaak")
    assert scale.label(gepest.threshold, "nl") == "Vaak"


@pytest.mark.parametrize("id", SAFETY)
def test_bullying_intro_explains_and_names_the_time_frame(id: str) -> None:
    intro = instruments.latest(id).constructs["gepest"].intro
    assert intro is not None
    assert "pesten" in intro["nl"].lower()
    assert "laatste" in intro["nl"] and "weken" in intro["nl"]
    assert "bullying" in intro["en"].lower()
    assert "last few weeks" in intro["en"]
    assert not re.search(r"\d", intro["nl"] + intro["en"]), "read aloud: no digits"


def test_teacher_feedback_constructs() -> None:
    older = instruments.latest("leraar-5-8")
    assert list(older.constructs) == list(TEACHER_CONSTRUCTS)
    assert all(c.kind == "mean" for c in older.constructs.values())
    assert all(len(older.items_for(key)) == 3 for key in older.constructs)
    assert 12 <= len(older.items) <= 15

    younger = instruments.latest("leraar-3-4")
    assert set(younger.constructs) <= set(TEACHER_CONSTRUCTS)
    assert all(len(younger.items_for(key)) == 2 for key in younger.constructs)
    assert len(younger.items) == 6


@pytest.mark.parametrize("id", TEACHER)
def test_teacher_items_name_the_teacher(id: str) -> None:
    instrument = instruments.latest(id)
    assert instrument.is_teacher_feedback
    for item in instrument.items:
        assert "{leraar}" in item.text["nl"] and "{leraar}" in item.text["en"], item.key
        rendered = item.render("nl", leraar="juf Sanne")
        assert "juf Sanne" in rendered or rendered.startswith("Juf Sanne"), item.key
        assert "{" not in rendered


@pytest.mark.parametrize("instrument", shipped(), ids=lambda i: i.id)
def test_items_are_short_enough(instrument: Instrument) -> None:
    limit = 8 if is_young(instrument) else 12
    for item in instrument.items:
        assert word_count(item.text["nl"]) <= limit, (item.key, item.text["nl"])


@pytest.mark.parametrize("instrument", [i for i in shipped() if is_young(i)], ids=lambda i: i.id)
def test_groep_3_4_items_have_no_reversals_or_negations(instrument: Instrument) -> None:
    for item in instrument.items:
        assert not item.reverse, item.key
        words = set(re.findall(r"[a-zë]+", item.text["nl"].lower()))
        assert not words & NEGATIONS, (item.key, item.text["nl"])


@pytest.mark.parametrize("instrument", shipped(), ids=lambda i: i.id)
def test_texts_speech_would_mangle_have_a_spoken_form(instrument: Instrument) -> None:
    mangled = re.compile(r"\d\s*-\s*\d|\bsms\b", re.IGNORECASE)
    for item in instrument.items:
        for lang in ("nl", "en"):
            if lang == "nl" and mangled.search(item.text[lang]):
                assert not mangled.search(item.spoken.get(lang, item.text[lang])), item.key
    for scale in instrument.scales.values():
        for lang, labels in scale.labels.items():
            for value, label in zip(scale.values, labels, strict=True):
                if mangled.search(label):
                    assert not mangled.search(scale.spoken_label(value, lang)), (scale.key, label)


@pytest.mark.parametrize("instrument", shipped(), ids=lambda i: i.id)
def test_items_are_complete_sentences(instrument: Instrument) -> None:
    for item in instrument.items:
        for lang, text in item.text.items():
            assert text == text.strip() and text[-1] in ".?", (item.key, lang)


def test_for_grade_picks_the_right_instruments() -> None:
    assert [i.id for i in instruments.for_grade(3)] == ["veiligheid-3-4"]
    assert [i.id for i in instruments.for_grade(7)] == ["veiligheid-5-8"]
    assert [i.id for i in instruments.for_grade(3, teacher_feedback=True)] == [
        "veiligheid-3-4",
        "leraar-3-4",
    ]
    assert [i.id for i in instruments.for_grade(7, teacher_feedback=True)] == [
        "veiligheid-5-8",
        "leraar-5-8",
    ]
    assert instruments.for_grade(1) == ()
    assert instruments.for_grade(2, teacher_feedback=True) == ()


@pytest.mark.parametrize("grade", range(3, 9))
def test_every_pupil_grade_has_one_safety_and_one_teacher_instrument(grade: int) -> None:
    found = instruments.for_grade(grade, teacher_feedback=True)
    assert [i.is_teacher_feedback for i in found] == [False, True]

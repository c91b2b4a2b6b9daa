"""The instrument loader: precise problems, content hashes, lookups and the check command."""

from __future__ import annotations

import copy
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import instruments
from instruments import InstrumentError, Registry, check_files, load_instrument

HERE = Path(__file__).resolve().parent
BROKEN = HERE / "broken"
REPO = HERE.parents[1]

# (file, item or None, exact problem). Each broken file has exactly this one problem.
BROKEN_CASES = [
    ("toml-syntax.v1.toml", None, "TOML syntax error: Unclosed array (at line 8, column 1)"),
    (
        "file-name-mismatch.v1.toml",
        None,
        "file name must be 'something-else.v1.toml' to match id 'something-else' and version 1",
    ),
    ("missing-grades.v1.toml", None, "missing required field 'grades'"),
    ("grade-out-of-range.v1.toml", None, "grades: 9 is not a groep from 1 to 8"),
    ("duplicate-grade.v1.toml", None, "grades: 6 is listed twice"),
    (
        "Bad_Id.v1.toml",
        None,
        "id 'Bad_Id' must be lowercase letters and digits, joined by dashes "
        "(like 'veiligheid-5-8')",
    ),
    ("version-zero.v0.toml", None, "version 0 must be a positive whole number"),
    (
        "unknown-top-level-key.v1.toml",
        None,
        "unknown top-level key 'titel' (did you mean 'title'?)",
    ),
    (
        "values-not-increasing.v1.toml",
        None,
        "scale 'eens4': values must be strictly increasing, got [1, 3, 2, 4]",
    ),
    ("labels-count.v1.toml", None, "scale 'eens4': labels.en has 3 labels for 4 values"),
    ("faces-count.v1.toml", None, "scale 'eens4': faces has 3 faces for 4 values"),
    (
        "unknown-face.v1.toml",
        None,
        "scale 'eens4': unknown face 'hapy' "
        "(known faces: very_sad, sad, unsure, content, happy, very_happy)",
    ),
    ("unused-scale.v1.toml", None, "scale 'vaak5' is not used by any item"),
    (
        "unknown-kind.v1.toml",
        None,
        "construct 'veiligheid': unknown kind 'average' (expected 'mean' or 'any_at_least')",
    ),
    (
        "threshold-on-mean.v1.toml",
        None,
        "construct 'veiligheid': threshold only applies to kind 'any_at_least', not 'mean'",
    ),
    (
        "threshold-missing.v1.toml",
        None,
        "construct 'gepest': kind 'any_at_least' needs a threshold",
    ),
    (
        "threshold-not-on-scale.v1.toml",
        None,
        "construct 'gepest': threshold 5 is not a value of scale 'vaak5' (0, 1, 2, 3, 4)",
    ),
    (
        "threshold-lowest.v1.toml",
        None,
        "construct 'gepest': threshold 0 is the lowest value of scale 'vaak5', "
        "so every answer would count",
    ),
    (
        "intro-missing.v1.toml",
        None,
        "construct 'gepest': items on frequency scale 'vaak5' need an intro that explains "
        "the question and names the time frame",
    ),
    (
        "too-few-items.v1.toml",
        None,
        "construct 'veiligheid' has 2 items; a mean construct needs at least 3 for groep 5-8",
    ),
    ("construct-without-items.v1.toml", None, "construct 'welbevinden' has no items"),
    (
        "teacher-mixed-with-safety.v1.toml",
        None,
        "construct 'veiligheid' cannot share an instrument with teacher feedback (leraar_...), "
        "which is asked once per teacher",
    ),
    (
        "duplicate-item-key.v1.toml",
        "veilig_klas",
        "key is used twice (items #1 and #4)",
    ),
    (
        "unknown-construct.v1.toml",
        "veilig_online",
        "unknown construct 'veiligheit' (did you mean 'veiligheid'?)",
    ),
    (
        "unknown-scale.v1.toml",
        "veilig_online",
        "unknown scale 'eens5' (did you mean 'eens4'?)",
    ),
    (
        "unknown-item-field.v1.toml",
        "veilig_online",
        "unknown field 'revers' (did you mean 'reverse'?)",
    ),
    ("missing-english.v1.toml", "veilig_online", "text has no English (en) wording"),
    ("missing-dutch.v1.toml", "veilig_online", "text has no Dutch (nl) wording"),
    ("empty-text.v1.toml", "veilig_online", "text.nl is empty"),
    (
        "mixed-scales.v1.toml",
        "veilig_online",
        "scale 'ja3' differs from scale 'eens4' used by the other items of construct 'veiligheid'",
    ),
    (
        "reverse-frequency.v1.toml",
        "gezien_helpen",
        "reverse makes no sense on frequency scale 'vaak5'",
    ),
    (
        "reverse-any-at-least.v1.toml",
        "zorgen_school",
        "reverse is not allowed in any_at_least construct 'zorgen'",
    ),
    (
        "reverse-young.v1.toml",
        "bang_plein",
        "reverse items are not allowed in an instrument for groep 3-4 "
        "(young children misread them)",
    ),
    (
        "unknown-placeholder.v1.toml",
        "veilig_online",
        "text.nl uses unknown placeholder {naam} (known: {leraar})",
    ),
    (
        "stray-brace.v1.toml",
        "veilig_online",
        "text.nl has a stray brace; a placeholder looks like {leraar}",
    ),
    (
        "leraar-in-safety.v1.toml",
        "hulp_leraar",
        "text.nl uses {leraar}, but this is not a teacher-feedback instrument "
        "(no leraar_ construct)",
    ),
    (
        "teacher-item-without-leraar.v1.toml",
        "uitleg_helpt",
        "text.en does not name the teacher; teacher-feedback items say {leraar}",
    ),
]

VALID = """\
id = "proef"
version = 1
title = { nl = "Proef", en = "Trial" }
grades = [5, 6, 7, 8]

[scales.eens4]
values = [1, 2, 3, 4]
labels.nl = ["Klopt helemaal niet", "Klopt niet zo", "Klopt wel", "Klopt helemaal"]
labels.en = ["Not true at all", "Not really true", "Mostly true", "Very true"]
faces = ["sad", "unsure", "content", "happy"]

[scales.vaak5]
values = [0, 1, 2, 3, 4]
frequency = true
labels.nl = ["Nooit", "1 of 2 keer", "2-3 keer per maand", "Elke week", "Vaker"]
labels.en = ["Never", "Once or twice", "2-3 times a month", "Every week", "More often"]
spoken.nl = ["Nooit", "Een of twee keer", "Twee of drie keer per maand", "Elke week", "Vaker"]
faces = ["happy", "content", "unsure", "sad", "very_sad"]

[constructs.veiligheid]
title = { nl = "Veiligheidsbeleving", en = "Feeling safe" }
kind = "mean"

[constructs.gepest]
title = { nl = "Gepest worden", en = "Being bullied" }
kind = "any_at_least"
threshold = 2
intro = { nl = "Denk aan de laatste weken.", en = "Think about the last few weeks." }

[[items]]
key = "veilig_klas"
construct = "veiligheid"
scale = "eens4"
text = { nl = "Ik voel me veilig in de klas.", en = "I feel safe in class." }

[[items]]
key = "veilig_plein"
construct = "veiligheid"
scale = "eens4"
text = { nl = "Ik voel me veilig op het plein.", en = "I feel safe in the playground." }

[[items]]
key = "bang_gang"
construct = "veiligheid"
scale = "eens4"
text = { nl = "In de gang ben ik soms bang.", en = "I am sometimes scared in the corridor." }
reverse = true

[[items]]
key = "gepest_slaan"
construct = "gepest"
scale = "vaak5"
text = { nl = "Kinderen sloegen mij.", en = "Children hit me." }

[[items]]
key = "gepest_online"
construct = "gepest"
scale = "vaak5"
text = { nl = "Kinderen pestten mij via sms.", en = "Children bullied me by text." }
spoken = { nl = "Kinderen pestten mij via een es em es." }
"""

TEACHER = """\
id = "juf"
version = 1
title = { nl = "Over mijn juf", en = "About my teacher" }
grades = [3, 4]

[scales.ja3]
values = [1, 2, 3]
labels = { nl = ["Nee", "Soms", "Ja"], en = ["No", "Sometimes", "Yes"] }
faces = ["sad", "unsure", "happy"]

[constructs.leraar_zorg]
title = { nl = "Zorg", en = "Care" }
kind = "mean"

[[items]]
key = "zorg_vraagt"
construct = "leraar_zorg"
scale = "ja3"
text = { nl = "{leraar} vraagt hoe het gaat.", en = "{leraar} asks how I am." }

[[items]]
key = "zorg_helpt"
construct = "leraar_zorg"
scale = "ja3"
text = { nl = "Ik krijg hulp van {leraar}.", en = "I get help from {leraar}." }
"""


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


# -- broken files ------------------------------------------------------------------------------


def test_every_broken_fixture_has_a_case() -> None:
    on_disk = {path.name for path in BROKEN.glob("*.toml")}
    assert on_disk == {case[0] for case in BROKEN_CASES}
    assert len(on_disk) >= 12


@pytest.mark.parametrize(
    ("file", "item", "problem"), BROKEN_CASES, ids=[c[0] for c in BROKEN_CASES]
)
def test_broken_file_reports_its_one_problem(file: str, item: str | None, problem: str) -> None:
    problems = check_files([BROKEN / file])

    assert len(problems) == 1, [str(p) for p in problems]
    error = problems[0]
    assert error.file == file
    assert error.item == item
    assert error.problem == problem
    where = f"item '{item}': " if item else ""
    assert str(error) == f"{file}: {where}{problem}"


@pytest.mark.parametrize("file", [c[0] for c in BROKEN_CASES])
def test_load_instrument_raises_instrument_error(file: str) -> None:
    with pytest.raises(InstrumentError) as raised:
        load_instrument(BROKEN / file)
    assert isinstance(raised.value, ValueError)
    assert raised.value.file == file


def test_all_problems_of_a_file_are_reported(tmp_path: Path) -> None:
    text = (
        VALID.replace('kind = "mean"', 'kind = "avg"')
        .replace(
            'scale = "vaak5"\ntext = { nl = "Kinderen sloegen',
            'scale = "vaak6"\ntext = { nl = "Kinderen sloegen',
        )
        .replace(', en = "I feel safe in class." }', " }")
    )
    path = write(tmp_path, "proef.v1.toml", text)

    problems = check_files([path])

    assert [str(p) for p in problems] == [
        "proef.v1.toml: construct 'veiligheid': unknown kind 'avg' "
        "(expected 'mean' or 'any_at_least')",
        "proef.v1.toml: item 'veilig_klas': text has no English (en) wording",
        "proef.v1.toml: item 'gepest_slaan': unknown scale 'vaak6' (did you mean 'vaak5'?)",
    ]
    with pytest.raises(InstrumentError) as raised:
        load_instrument(path)
    assert str(raised.value) == str(problems[0])
    assert [str(p) for p in raised.value.all_problems] == [str(p) for p in problems]


def test_directory_scan_reports_every_file(tmp_path: Path) -> None:
    problems = check_files([BROKEN])
    assert {p.file for p in problems} == {c[0] for c in BROKEN_CASES}
    assert len(problems) == len(BROKEN_CASES)


def test_missing_path_and_empty_directory_are_problems(tmp_path: Path) -> None:
    problems = check_files([tmp_path / "nope.v1.toml", tmp_path])
    assert [p.problem for p in problems] == [
        "no such file or directory",
        "directory has no *.toml files",
    ]


def test_file_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "proef.v1.toml"
    path.write_bytes(VALID.replace("Proef", "Pr\xf6ef").encode("latin-1"))
    assert [str(p) for p in check_files(path)] == ["proef.v1.toml: file is not UTF-8 text"]


# -- a valid file ------------------------------------------------------------------------------


def test_valid_file_loads_into_dataclasses(tmp_path: Path) -> None:
    instrument = load_instrument(write(tmp_path, "proef.v1.toml", VALID))

    assert instrument.key == ("proef", 1)
    assert instrument.grades == (5, 6, 7, 8)
    assert not instrument.is_teacher_feedback
    assert [i.key for i in instrument.items_for("veiligheid")] == [
        "veilig_klas",
        "veilig_plein",
        "bang_gang",
    ]
    assert instrument.item("bang_gang").reverse is True
    assert instrument.item("veilig_klas").reverse is False
    scale = instrument.scales["eens4"]
    assert (scale.min, scale.max, scale.midpoint) == (1, 4, 2.5)
    assert scale.frequency is False
    vaak5 = instrument.construct_scale("gepest")
    assert vaak5.frequency is True
    assert vaak5.label(2) == "2-3 keer per maand"
    assert vaak5.spoken_label(2) == "Twee of drie keer per maand"
    assert vaak5.spoken_label(2, "en") == "2-3 times a month"  # no English spoken: the label
    gepest = instrument.constructs["gepest"]
    assert (gepest.kind, gepest.threshold) == ("any_at_least", 2)
    assert gepest.intro_text("en") == "Think about the last few weeks."
    assert instrument.constructs["veiligheid"].threshold is None
    assert instrument.constructs["veiligheid"].intro is None
    online = instrument.item("gepest_online")
    assert online.render("nl") == "Kinderen pestten mij via sms."
    assert online.render("nl", spoken=True) == "Kinderen pestten mij via een es em es."
    assert online.render("en", spoken=True) == "Children bullied me by text."
    assert instrument.path == tmp_path / "proef.v1.toml"
    assert repr(instrument) == "<Instrument proef v1 (5 items)>"
    assert hash(instrument) == hash(load_instrument(tmp_path / "proef.v1.toml"))


def test_unknown_item_and_construct_lookups(tmp_path: Path) -> None:
    instrument = load_instrument(write(tmp_path, "proef.v1.toml", VALID))
    with pytest.raises(KeyError, match="no item 'nope'"):
        instrument.item("nope")
    with pytest.raises(KeyError, match="no construct 'nope'"):
        instrument.items_for("nope")


def test_teacher_feedback_items_fill_in_the_teacher(tmp_path: Path) -> None:
    instrument = load_instrument(write(tmp_path, "juf.v1.toml", TEACHER))

    assert instrument.is_teacher_feedback
    first, second = instrument.items
    assert first.render("nl", leraar="juf Sanne") == "Juf Sanne vraagt hoe het gaat."
    assert second.render("nl", leraar="juf Sanne") == "Ik krijg hulp van juf Sanne."
    assert second.render("en", leraar="meester Ahmed") == "I get help from meester Ahmed."
    # A name is text, never a format string.
    assert first.render("en", leraar="{0.__class__}") == "{0.__class__} asks how I am."
    with pytest.raises(ValueError, match="display name"):
        first.render("nl")
    with pytest.raises(ValueError, match="unknown language 'de'"):
        first.render("de", leraar="juf Sanne")


def test_mean_construct_may_have_two_items_when_only_for_groep_3_4(tmp_path: Path) -> None:
    assert check_files(write(tmp_path, "juf.v1.toml", TEACHER)) == []
    wider = TEACHER.replace("grades = [3, 4]", "grades = [3, 4, 5]")
    problems = check_files(write(tmp_path, "juf.v1.toml", wider))
    assert [p.problem for p in problems] == [
        "construct 'leraar_zorg' has 2 items; a mean construct needs at least 3 for groep 5-8"
    ]


# -- answers -----------------------------------------------------------------------------------


def test_validate_value_accepts_scale_values(tmp_path: Path) -> None:
    instrument = load_instrument(write(tmp_path, "proef.v1.toml", VALID))
    assert instrument.validate_value("veilig_klas", 4) == 4
    assert instrument.validate_value("veilig_klas", " 1 ") == 1
    assert instrument.validate_value("gepest_slaan", 0) == 0


@pytest.mark.parametrize(
    ("item", "value", "message"),
    [
        (
            "veilig_klas",
            5,
            "item 'veilig_klas': answer 5 is not on scale 'eens4' (allowed: 1, 2, 3, 4)",
        ),
        ("veilig_klas", 0, "answer 0 is not on scale 'eens4'"),
        ("veilig_klas", "3.0", "answer '3.0' is not a whole number (allowed: 1, 2, 3, 4)"),
        ("veilig_klas", True, "answer True is not a whole number"),
        ("veilig_klas", None, "answer None is not a whole number"),
        ("gepest_slaan", -1, "answer -1 is not on scale 'vaak5' (allowed: 0, 1, 2, 3, 4)"),
        ("nope", 1, "instrument 'proef' v1 has no item 'nope'"),
    ],
)
def test_validate_value_rejects_bad_answers(
    tmp_path: Path, item: str, value: object, message: str
) -> None:
    instrument = load_instrument(write(tmp_path, "proef.v1.toml", VALID))
    with pytest.raises(ValueError) as raised:
        instrument.validate_value(item, value)
    assert message in str(raised.value)


# -- content hash ------------------------------------------------------------------------------


def test_content_hash_ignores_layout_and_comments(tmp_path: Path) -> None:
    original = load_instrument(write(tmp_path, "proef.v1.toml", VALID)).content_hash
    reformatted = "# a comment at the top\n" + VALID.replace(
        "version = 1", "version   =   1   # trailing comment"
    ).replace("\n\n", "\n\n\n").replace(
        'title = { nl = "Proef", en = "Trial" }',
        'title.en = "Trial"\ntitle.nl = "Proef"',
    )
    other = tmp_path / "other"
    other.mkdir()
    again = load_instrument(write(other, "proef.v1.toml", reformatted)).content_hash

    assert len(original) == 64
    assert again == original


def test_content_hash_changes_with_any_wording(tmp_path: Path) -> None:
    original = load_instrument(write(tmp_path, "proef.v1.toml", VALID)).content_hash
    for old, new in [
        ("Ik voel me veilig in de klas.", "Ik voel me veilig in mijn klas."),
        ("I feel safe in class.", "I feel safe in my class."),
        ("Twee of drie keer", "Twee tot drie keer"),
        ("threshold = 2", "threshold = 3"),
    ]:
        changed = load_instrument(write(tmp_path, "proef.v1.toml", VALID.replace(old, new)))
        assert changed.content_hash != original, (old, new)


# -- between files -----------------------------------------------------------------------------


def test_item_key_cannot_change_wording_in_a_later_version(tmp_path: Path) -> None:
    write(tmp_path, "proef.v1.toml", VALID)
    v2 = VALID.replace("version = 1", "version = 2").replace(
        "Ik voel me veilig in de klas.", "In de klas voel ik me veilig."
    )
    write(tmp_path, "proef.v2.toml", v2)

    assert [str(p) for p in check_files(tmp_path)] == [
        "proef.v2.toml: item 'veilig_klas': key was used with other wording in version 1; "
        "an item whose wording changes needs a new key"
    ]


def test_same_version_in_two_directories(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    write(tmp_path / "a", "proef.v1.toml", VALID)
    write(tmp_path / "b", "proef.v1.toml", VALID)

    problems = check_files([tmp_path / "a", tmp_path / "b"])

    assert len(problems) == 1
    assert problems[0].problem.startswith("instrument 'proef' version 1 is also defined in ")


def test_a_file_named_twice_is_checked_once(tmp_path: Path) -> None:
    path = write(tmp_path, "proef.v1.toml", VALID)
    assert check_files([path, tmp_path]) == []
    assert instruments.cli_check([path, tmp_path]) == (True, ["1 file, 0 problems"])


def test_load_directory_refuses_a_half_valid_set(tmp_path: Path) -> None:
    write(tmp_path, "proef.v1.toml", VALID)
    write(tmp_path, "juf.v1.toml", TEACHER.replace('kind = "mean"', 'kind = "gemiddeld"'))
    with pytest.raises(InstrumentError, match=r"juf\.v1\.toml: construct 'leraar_zorg'"):
        instruments.load_directory(tmp_path)


# -- registry ----------------------------------------------------------------------------------


def test_registry_latest_and_for_grade(tmp_path: Path) -> None:
    write(tmp_path, "proef.v1.toml", VALID)
    v2 = VALID.replace("version = 1", "version = 2").replace("[5, 6, 7, 8]", "[6, 7, 8]")
    write(tmp_path, "proef.v2.toml", v2)
    write(tmp_path, "juf.v1.toml", TEACHER)
    registry = Registry.from_directory(tmp_path)

    assert len(registry) == 3
    assert registry.ids() == ["juf", "proef"]
    assert registry.versions("proef") == [1, 2]
    assert registry.latest("proef").version == 2
    assert registry.get("proef", 1).grades == (5, 6, 7, 8)
    assert [i.key for i in registry.for_grade(7)] == [("proef", 2)]
    # The latest version no longer serves groep 5: no silent fallback to version 1.
    assert registry.for_grade(5) == ()
    assert [i.key for i in registry.for_grade(3)] == []
    assert [i.key for i in registry.for_grade(3, teacher_feedback=True)] == [("juf", 1)]
    with pytest.raises(KeyError, match="unknown instrument 'proef' version 3"):
        registry.get("proef", 3)
    with pytest.raises(KeyError, match="unknown instrument 'nope'"):
        registry.latest("nope")
    for bad in (0, 9, True, "5"):
        with pytest.raises(ValueError, match="grade must be a groep from 1 to 8"):
            registry.for_grade(bad)  # type: ignore[arg-type]


# -- command line ------------------------------------------------------------------------------


def test_cli_check_shipped_set_is_clean() -> None:
    ok, lines = instruments.cli_check([])
    assert ok
    assert lines == ["4 files, 0 problems"]


def test_cli_check_lists_problems_and_summary() -> None:
    ok, lines = instruments.cli_check(
        [BROKEN / "unknown-scale.v1.toml", BROKEN / "missing-grades.v1.toml"]
    )
    assert not ok
    assert lines == [
        "unknown-scale.v1.toml: item 'veilig_online': "
        "unknown scale 'eens5' (did you mean 'eens4'?)",
        "missing-grades.v1.toml: missing required field 'grades'",
        "2 files, 2 problems",
    ]


def test_python_dash_m_instruments_check() -> None:
    good = subprocess.run(
        [sys.executable, "-m", "instruments", "check"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert good.returncode == 0, good.stderr
    assert good.stdout.strip() == "4 files, 0 problems"

    bad = subprocess.run(
        [sys.executable, "-m", "instruments", "check", str(BROKEN / "empty-text.v1.toml")],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 1
    assert bad.stdout.strip() == "1 file, 1 problem"
    assert bad.stderr.strip() == "empty-text.v1.toml: item 'veilig_online': text.nl is empty"


def test_package_imports_no_web_or_database_code() -> None:
    code = (
        "import sys, instruments; instruments.registry();"
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'flask', 'sqlalchemy', 'surveys', 'analysis', 'numpy', 'scipy'}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


# -- robustness --------------------------------------------------------------------------------

WRONG_VALUES = [True, -1, "x", "", [], {}, [1], {"nl": 1}, "DELETE"]


def _paths(obj: object, prefix: tuple = ()) -> list[tuple]:
    found = [prefix] if prefix else []
    if isinstance(obj, dict):
        for key, value in obj.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(obj, list):
        for index, value in enumerate(obj):
            found += _paths(value, (*prefix, index))
    return found


def test_any_wrong_value_anywhere_is_a_problem_never_a_crash() -> None:
    shipped = instruments.latest("leraar-3-4")
    assert shipped.path is not None
    data = tomllib.loads(shipped.path.read_text(encoding="utf-8"))
    for path in _paths(data):
        for wrong in WRONG_VALUES:
            mutated = copy.deepcopy(data)
            target = mutated
            for step in path[:-1]:
                target = target[step]
            if wrong == "DELETE":
                del target[path[-1]]
            else:
                target[path[-1]] = copy.deepcopy(wrong)
            instrument, problems = instruments.check_data(mutated, shipped.path)
            assert (instrument is None) == bool(problems), (path, wrong)

"""Out-of-range and non-integer answers, grades and card codes: the pupil stays on the screen
with a 422 and a line that says what to pick, the token handed back has not changed, and what
is finally stored holds only values of the answer scale.
"""

from __future__ import annotations

import json
import re

from flask import Flask
from hypothesis import assume, given
from hypothesis import strategies as st
from sqlalchemy import select

from surveys.blueprints import pupil as bp
from surveys.extensions import db
from surveys.models import Answer, OneTimeCode
from surveys.pupil_texts import text
from tests.abuse.common import ABUSE, World, assert_clear, nothing_stored

#: The first question of groep 5-8 ("Ik voel me veilig in de klas.") takes 1 to 4; the
#: combination group is groep 3 and 4.
VALID = re.compile(r"0*[1-4]")
GRADES = re.compile(r"0*[34]")

not_a_scale_value = st.one_of(
    st.integers().filter(lambda v: v not in (1, 2, 3, 4)).map(str),
    st.text(st.characters(codec="utf-8"), max_size=12),
    st.sampled_from(["٣", "３", "𝟑", " 3", "3 ", "+3", "3.0", "1e0", "0x3", "-0", "III", "",
                     "9" * 5000, "2,5", "½", "Infinity", "NaN", "None", "true"]),
).filter(lambda v: not VALID.fullmatch(v))


def state_of(app: Flask, page: str) -> dict[str, object]:
    token = re.search(r'name="t" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    with app.app_context():
        return json.loads(bp._fernet().decrypt(token.encode()))


@ABUSE
@given(value=not_a_scale_value, do=st.sampled_from(["next", "next", "skip"]),
       lang=st.sampled_from(["nl", "en"]))
def test_an_answer_off_the_scale_keeps_the_pupil_on_the_question(app: Flask, world: World,
                                                                 value: str, do: str,
                                                                 lang: str) -> None:
    token = world.seal(phase="s", answers="none", at_end=False, lang=lang)
    with nothing_stored(app):
        response = app.test_client().post("/k/step", data={"t": token, "do": do,
                                                           "answer": value})
    if do == "skip":  # "I'd rather not say" ignores whatever else was posted
        assert response.status_code == 200
        assert state_of(app, response.text)["a"] == {"0": bp.SKIPPED}
        return
    assert_clear(response, lang, status=422)
    assert text("pick_an_answer", lang).replace("'", "&#39;") in response.text
    assert text("skip", lang).replace("'", "&#39;") in response.text  # the same question
    state = state_of(app, response.text)
    assert state["a"] == {} and state["i"] == 0
    assert ' checked' not in response.text


@ABUSE
@given(grade=st.one_of(st.integers().map(str), st.text(max_size=6),
                       st.sampled_from(["٣", " 3", "3.0", "+4", ""])).filter(
                           lambda g: not GRADES.fullmatch(g)),
       lang=st.sampled_from(["nl", "en"]))
def test_a_grade_not_of_the_group_keeps_the_pupil_on_the_grade_screen(app: Flask, world: World,
                                                                      grade: str,
                                                                      lang: str) -> None:
    with app.app_context():
        from surveys.models import ClassSession

        combi = db.session.scalars(select(ClassSession.id).where(
            ClassSession.code == world.combi_code)).one()
    token = world.seal(combi, phase="g", lang=lang)
    with nothing_stored(app):
        response = app.test_client().post("/k/step", data={"t": token, "grade": grade})
    assert_clear(response, lang, status=422)
    assert text("pick_a_grade", lang) in response.text
    assert 'class="screen screen-grade' in response.text


@ABUSE
@given(index=st.integers(0, 18), value=st.one_of(st.integers(5, 2**62),
                                                 st.integers(-2**62, -2)),
       fetch=st.booleans())
def test_a_sealed_answer_off_the_scale_is_never_stored(app: Flask, world: World, index: int,
                                                       value: int, fetch: bool) -> None:
    """Defence in depth behind the screens: a finished questionnaire whose sealed answers hold a
    value no scale has (a token of an older version, a bug) is refused whole."""
    with app.app_context():
        state = json.loads(bp._fernet().decrypt(world.tokens["done"].encode()))
        state["a"][str(index)] = value
        state["n"] = f"sealed-off-scale-{index}-{value}"
        tampered = bp.dump(state)
    headers = {"X-Klasklimaat": "fetch"} if fetch else {}
    with nothing_stored(app):
        response = app.test_client().post("/k/send", data={"t": tampered}, headers=headers)
    assert_clear(response, status=422)


def test_what_is_stored_holds_only_scale_values(app: Flask, world: World) -> None:
    """After every kind of bad answer on the way, the finished questionnaire stores the good
    ones only."""
    client = app.test_client()
    token = world.seal(phase="s", answers="none", at_end=False)
    page = ""
    for bad in ("9", "abc", "٣", "-5", "2.0"):
        page = client.post("/k/step", data={"t": token, "answer": bad}).text
        token = re.search(r'name="t" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    while 'class="screen screen-done' not in page:
        values = re.findall(r'name="answer" value="(-?\d+)"', page)
        form = {"t": token, "do": "next"}
        if values:
            form["answer"] = values[0]
        response = client.post("/k/step", data=form)
        assert response.status_code == 200
        page = response.text
        token = re.search(r'name="t" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    assert client.post("/k/send", data={"t": token}).status_code == 303
    with app.app_context():
        values = db.session.scalars(select(Answer.value)).all()
        assert len(values) == world.plan_length()
        assert set(values) <= {0, 1}  # the first option of each scale: 1, or 0 for "never"


@ABUSE
@given(code=st.one_of(st.text(st.characters(codec="utf-8"), max_size=20),
                      st.text(st.sampled_from("ACEFHKMNPRTWXY3479-"), min_size=8,
                              max_size=9)),
       key=st.sampled_from(["go", "go", "del", "A", "zz", "", "GO", "\x00"]))
def test_card_codes_that_are_wrong_use_no_card(app: Flask, world: World, code: str,
                                               key: str) -> None:
    assume(not any(card in code.replace("-", "") for card in world.cards))
    with nothing_stored(app):
        response = app.test_client().post("/k/step", data={"t": world.tokens["card"],
                                                           "code": code, "key": key})
    if key in ("del", "A"):  # typing on the card keypad
        assert response.status_code == 200
        return
    assert_clear(response)
    with app.app_context():
        assert not db.session.scalars(select(OneTimeCode).where(OneTimeCode.used)).all()

"""submit_response: the one way answers get in."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from flask import Flask
from sqlalchemy import func, select

import instruments
from surveys.database import begin_write
from surveys.extensions import db
from surveys.models import Answer, ConstructScore, InstrumentVersion, Response, SubmissionReceipt
from surveys.services.responses import AnswerIn, SubmissionError, submit_response
from tests.foundation import factories as f


def count(model) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def setup(ctx: Flask):  # type: ignore[no-untyped-def]
    school = f.school()
    teacher_a = f.user(school, email="a@example.org", name="juf Sanne")
    teacher_b = f.user(school, email="b@example.org", name="meester Ahmed")
    g7 = f.group(school, "Groep 7", (7,), teachers=[teacher_a])
    g34 = f.group(school, "Groep 3/4", (3, 4), teachers=[teacher_a, teacher_b])
    wave = f.wave(school)
    db.session.commit()
    return {"school": school, "g7": g7, "g34": g34, "wave": wave, "a": teacher_a, "b": teacher_b}


def test_stores_answers_and_scores_in_one_go(setup) -> None:  # type: ignore[no-untyped-def]
    answers = f.full_answers(7)
    response = submit_response(
        wave=setup["wave"],
        group=setup["g7"],
        grade=7,
        answers=answers,
        submitted_on=dt.date(2026, 10, 12),
    )
    db.session.commit()
    assert response is not None
    assert count(Answer) == len(answers)
    scores = {s.construct: s for s in db.session.scalars(select(ConstructScore))}
    safety = instruments.latest("veiligheid-5-8")
    teacher = instruments.latest("leraar-5-8")
    assert set(scores) == set(safety.constructs) | set(teacher.constructs)
    assert scores["veiligheid"].value == 4.0 and scores["veiligheid"].common == 4.0
    assert scores["gepest"].value == 0.0  # every frequency item at "never"
    assert scores["leraar_zorg"].teacher_id == setup["a"].id
    stored = db.session.get(Response, response.id)
    assert stored.submitted_on == dt.date(2026, 10, 12)
    versions = db.session.scalars(select(InstrumentVersion)).all()
    assert {(v.instrument_id, v.content_hash) for v in versions} == {
        (safety.id, safety.content_hash),
        (teacher.id, teacher.content_hash),
    }


def test_scores_follow_the_two_thirds_rule_and_the_bullying_cut_off(setup) -> None:  # type: ignore[no-untyped-def]
    inst = instruments.latest("veiligheid-5-8")
    safety_items = inst.items_for("veiligheid")  # five items
    answers = [AnswerIn(inst.id, inst.version, it.key, 2) for it in safety_items[:3]]
    answers += [AnswerIn(inst.id, inst.version, it.key, None) for it in safety_items[3:]]
    bully = inst.items_for("gepest")
    answers += [AnswerIn(inst.id, inst.version, bully[0].key, 2)]  # "2-3 times a month"
    submit_response(wave=setup["wave"], group=setup["g7"], grade=7, answers=answers)
    scores = {s.construct: s for s in db.session.scalars(select(ConstructScore))}
    assert scores["veiligheid"].value is None  # 3 of 5 answered < two thirds
    assert scores["veiligheid"].n_answered == 3 and scores["veiligheid"].n_items == 5
    assert scores["gepest"].value == 1.0  # one item at the cut-off is enough
    skipped = db.session.scalars(select(Answer).where(Answer.value.is_(None))).all()
    assert len(skipped) == 2  # "I'd rather not say" is kept as a skipped answer


def test_groep_3_answers_are_put_on_the_common_metric(setup) -> None:  # type: ignore[no-untyped-def]
    submit_response(
        wave=setup["wave"], group=setup["g34"], grade=3, answers=f.full_answers(3, parts=2)
    )
    scores = db.session.scalars(
        select(ConstructScore).where(ConstructScore.construct == "veiligheid")
    ).all()
    assert [(s.value, s.common) for s in scores] == [(3.0, 4.0)]
    teacher_parts = db.session.scalars(
        select(ConstructScore)
        .where(ConstructScore.construct == "leraar_zorg")
        .order_by(ConstructScore.part)
    ).all()
    assert [s.teacher_id for s in teacher_parts] == [setup["a"].id, setup["b"].id]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda a: [*a, AnswerIn("veiligheid-5-8", 1, "bestaat_niet", 1)], "has no item"),
        (
            lambda a: [AnswerIn(a[0].instrument_id, 1, a[0].item_key, 9), *a[1:]],
            "not one of the answer values",
        ),
        (
            lambda a: [AnswerIn(a[0].instrument_id, 1, a[0].item_key, True), *a[1:]],
            "not one of the answer values",
        ),
        (lambda a: [*a, a[0]], "answered twice"),
        (lambda a: [AnswerIn("veiligheid-3-4", 1, "veilig_klas", 2)], "not for groep 7"),
        (lambda a: [AnswerIn("geheim", 1, "x", 1)], "unknown instrument"),
        (lambda a: [AnswerIn("veiligheid-5-8", 1, "veilig_klas", 2, part=1)], "part must be 0"),
        (
            lambda a: [AnswerIn("leraar-5-8", 1, "orde_eerlijk", 2, part=3)],
            "does not name a teacher",
        ),
        (lambda a: [], "at least one answer"),
    ],
)
def test_bad_answers_are_refused_and_nothing_is_stored(setup, change, message) -> None:  # type: ignore[no-untyped-def]
    answers = change(f.full_answers(7))
    with pytest.raises(SubmissionError, match=message):
        submit_response(wave=setup["wave"], group=setup["g7"], grade=7, answers=answers)
    db.session.rollback()
    assert (count(Response), count(Answer), count(ConstructScore)) == (0, 0, 0)


def test_a_grade_outside_the_group_is_refused(setup) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SubmissionError, match="not a grade of Groep 7"):
        submit_response(wave=setup["wave"], group=setup["g7"], grade=6, answers=f.full_answers(6))


def test_the_wave_decides_which_instruments_a_grade_gets(ctx: Flask) -> None:
    school = f.school()
    g = f.group(school, "Groep 5", (5,))
    wave = f.wave(school, assign=False)
    from surveys.models import WaveInstrument

    wave.instruments.append(WaveInstrument(grade=5, instrument_id="veiligheid-5-8", version=1))
    db.session.flush()
    with pytest.raises(SubmissionError, match="does not use leraar-5-8"):
        submit_response(wave=wave, group=g, grade=5, answers=f.full_answers(5))


def test_a_changed_instrument_file_without_a_new_version_is_refused(setup) -> None:  # type: ignore[no-untyped-def]
    inst = instruments.latest("veiligheid-5-8")
    db.session.add(
        InstrumentVersion(instrument_id=inst.id, version=inst.version, content_hash="0" * 64)
    )
    db.session.commit()
    with pytest.raises(SubmissionError, match="has changed"):
        submit_response(wave=setup["wave"], group=setup["g7"], grade=7, answers=f.full_answers(7))


def test_a_retried_submission_is_stored_once(setup) -> None:  # type: ignore[no-untyped-def]
    first = submit_response(
        wave=setup["wave"],
        group=setup["g7"],
        grade=7,
        answers=f.full_answers(7),
        submission_id="tablet-abc-123",
    )
    db.session.commit()
    again = submit_response(
        wave=setup["wave"],
        group=setup["g7"],
        grade=7,
        answers=f.full_answers(7),
        submission_id="tablet-abc-123",
    )
    db.session.commit()
    assert first is not None and again is None
    assert count(Response) == 1
    receipt = db.session.scalars(select(SubmissionReceipt)).one()
    assert "tablet-abc-123" not in receipt.digest and len(receipt.digest) == 64


def test_simultaneous_retries_store_exactly_one_response(app: Flask) -> None:
    with app.app_context():
        school = f.school()
        g = f.group(school, "Groep 7", (7,), teachers=[f.user(school)])
        wave = f.wave(school)
        db.session.commit()
        group_id, wave_id = g.id, wave.id
    results: list[object] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(6)

    def tap() -> None:
        try:
            with app.app_context():
                from surveys.models import Group, SurveyWave

                g = db.session.get(Group, group_id)
                w = db.session.get(SurveyWave, wave_id)
                answers = f.full_answers(7)
                barrier.wait(timeout=10)
                begin_write()
                results.append(
                    submit_response(
                        wave=w, group=g, grade=7, answers=answers, submission_id="same-tablet-retry"
                    )
                )
                db.session.commit()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=tap) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert sum(r is not None for r in results) == 1
    with app.app_context():
        assert count(Response) == 1


def test_response_ids_do_not_follow_the_order_of_submission(setup) -> None:  # type: ignore[no-untyped-def]
    """P2: sorting by id gives no clue to who submitted first (Kendall's tau near zero)."""
    from scipy.stats import kendalltau

    ids = []
    for _ in range(120):
        r = submit_response(
            wave=setup["wave"], group=setup["g7"], grade=7, answers=f.full_answers(7)[:5]
        )
        ids.append(r.id)
    db.session.commit()
    stored = db.session.scalars(select(Response.id).order_by(Response.id)).all()
    positions = [ids.index(i) for i in stored]
    tau = kendalltau(range(len(positions)), positions).statistic
    assert abs(tau) < 0.25  # sd of tau under independence is about 0.06 here

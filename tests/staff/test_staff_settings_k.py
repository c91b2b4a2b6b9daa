"""P7 through the school settings: lowering the school's k never weakens an answered wave."""

from __future__ import annotations

from flask import Flask

from surveys.extensions import db
from surveys.services.analysis_data import effective_k
from surveys.services.settings import SettingsIn, update_settings
from tests.foundation import factories as f


def settings(school, k: int) -> SettingsIn:  # type: ignore[no-untyped-def]
    return SettingsIn(name=school.name, vertrouwenspersoon_name="", vertrouwenspersoon_contact="",
                      k=k, retention_years=5, director_sees_teacher_feedback=False)


def test_lowering_the_school_k_keeps_answered_waves_at_the_old_k(ctx: Flask) -> None:
    from surveys.services.responses import submit_response

    school = f.school()
    director = f.user(school, role="director", email="d@example.org")
    group = f.group(school, "Groep 7", (7,), teachers=[f.user(school)])
    answered = f.wave(school, name="Najaar")
    empty = f.wave(school, name="Voorjaar")
    submit_response(wave=answered, group=group, grade=7, answers=f.full_answers(7))
    update_settings(director, school, settings(school, 8), may_grant_feedback=False)
    db.session.commit()
    assert effective_k(school, answered) == 8

    update_settings(director, school, settings(school, 5), may_grant_feedback=False)
    db.session.commit()
    assert school.settings.k == 5
    assert effective_k(school, answered) == 8  # analysed with 8, stays at 8
    assert effective_k(school, empty) == 5  # a wave without answers follows the school

"""A combination group with one pupil of a grade: that child's answers never come back out.

The safety questionnaire for groep 3-4 is answered by Groep 3 (8 pupils), Groep 4 (8) and the
single groep-4 pupil of Groep 4/5. The school-level answer shares of that questionnaire include
the single child; if the group pages of Groep 3 and Groep 4 showed theirs on their own, the
difference would be that one child's answers (P4). Found in review; this test keeps it fixed.
"""

from __future__ import annotations

import io
import re
import zipfile

from flask import Flask

import instruments
from surveys.extensions import db
from surveys.services.responses import AnswerIn, submit_response
from tests.foundation import factories as f

ITEM = "Kinderen slaan, schoppen of duwen mij."


def answers(grade: int, bullied: bool) -> list[AnswerIn]:
    out = []
    for inst in instruments.for_grade(grade, teacher_feedback=False):
        for item in inst.items:
            scale = inst.scales[item.scale]
            if item.construct == "gepest":
                value = scale.max if bullied else scale.min
            else:
                value = scale.min if bullied else scale.max
            out.append(AnswerIn(inst.id, inst.version, item.key, value, 0))
    return out


def build(app: Flask) -> dict[str, int]:
    with app.app_context():
        school = f.school()
        f.user(school, role="director", email="dir@example.org")
        groups = {
            "Groep 3": (f.group(school, "Groep 3", (3,), 20), 3),
            "Groep 4": (f.group(school, "Groep 4", (4,), 20), 4),
            "Groep 4/5": (f.group(school, "Groep 4/5", (4, 5), 20), 5),
            "Groep 6": (f.group(school, "Groep 6", (6,), 20), 6),
        }
        wave = f.wave(school)
        for group, grade in groups.values():
            for _ in range(8):
                submit_response(wave=wave, group=group, grade=grade, answers=answers(grade, False))
        # The one groep-4 pupil of Groep 4/5 is bullied badly.
        submit_response(wave=wave, group=groups["Groep 4/5"][0], grade=4,
                        answers=answers(4, True))
        db.session.commit()
        return {"school": school.id, **{name: g.id for name, (g, _) in groups.items()}}


def shown_shares(page: str) -> list[str]:
    text = re.sub(r"<[^>]+>", " ", page)
    text = re.sub(r"\s+", " ", text)
    return re.findall(re.escape(ITEM) + r"([^A-Za-z]*)", text)


def test_group_pages_and_school_figures_never_give_back_one_childs_answers(app: Flask) -> None:
    ids = build(app)
    client = app.test_client()
    client.post("/login", data={"email": "dir@example.org", "password": f.PASSWORD})
    on_own_page = {
        name: shown_shares(client.get(f"/results/groups/{ids[name]}?lang=nl").get_data(
            as_text=True))
        for name in ("Groep 3", "Groep 4", "Groep 4/5")
    }
    school_page = client.get("/results/coordinator?lang=nl").get_data(as_text=True)
    school_total_shown = bool(shown_shares(school_page))
    # Either the school total of the groep 3-4 question is withheld, or at most one of the two
    # single-grade groups shows it on its own: never both next to the school total.
    shown_alone = [name for name in ("Groep 3", "Groep 4") if on_own_page[name]]
    assert not (school_total_shown and len(shown_alone) == 2), (on_own_page, school_total_shown)
    assert on_own_page["Groep 4/5"] == []  # one child answered it in that group


def test_the_raw_export_leaves_out_a_grade_with_fewer_than_k_pupils(app: Flask) -> None:
    ids = build(app)
    client = app.test_client()
    client.post("/login", data={"email": "dir@example.org", "password": f.PASSWORD})
    response = client.post(f"/results/schools/{ids['school']}/exports/raw",
                           data={"understood": "y"})
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    rows = archive.read("answers.csv").decode().splitlines()
    assert not [row for row in rows if ",Groep 4/5,4," in row]
    assert [row for row in rows if ",Groep 4/5,5," in row]  # the 8 groep-5 pupils stay
    codebook = next(archive.read(n).decode() for n in archive.namelist() if n.endswith(".md"))
    assert "Groep 4/5 (groep 4)" in codebook

"""CSV imports: all rows or none, and every refusal names its row and column."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select, text

import instruments
from surveys.extensions import db
from surveys.models import Group, Incident, Response, SchoolYear, SurveyWave, User
from surveys.services.imports import (
    ImportRefused,
    import_groups,
    import_incidents,
    import_responses,
)
from tests.foundation import factories as f

GROUPS_CSV = """school_year,group,grades,size,teachers,previous_group
2025-2026,Groep 5,5,24,sanne@school.example,
2026-2027,Groep 6,6,25,sanne@school.example;ahmed@school.example,Groep 5
2026-2027,Groep 3/4,3;4,22,,
"""


def snapshot() -> dict[str, int]:
    """Row counts of every table: "the database is exactly as before" in one comparison."""
    return {
        t.name: db.session.scalar(select(func.count()).select_from(t))
        for t in db.metadata.sorted_tables
    }


def test_groups_are_imported_with_years_teachers_and_cohort_links(ctx: Flask) -> None:
    school = f.school()
    result = import_groups(school, GROUPS_CSV.encode())
    db.session.commit()
    assert result.created == {"groups": 3}
    years = db.session.scalars(select(SchoolYear.name).order_by(SchoolYear.name)).all()
    assert years == ["2025-2026", "2026-2027"]
    g6 = db.session.scalars(select(Group).where(Group.name == "Groep 6")).one()
    assert [t.email for t in g6.teachers] == ["sanne@school.example", "ahmed@school.example"]
    assert g6.previous_group is not None and g6.previous_group.name == "Groep 5"
    g34 = db.session.scalars(select(Group).where(Group.name == "Groep 3/4")).one()
    assert g34.grades == [3, 4] and g34.size == 22
    teachers = db.session.scalars(select(User).where(User.role == "teacher")).all()
    assert {t.password_hash for t in teachers} == {None}  # accounts wait for a set-password link


def test_semicolon_files_with_a_byte_order_mark_are_read(ctx: Flask) -> None:
    school = f.school()
    data = "\ufeff" + GROUPS_CSV.replace(",", ";").replace("ahmed@school.example", "x@y.example")
    # grades and teachers use ';' inside fields, so quote them in a semicolon file
    data = data.replace(";3;4;", ';"3;4";').replace(
        "sanne@school.example;x@y.example", '"sanne@school.example;x@y.example"'
    )
    import_groups(school, data.encode("utf-8"))
    assert db.session.scalar(select(func.count()).select_from(Group)) == 3


@pytest.mark.parametrize(
    ("csv_text", "expected"),
    [
        (
            "school_year,group,grades,size,teachers\n2026-2027,G,5,3,\n",
            "missing column(s) previous_group",
        ),
        (
            "school_year,group,grades,size,teachers,previous_group,extra\n",
            "unknown column(s) extra",
        ),
        (GROUPS_CSV + "2026-2027,Groep 7,9,20,,\n", "row 5, column grades: '9' is not a groep"),
        (GROUPS_CSV + "2026-2027,Groep 7,7,veel,,\n", "row 5, column size: 'veel' is not a whole"),
        (GROUPS_CSV + "2026/2027,Groep 7,7,20,,\n", "row 5, column school_year"),
        (GROUPS_CSV + "2026-2027,Groep 7,7,20,geen-adres,\n", "row 5, column teachers"),
        (GROUPS_CSV + "2026-2027,Groep 7,7,20,,Groep 9\n", "row 5, column previous_group"),
        (GROUPS_CSV + "2026-2027,Groep 6,6,20,,\n", "row 5, column group: 'Groep 6' appears twice"),
        ("", "row 1: the file is empty"),
    ],
)
def test_a_bad_groups_file_is_refused_whole(ctx: Flask, csv_text: str, expected: str) -> None:
    school = f.school()
    db.session.commit()
    before = snapshot()
    with pytest.raises(ImportRefused) as refused:
        import_groups(school, csv_text.encode())
    db.session.rollback()
    assert expected in str(refused.value)
    assert snapshot() == before


def responses_csv(rows: int, bad_at: int | None = None) -> str:
    """Answers of ``rows // n_items`` pupils of Groep 6; a bad value at data row ``bad_at``."""
    inst = instruments.latest("veiligheid-5-8")
    lines = ["school_year,wave,group,grade,respondent,instrument,version,item,value"]
    n = 0
    pupil = 0
    while n < rows:
        pupil += 1
        for item in inst.items:
            if n >= rows:
                break
            n += 1
            value = "7" if n == bad_at else str(inst.scales[item.scale].values[1])
            lines.append(
                f"2026-2027,Najaar 2026,Groep 6,6,p{pupil},{inst.id},{inst.version},"
                f"{item.key},{value}"
            )
    return "\n".join(lines) + "\n"


def test_responses_are_imported_and_a_missing_wave_is_created(ctx: Flask) -> None:
    school = f.school()
    import_groups(school, GROUPS_CSV.encode())
    n_items = len(instruments.latest("veiligheid-5-8").items)
    result = import_responses(school, responses_csv(3 * n_items).encode())
    db.session.commit()
    assert result.created == {"responses": 3, "waves": 1}
    assert db.session.scalars(select(SurveyWave.name)).all() == ["Najaar 2026"]
    assert db.session.scalar(select(func.count()).select_from(Response)) == 3


def test_one_bad_value_deep_in_a_response_file_refuses_it_whole(ctx: Flask) -> None:
    school = f.school()
    import_groups(school, GROUPS_CSV.encode())
    db.session.commit()
    before = snapshot()
    with pytest.raises(ImportRefused) as refused:
        import_responses(school, responses_csv(1900, bad_at=1874).encode())
    db.session.rollback()
    first = refused.value.problems[0]
    assert (first.row, first.column) == (1875, "value")  # data row 1874 is file row 1875
    assert "7 is outside 0-4" in first.message
    assert len(refused.value.problems) == 1
    assert snapshot() == before


@pytest.mark.parametrize(
    ("replace", "expected"),
    [
        (("Groep 6,6", "Groep 9,6"), "column group: no group 'Groep 9' in 2026-2027"),
        (("Groep 6,6", "Groep 6,5"), "column grade: groep 5 is not a grade of Groep 6"),
        (("veiligheid-5-8,1", "veiligheid-5-8,4"), "column instrument: unknown instrument"),
        (("veilig_klas", "veilig_klaz"), "column item: veiligheid-5-8 has no item 'veilig_klaz'"),
        (("2026-2027,Najaar", "2019-2020,Najaar"), "import the groups first"),
    ],
)
def test_response_rows_name_what_is_wrong(ctx: Flask, replace, expected) -> None:  # type: ignore[no-untyped-def]
    school = f.school()
    import_groups(school, GROUPS_CSV.encode())
    db.session.commit()
    before = snapshot()
    data = responses_csv(40).replace(*replace, 1)
    with pytest.raises(ImportRefused) as refused:
        import_responses(school, data.encode())
    db.session.rollback()
    assert expected in str(refused.value)
    assert str(refused.value).startswith("row 2,")
    assert snapshot() == before


INCIDENTS_CSV = """date,group,category,handled_by,description
2026-10-01,Groep 6,pesten,leraar,Uitschelden op het plein
2026-10-03,Groep 6,fysiek_geweld,directeur,
2026-09-20,,vernieling,leraar,Fiets beschadigd
"""


def test_incidents_are_imported_into_the_year_of_their_date(ctx: Flask) -> None:
    school = f.school()
    import_groups(school, GROUPS_CSV.encode())
    result = import_incidents(school, INCIDENTS_CSV.encode())
    db.session.commit()
    assert result.created == {"incidents": 3}
    incidents = db.session.scalars(select(Incident).order_by(Incident.occurred_on)).all()
    assert [i.category for i in incidents] == ["vernieling", "pesten", "fysiek_geweld"]
    assert incidents[0].group is None and incidents[1].group.name == "Groep 6"
    assert incidents[2].description is None


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("2026-13-01,Groep 6,pesten,leraar,", "row 5, column date"),
        ("2026-10-01,Groep 6,ruzie,leraar,", "row 5, column category: 'ruzie' is not one of"),
        ("2026-10-01,Groep 6,pesten,conciërge,", "row 5, column handled_by"),
        ("2026-10-01,Groep 8,pesten,leraar,", "row 5, column group: no group 'Groep 8'"),
        ("2099-10-01,Groep 6,pesten,leraar,", "lies in the future"),
        ("2026-10-01,Groep 6,pesten,leraar", "row 5: has 4 fields where the header has 5"),
    ],
)
def test_a_bad_incident_row_refuses_the_file(ctx: Flask, line: str, expected: str) -> None:
    school = f.school()
    import_groups(school, GROUPS_CSV.encode())
    db.session.commit()
    before = snapshot()
    with pytest.raises(ImportRefused) as refused:
        import_incidents(school, (INCIDENTS_CSV + line + "\n").encode())
    db.session.rollback()
    assert expected in str(refused.value)
    assert snapshot() == before


def test_not_utf8_is_refused_with_a_reason(ctx: Flask) -> None:
    school = f.school()
    with pytest.raises(ImportRefused, match="not UTF-8"):
        import_incidents(school, "date,group\n2026-10-01,Groep é\n".encode("latin-1"))


# --- the same through the command line ------------------------------------------------------


def test_cli_import_refuses_with_row_and_column_and_changes_nothing(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    with app.app_context():
        f.school("demo-school")
        db.session.commit()
    groups = tmp_path / "groups.csv"
    groups.write_text(GROUPS_CSV)
    ok = runner.invoke(args=["import-groups", "--school", "demo-school", str(groups)])
    assert ok.exit_code == 0, ok.output
    assert "Imported 3 group rows" in ok.output
    bad = tmp_path / "responses.csv"
    bad.write_text(responses_csv(300, bad_at=250))
    with app.app_context():
        before = snapshot()
    result = runner.invoke(args=["import-responses", "--school", "demo-school", str(bad)])
    assert result.exit_code == 1
    assert "nothing changed: row 251, column value" in result.output
    with app.app_context():
        assert snapshot() == before
        assert db.session.execute(text("SELECT count(*) FROM responses")).scalar() == 0


def test_cli_import_for_an_unknown_school_fails_in_one_line(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    file = tmp_path / "incidents.csv"
    file.write_text(INCIDENTS_CSV)
    result = runner.invoke(args=["import-incidents", "--school", "nergens", str(file)])
    assert result.exit_code == 1
    assert result.output.strip() == "Error: no school with slug 'nergens'"

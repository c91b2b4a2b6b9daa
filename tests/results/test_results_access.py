"""P5: a teacher sees only their own groups and their own feedback; roles see only their pages."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.results.conftest import Demo


def test_eva_sees_groep_6_and_no_other_group(clients: dict[str, FlaskClient],
                                             demo_ids: Demo) -> None:
    eva = clients["eva"]
    own = eva.get(f"/results/groups/{demo_ids.groups['Groep 6']}?lang=en")
    assert own.status_code == 200 and b"How the group is doing" in own.data
    for name, group_id in {**demo_ids.groups, **demo_ids.previous_groups}.items():
        if name == "Groep 6":
            continue
        assert eva.get(f"/results/groups/{group_id}").status_code == 403, name
    listing = eva.get("/results/groups?lang=en").get_data(as_text=True)
    assert "Groep 6" in listing
    assert all(name not in listing for name in demo_ids.groups if name != "Groep 6")
    assert eva.get("/results/groups/999999").status_code == 404


def test_eva_sees_her_own_feedback_and_nobody_elses(clients: dict[str, FlaskClient],
                                                    demo_ids: Demo) -> None:
    eva = clients["eva"]
    page = eva.get("/results/feedback?lang=en", follow_redirects=True)
    assert page.status_code == 200 and b"juf Eva" in page.data
    for other in (demo_ids.sanne, demo_ids.tim):
        assert eva.get(f"/results/teachers/{other}/feedback").status_code == 403
    # the director only where the school allows it (the demo does not)
    assert clients["director"].get(
        f"/results/teachers/{demo_ids.eva}/feedback").status_code == 403
    assert clients["coordinator"].get(
        f"/results/teachers/{demo_ids.eva}/feedback").status_code == 403


@pytest.mark.parametrize(("role", "path", "status"), [
    ("eva", "/results/school", 403),
    ("eva", "/results/coordinator", 403),
    ("eva", "/results/improvements", 403),
    ("eva", "/results/schools/{school}/exports", 403),
    ("eva", "/results/schools/{school}/exports/aggregates", 403),
    ("eva", "/results/schools/{school}/report.pdf", 403),
    ("coordinator", "/results/school", 403),
    ("coordinator", "/results/groups/{g6}", 403),
    ("coordinator", "/results/schools/{school}/exports/raw", 403),
    ("coordinator", "/results/coordinator", 200),
    ("director", "/results/school", 200),
    ("director", "/results/groups/{g6}", 200),
    ("director", "/results/coordinator", 200),
    ("director", "/results/schools/999999/exports", 404),
    ("admin", "/results/schools/{school}/exports", 200),
    ("admin", "/results/school", 403),
    ("admin", "/results/groups/{g6}", 403),
])
def test_pages_per_role(clients: dict[str, FlaskClient], demo_ids: Demo, role: str, path: str,
                        status: int) -> None:
    url = path.format(school=demo_ids.school, g6=demo_ids.groups["Groep 6"])
    assert clients[role].get(url).status_code == status


def test_visitors_are_sent_to_the_login_page(demo_app, demo_ids: Demo) -> None:  # type: ignore[no-untyped-def]
    response = demo_app.test_client().get(f"/results/groups/{demo_ids.groups['Groep 6']}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_every_results_endpoint_is_in_the_access_table(demo_app) -> None:  # type: ignore[no-untyped-def]
    from surveys.blueprints.results import ACCESS

    endpoints = {r.endpoint for r in demo_app.url_map.iter_rules()
                 if r.endpoint.startswith("results.")}
    assert endpoints == set(ACCESS)

"""The access-control walk: every route of ``app.url_map``, every role, with objects of one's
own, of a colleague's group and of another school.

``ACCESS`` says, per endpoint and method, which roles may use it with their own objects. An
endpoint missing from the table fails the walk, so no route can be added without deciding who
may reach it. Where access is not allowed a logged-in user gets 403 or 404 and an anonymous
visitor is sent to the login page; where it is allowed the answer is neither.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.staff.conftest import World, login

ANONYMOUS = "anonymous"
ROLES = (ANONYMOUS, "admin", "director", "teacher", "coordinator")
STAFF = frozenset({"admin", "director", "teacher", "coordinator"})
EVERYONE = frozenset(ROLES)
SCHOOL_STAFF = frozenset({"director", "teacher", "coordinator"})
CLASS_STAFF = frozenset({"director", "teacher"})  # a group's teachers and the director
PUBLIC = "public"  # anyone; nothing to check but that it does not fail

#: endpoint -> roles allowed (or {method: roles}); PUBLIC for pages anyone may open.
ACCESS: dict[str, object] = {
    "static": PUBLIC,
    "public.home": PUBLIC,
    "auth.login": PUBLIC,
    "auth.logout": STAFF,
    "auth.change_password": STAFF,
    "auth.set_password": PUBLIC,  # the token is the credential
    # The pupil flow: no login by design (DESIGN §6); class codes are the key.
    "pupil.start": PUBLIC,
    "pupil.link": PUBLIC,
    "pupil.kiosk": PUBLIC,
    "pupil.step": PUBLIC,
    "pupil.send": PUBLIC,
    "pupil.talk": PUBLIC,
    # Class sessions (issue 4): the group's teachers and the director standing in.
    "sessions.index": STAFF,
    "sessions.start": CLASS_STAFF,
    "sessions.show": CLASS_STAFF,
    "sessions.count": CLASS_STAFF,
    "sessions.qr": CLASS_STAFF,
    "sessions.close": CLASS_STAFF,
    "sessions.cards": CLASS_STAFF,
    "admin.index": {"admin"},
    "admin.new_school": {"admin"},
    "admin.school_settings": {"admin"},
    "admin.new_account": {"admin"},
    "admin.edit_account": {"admin"},
    "admin.password_link": {"admin"},
    "director.index": {"director"},
    "director.years": {"director"},
    "director.year_new": {"director"},
    "director.year": {"director"},
    "director.group_new": {"director"},
    "director.group_edit": {"director"},
    "director.next_year": {"director"},
    "director.import_groups": {"director"},
    "director.waves": {"director"},
    "director.wave_new": {"director"},
    "director.wave_edit": {"director"},
    "director.wave_open": {"director"},
    "director.wave_close": {"director"},
    "director.settings": {"director"},
    "director.audit_log": {"director"},
    "teacher.index": {"teacher"},
    "teacher.group": {"teacher"},
    "coordinator.index": {"coordinator"},
    "coordinator.handled": {"coordinator"},
    "coordinator.reopen": {"coordinator"},
    "incidents.index": SCHOOL_STAFF,
    "incidents.new": CLASS_STAFF,
    "incidents.edit": {"GET": SCHOOL_STAFF, "POST": CLASS_STAFF},
    "incidents.import_csv": {"director"},
    # Results (issue 6): teachers their own groups, the director the school.
    "results.index": STAFF,
    "results.groups": CLASS_STAFF,
    "results.group": CLASS_STAFF,
    "results.feedback": {"teacher"},
    # Feedback is the teacher's own; the director only where the school allows it (off here).
    "results.teacher_feedback": {"teacher"},
    "results.school": {"director"},
    "results.coordinator": {"coordinator", "director"},
    "results.improvements": {"director"},
    "results.improvement_edit": {"director"},
    "results.exports_page": {"director", "admin"},
    "results.export": {"director", "admin"},
    "results.report": {"director", "admin"},
}

#: URL parameters that name an object: (own, a colleague's, another school's) as World fields.
#: "Own" is the teacher's own group (and the school's object for the other roles); a
#: colleague's object is one of the same school that the teacher does not teach.
OBJECTS = {
    "year_id": ("year", None, "b_year"),
    "group_id": ("group", "other_group", "b_group"),
    "wave_id": ("wave", None, "b_wave"),
    "incident_id": ("incident", "other_incident", "b_incident"),
    "school_id": ("school", None, "b_school"),
    "account_id": ("account", None, "b_account"),
    "request_id": ("request", None, "b_request"),
    "session_id": ("session", "other_session", "b_session"),
    "user_id": ("account", "other_account", "b_account"),
    "point_id": ("point", None, "b_point"),
}
#: Endpoints that take object ids in the posted form rather than in the URL.
FORM_OBJECTS = {
    "sessions.start": {"group_id": "group_id", "wave_id": "wave_id"},
}
#: Parameters that are no object of anyone's (a class code, a file name, a token).
PLAIN = {"code": "ABCDEF", "filename": "staff.css", "token": "not-a-real-token",
         "kind": "aggregates"}

LOGIN_PAGE = re.compile(r"^(http://localhost)?/login")


def allowed_roles(endpoint: str, method: str) -> object:
    spec = ACCESS[endpoint]
    if isinstance(spec, dict) and method in spec:
        return spec[method]
    return spec


def urls(app: Flask, world: World) -> Iterator[tuple[str, str, str, str, dict[str, str]]]:
    """(endpoint, method, variant, url, form) for every rule, method and object variant."""
    for rule in app.url_map.iter_rules():
        form_params = FORM_OBJECTS.get(rule.endpoint, {})
        params = [p for p in rule.arguments if p not in PLAIN] + list(form_params.values())
        variants = ["own"]
        if any(OBJECTS[p][1] for p in params if p in OBJECTS):
            variants.append("colleague")
        if params:
            variants.append("foreign")
        for method in sorted(rule.methods & {"GET", "POST"}):
            for variant in variants:
                values: dict[str, object] = {}
                for name in rule.arguments:
                    if name in PLAIN:
                        values[name] = PLAIN[name]
                        continue
                    assert name in OBJECTS, f"{rule.rule}: add <{name}> to OBJECTS"
                    own, colleague, foreign = OBJECTS[name]
                    field = {"own": own, "colleague": colleague or own, "foreign": foreign}[variant]
                    values[name] = getattr(world, field)
                path = rule.build(values, append_unknown=False)
                assert path is not None
                form = {}
                for field_name, param in form_params.items():
                    own, colleague, foreign = OBJECTS[param]
                    chosen = {"own": own, "colleague": colleague or own, "foreign": foreign}
                    form[field_name] = str(getattr(world, chosen[variant]))
                yield rule.endpoint, method, variant, path[1], form


def test_every_endpoint_is_in_the_access_table(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = sorted(endpoints - set(ACCESS))
    assert not missing, f"decide who may reach these endpoints, in ACCESS: {missing}"
    stale = sorted(set(ACCESS) - endpoints)
    assert not stale, f"ACCESS names endpoints that no longer exist: {stale}"
    for rule in app.url_map.iter_rules():
        for name in rule.arguments:
            assert name in OBJECTS or name in PLAIN, f"{rule.rule}: unknown parameter {name}"


def expectation(endpoint: str, method: str, role: str, variant: str) -> str:
    roles = allowed_roles(endpoint, method)
    if roles == PUBLIC:
        return "any"
    assert isinstance(roles, (set, frozenset))
    if role not in roles or variant == "foreign":
        return "denied"
    if variant == "colleague" and role == "teacher":
        return "denied"  # a teacher never reaches another group's data
    return "allowed"


@pytest.fixture
def clients(app: Flask, world: World) -> dict[str, FlaskClient]:
    out = {}
    for role in ROLES:
        client = app.test_client()
        if role != ANONYMOUS:
            assert login(client, getattr(world, role)).status_code == 302
        out[role] = client
    return out


def test_every_route_with_every_role_and_every_object(
    app: Flask, world: World, clients: dict[str, FlaskClient]
) -> None:
    failures = []
    checked = 0
    for endpoint, method, variant, url, form in urls(app, world):
        for role in ROLES:
            expected = expectation(endpoint, method, role, variant)
            client = clients[role]
            response = client.open(url, method=method, data=form)
            status = response.status_code
            location = response.headers.get("Location", "")
            checked += 1
            if status >= 500:
                failures.append(f"{role} {method} {url}: {status}")
            elif expected == "denied":
                if role == ANONYMOUS:
                    ok = status in (401, 403, 404) or (status == 302 and LOGIN_PAGE.match(
                        location))
                else:
                    ok = status in (403, 404)
                if not ok:
                    failures.append(f"{role} {method} {url} ({variant}): {status} {location}, "
                                    "expected 403/404")
            elif expected == "allowed" and (status in (401, 403, 404)
                                            or LOGIN_PAGE.match(location)):
                failures.append(f"{role} {method} {url} ({variant}): {status} {location}, "
                                "expected access")
            if endpoint == "auth.logout" and role != ANONYMOUS:
                login(client, getattr(world, role))  # log back in for the rest of the walk
    assert checked > 500
    assert not failures, "\n".join(failures)


def test_a_post_without_csrf_token_is_refused_on_every_staff_form(
    app: Flask, world: World
) -> None:
    """Every state-changing staff route refuses a POST without a valid CSRF token."""
    app.config["WTF_CSRF_ENABLED"] = True
    clients: dict[str, FlaskClient] = {}
    refused = []
    for endpoint, method, variant, url, _form in urls(app, world):
        if method != "POST" or variant != "own" or endpoint.startswith("pupil."):
            continue
        roles = allowed_roles(endpoint, method)
        role = "director" if roles == PUBLIC else sorted(roles)[0]  # type: ignore[arg-type]
        if role not in clients:
            clients[role] = app.test_client()
            page = clients[role].get("/login").get_data(as_text=True)
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
            assert token is not None
            clients[role].post("/login", data={"email": getattr(world, role),
                                               "password": "correct horse battery",
                                               "csrf_token": token.group(1)})
        response = clients[role].post(url, data={})
        if response.status_code != 400:
            refused.append(f"{role} POST {url}: {response.status_code}")
        refused_forged = clients[role].post(url, data={"csrf_token": "forged"})
        if refused_forged.status_code != 400:
            refused.append(f"{role} POST {url} with a forged token: {refused_forged.status_code}")
    assert len(clients) >= 3
    assert not refused, "\n".join(refused)

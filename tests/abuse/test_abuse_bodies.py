"""Oversized bodies and wrong content types on the pupil routes: 413 and 415 with a page a child
can read (Dutch, or English when the address asks for it), JSON for the tablet's retry queue, and
nothing stored — even when the body carries a perfectly good finished questionnaire.
"""

from __future__ import annotations

import io
import json

from flask import Flask
from sqlalchemy import select

from surveys.blueprints import pupil as bp
from surveys.extensions import db
from surveys.models import Response
from surveys.pupil_texts import text
from tests.abuse.common import POST_ROUTES, World, assert_clear, counts, nothing_stored

#: Just over the pupil routes' limit, a megabyte, and over the app-wide limit for staff uploads.
SIZES = (bp.PUPIL_MAX_BODY + 1, 1024 * 1024, 9 * 1024 * 1024)


def good_form(world: World, route: str) -> dict[str, str]:
    """What each route would accept, so that only the size or the type can be what fails."""
    return {"/k/": {"code": world.code, "key": "go"},
            "/k/step": {"t": world.tokens["question"], "answer": "3"},
            "/k/send": {"t": world.tokens["done"]},
            "/k/talk": {"t": world.tokens["end"], "do": "request", "first_name": "Sam"}}[route]


def test_an_oversized_body_gets_a_friendly_413(app: Flask, world: World) -> None:
    with nothing_stored(app):
        for route, size in ((route, size) for route in POST_ROUTES for size in SIZES):
            padding = "x" * size
            for lang in ("nl", "en"):
                form = good_form(world, route) | {"padding": padding}
                response = app.test_client().post(f"{route}?lang={lang}", data=form)
                assert_clear(response, lang, status=413)
                assert text("too_big_text", lang).replace("'", "&#39;") in response.text
            queued = app.test_client().post(route, data=good_form(world, route)
                                            | {"padding": padding},
                                            headers={"X-Klasklimaat": "fetch"})
            assert_clear(queued, status=413)
            assert queued.is_json  # the queue stops retrying what can never succeed
    # A body just under the limit is read as usual.
    small = good_form(world, "/k/send") | {"padding": "x" * (bp.PUPIL_MAX_BODY - 4096)}
    assert app.test_client().post("/k/send", data=small).status_code == 303


def wrong_bodies(token: str) -> list[tuple[str, dict[str, object]]]:
    """The same finished questionnaire, in every wrong form a client might post it."""
    return [
        ("json", {"json": {"t": token}}),
        ("json-text", {"data": json.dumps({"t": token}),
                               "content_type": "application/json; charset=utf-8"}),
        ("text", {"data": f"t={token}", "content_type": "text/plain"}),
        ("xml", {"data": f"<t>{token}</t>", "content_type": "application/xml"}),
        ("octets", {"data": f"t={token}".encode(), "content_type": "application/octet-stream"}),
        ("multipart-with-file", {"data": {"t": token, "file": (io.BytesIO(b"%PDF-1.4"),
                                                               "virus.pdf")},
                                 "content_type": "multipart/form-data"}),
        ("multipart-without-file", {"data": {"t": token},
                                    "content_type": "multipart/form-data"}),
        ("no-type", {"data": f"t={token}".encode(), "content_type": ""}),
    ]


def test_wrong_content_types_get_a_friendly_415_and_store_nothing(app: Flask,
                                                                  world: World) -> None:
    with nothing_stored(app):
        for route, fetch in ((route, fetch) for route in POST_ROUTES for fetch in (False, True)):
            headers = {"X-Klasklimaat": "fetch"} if fetch else {}
            token = good_form(world, route).get("t", "")
            for name, body in wrong_bodies(token):
                response = app.test_client().post(f"{route}?lang=en", headers=headers,
                                                  **body)  # type: ignore[arg-type]
                assert response.status_code == 415, (route, name, response.status_code)
                assert_clear(response, "en")
    # The token itself was good all along: posted as the form it is, it is stored once.
    before = counts(app)["responses"]
    assert app.test_client().post("/k/send", data={"t": world.tokens["done"]}).status_code == 303
    with app.app_context():
        assert len(db.session.scalars(select(Response)).all()) == before + 1


def test_many_fields_a_huge_name_or_an_empty_post(app: Flask, world: World) -> None:
    with nothing_stored(app):
        many = "&".join(f"f{i}=1" for i in range(5000))
        response = app.test_client().post("/k/send", data=many,
                                          content_type="application/x-www-form-urlencoded")
        assert_clear(response)
        long_name = {"t": world.tokens["done"], "n" * bp.PUPIL_MAX_BODY: "1"}
        assert_clear(app.test_client().post("/k/send", data=long_name), status=413)
        for route in ("/k/step", "/k/send", "/k/talk"):  # no body, no type: an expired screen
            response = app.test_client().post(route)
            assert_clear(response)
            assert text("stale_heading", "nl") in response.text

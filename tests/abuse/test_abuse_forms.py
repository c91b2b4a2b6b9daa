"""Random and malformed posts on every pupil route: a clear 4xx in the child's language, never a
5xx, and nothing stored (issue 7, item 6; DESIGN §9).

The only 2xx a random post may earn is what a tablet would get for the same keys: a letter typed
on the keypad, or a genuine screen token moving between screens.
"""

from __future__ import annotations

import secrets
from urllib.parse import quote

from flask import Flask
from hypothesis import assume, given
from hypothesis import strategies as st
from sqlalchemy import select

from surveys.extensions import db
from surveys.models import ConversationRequest
from surveys.services import sessions as svc
from tests.abuse.common import (
    ABUSE,
    FIELDS,
    POST_ROUTES,
    World,
    assert_clear,
    counts,
    nothing_stored,
)

values = st.text(st.characters(codec="utf-8"), max_size=40)
keys = st.one_of(st.sampled_from(FIELDS), st.text(st.characters(codec="utf-8"), min_size=1,
                                                  max_size=8))
forms = st.dictionaries(keys, st.one_of(values, st.lists(values, min_size=1, max_size=3)),
                        max_size=6)
langs = st.sampled_from([None, "nl", "en", "de", ""])


def first(value: object) -> object:
    return value[0] if isinstance(value, list) else value


def asked(form: dict[str, object]) -> str:
    lang = first(form.get("lang"))
    return lang if lang in ("nl", "en") else "nl"  # type: ignore[return-value]


def keypress(form: dict[str, object]) -> bool:
    """What the keypad (``/k/``) answers with 200: a letter of the code alphabet, or delete."""
    key = first(form.get("key", "go"))
    return key == "del" or (isinstance(key, str) and len(key) == 1 and key in svc.CODE_ALPHABET)


@ABUSE
@given(route=st.sampled_from(POST_ROUTES), form=forms, lang=langs)
def test_random_forms_on_every_post_route(app: Flask, world: World, route: str,
                                          form: dict[str, object], lang: str | None) -> None:
    if lang is not None:
        form["lang"] = lang
    with nothing_stored(app):
        response = app.test_client().post(route, data=form)
    if route == "/k/" and keypress(form):
        assert response.status_code == 200 and 'class="screen screen-code' in response.text
        return
    assert_clear(response, asked(form))


@ABUSE
@given(template=st.sampled_from(["/k/{}", "/k/kiosk/{}", "/k/talk?t={}", "/k/?code={}"]),
       segment=st.text(st.characters(codec="utf-8"), min_size=1, max_size=40),
       lang=st.sampled_from(["nl", "en"]))
def test_random_addresses_and_query_strings(app: Flask, world: World, template: str,
                                            segment: str, lang: str) -> None:
    assume(segment.strip(".") != "" and "/" not in segment)
    url = template.format(quote(segment, safe=""))
    url += ("&" if "?" in url else "?") + f"lang={lang}"
    with nothing_stored(app):
        response = app.test_client().get(url)
    if url.startswith("/k/?"):  # the keypad itself: nothing is looked up by a GET
        assert response.status_code == 200 and 'class="screen screen-code' in response.text
        return
    assert_clear(response, lang)


@ABUSE
@given(route=st.sampled_from(POST_ROUTES),
       body=st.one_of(st.binary(max_size=400),
                      st.text(st.sampled_from("t=%&+;=\x00\xff\u20acAz09-_"), max_size=200)
                      .map(lambda s: s.encode("utf-8", "surrogatepass"))))
def test_malformed_url_encoded_bodies(app: Flask, world: World, route: str, body: bytes) -> None:
    """Bytes that are no valid form at all (broken escapes, invalid UTF-8, NUL, separators)."""
    with nothing_stored(app):
        response = app.test_client().post(
            route, data=body, content_type="application/x-www-form-urlencoded")
    if route == "/k/" and response.status_code == 200:  # the bytes spelled a keypress
        assert 'class="screen screen-code' in response.text
        return
    assert_clear(response)


TOKEN_KINDS = ("welcome", "grade", "question", "done", "end", "card")


@ABUSE
@given(kind=st.sampled_from(TOKEN_KINDS), route=st.sampled_from(("/k/step", "/k/send",
                                                                "/k/talk")),
       form=forms, lang=langs)
def test_genuine_tokens_with_random_fields(app: Flask, world: World, kind: str, route: str,
                                           form: dict[str, object], lang: str | None) -> None:
    """A genuine token with anything beside it: the screens move on as a tablet's would, or say
    clearly what went wrong; no crash, and nothing stored that the token does not allow."""
    # The two posts that really store: sending a finished questionnaire, asking for a talk.
    assume(not (route == "/k/send" and kind == "done"))
    assume(not (route == "/k/talk" and kind == "end" and first(form.get("do")) == "request"))
    form["t"] = world.tokens[kind]
    if lang is not None:
        form["lang"] = lang
    before = counts(app)
    response = app.test_client().post(route, data=form)
    assert counts(app) == before  # (a random card code never matches a card)
    assert response.status_code < 500
    if response.status_code >= 400:
        token_lang = route != "/k/talk" or kind == "end"
        assert_clear(response, "nl" if token_lang else asked(form))


def test_other_methods_and_addresses_are_refused_kindly(app: Flask, world: World) -> None:
    """Routing errors under /k/ get the pupil's page too, not the staff error page."""
    with nothing_stored(app):
        for route in ("/k/", "/k/ACEFHK", f"/k/kiosk/{world.pass_}", "/k/step", "/k/send",
                      "/k/talk"):
            for method in ("PUT", "DELETE", "PATCH"):
                response = app.test_client().open(route + "?lang=en", method=method,
                                                  data={"t": world.tokens["done"]})
                assert_clear(response, "en", status=405)
        for route in ("/k/step", "/k/send"):  # read as a class code "STEP", "SEND": unknown
            assert_clear(app.test_client().get(f"{route}?t={world.tokens['done']}"), status=404)
        assert_clear(app.test_client().get("/k/talk"), status=400)
        for path in ("/k/step/more", "/k/kiosk/", "/k/kiosk/ACEFHK/x"):
            assert_clear(app.test_client().get(path + "?lang=en"), "en", status=404)


@ABUSE
@given(first_name=st.text(st.characters(codec="utf-8"), max_size=80),
       group_label=st.text(st.characters(codec="utf-8"), max_size=80))
def test_a_conversation_request_with_odd_characters(app: Flask, world: World, first_name: str,
                                                    group_label: str) -> None:
    """Control characters (NUL, which PostgreSQL refuses in text), long names, only spaces: the
    request is stored cleaned, or the child is asked for a name; never a 500."""
    token = world.seal(phase="end", n=f"talk-{secrets.token_hex(8)}")  # a new questionnaire
    before = counts(app)
    response = app.test_client().post("/k/talk", data={
        "t": token, "do": "request", "first_name": first_name, "group_label": group_label})
    after = counts(app)
    cleaned = svc.clean_text(first_name)
    if not cleaned:
        assert_clear(response, status=422)
        assert after == before
        return
    assert response.status_code == 200
    assert after["conversation_requests"] == before["conversation_requests"] + 1
    with app.app_context():
        names = db.session.scalars(select(ConversationRequest.first_name)).all()
    assert cleaned in names and len(cleaned) <= 60
    assert not any(ord(ch) < 32 or ord(ch) == 127 for ch in cleaned)

"""Scratch probe 6 (review): CSRF, language redirects, oversized."""
from __future__ import annotations
from tests.web.conftest import csrf_of
from tests.web.test_review_probe import routes, world


def test_probe(flask_app, auth, client, person) -> None:
    setup, ids = world(auth, client)
    a, b, broker = person(setup.partners["a"]), person(setup.partners["b"]), person(auth.broker)
    other_token = csrf_of(broker.client.get("/").text)
    for r in routes(setup, ids):
        for who in (a, b, broker):
            for data in ({}, {"csrf_token": "x"}, {"csrf_token": other_token if who is not broker else csrf_of(a.client.get('/').text)}):
                before = setup.head()
                resp = who.client.post(r, data=data)
                if resp.status_code != 400 or setup.head() != before:
                    print("CSRF", r, resp.status_code, setup.head() - before)
    for target in ["//evil.example", "/\\evil.example", "https:evil.example", "https:/evil.example",
                   "/%2F/evil", "\t//evil.example", "/\t/evil.example", " //evil.example",
                   "/\u3000/evil", "\uff0f\uff0fevil.example", "/.//evil.example", "///evil.example",
                   "http:\\\\evil.example", "/\x7f", "/\u0085/evil", "/a?x=\r\nSet-Cookie:x=1"]:
        resp = client.get("/language", query_string={"lang": "pt", "next": target})
        print("LANG", repr(target), resp.status_code, repr(resp.headers.get("Location")))
    for raw in ["/language?next=%2F%2Fevil.example", "/language?next=%2F%5Cevil.example",
                "/language?next=%252F%252Fevil.example", "/language?next=/%2F%2Fevil.example",
                "/language?next=%E2%80%8B//evil", "/language?next=/%C0%AF/evil"]:
        resp = client.get(raw)
        print("LANGRAW", raw, resp.status_code, repr(resp.headers.get("Location")))
    token = csrf_of(broker.client.get("/").text)
    for data in ({"csrf_token": token, "legal_name": "x" * 2_000_000},
                 {"csrf_token": token, **{f"identifiers.{i}.id": "x" for i in range(3000)}}):
        resp = broker.client.post("/organisations/new", data=data)
        print("BIG", resp.status_code, resp.mimetype, resp.text[:0])

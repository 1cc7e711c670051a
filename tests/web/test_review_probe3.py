"""Scratch probe 3 (review)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from tests.api.conftest import Auth, Caller
from tests.api.setup_partnership import Setup, active_partnership
from tests.web.conftest import Person, csrf_of
from tests.web.test_review_probe import routes, world

TOKEN = re.compile(r'name="csrf_token" value="[^"]+"')


def scrub(html: str, *ids: str) -> str:
    html = TOKEN.sub("", html)
    for i in ids:
        html = html.replace(i, "ID")
    return re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "ID", html)


def test_probe(flask_app: Flask, auth: Auth, client: FlaskClient, person: Callable[[Caller], Person]) -> None:
    setup, ids = world(auth, client)
    other = Setup(auth, client)
    setup.org("d")
    outsider = person(setup.partners["d"])
    auditor = person(auth.auditor(setup.partnership_id))
    rs = routes(setup, ids)
    token = csrf_of(outsider.client.get("/").text)
    for r in rs:
        fake = r
        for k in (setup.partnership_id, ids["cid"], ids["did"], ids["mid"]):
            fake = fake.replace(k, str(uuid.uuid4()))
        for method in ("GET", "POST"):
            kw = {"data": {"csrf_token": token}} if method == "POST" else {}
            a = outsider.client.open(r, method=method, **kw)
            b = outsider.client.open(fake, method=method, **kw)
            same = scrub(a.text) == scrub(b.text)
            print("OUTSIDER", method, r.split("/")[-1], a.status_code, b.status_code, "same" if same else "DIFF")
    atoken = csrf_of(auditor.client.get("/").text)
    for r in rs:
        g = auditor.client.get(r)
        p = auditor.client.post(r, data={"csrf_token": atoken})
        print("AUDITOR", r, g.status_code, p.status_code)
    # pages auditors can open: forms?
    for page in ["/", setup.url, f"{setup.url}/timeline", f"{setup.url}/versions/diff", "/map",
                 f"/organisations/{setup.orgs['a']}", f"/organisations/{setup.orgs['a']}/mandates",
                 "/organisations", "/partnerships", "/audit", f"/commitments/{ids['cid']}"]:
        g = auditor.client.get(page)
        forms = re.findall(r'<form[^>]*method="post"[^>]*action="([^"]*)"|<form[^>]*action="([^"]*)"[^>]*method="post"', g.text)
        print("AUDITOR PAGE", page, g.status_code, forms)

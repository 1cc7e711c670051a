"""Scratch probe (review): one hostile value at a time in otherwise valid forms."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from collab.stores import StoreConfig
from tests.api.conftest import Auth, Caller, make_app
from tests.api.setup_partnership import active_partnership
from tests.web.conftest import Person, csrf_of
from tests.web.test_forms_agreement import draft_form, negotiating
from tests.web.test_forms_commitments import cash
from tests.web.test_forms_membership import partnership_form
from tests.web.test_forms_organisations import organisation_form

if os.environ.get("PROBE_STORE"):

    @pytest.fixture
    def flask_app(request: pytest.FixtureRequest) -> Iterator[Flask]:
        config: StoreConfig = request.getfixturevalue(os.environ["PROBE_STORE"] + "_config")
        app = make_app(config)
        yield app
        app.extensions["collab"].close()

VALUES = ["a\x00b", "\x00", "a\x01\x1b[31mb", "é" * 3000, "9" * 40, "1e999", "-0"]


def test_probe(flask_app: Flask, auth: Auth, client: FlaskClient, person: Callable[[Caller], Person]) -> None:
    setup = active_partnership(auth, client)
    neg = negotiating(auth, client)
    broker, b = person(auth.broker), person(setup.partners["b"])
    cases = [
        (broker, "/organisations/new", organisation_form()),
        (broker, "/partnerships/new", partnership_form()),
        (b, f"{setup.url}/pledge", cash(setup)),
        (broker, f"{neg.url}/versions/new", draft_form(neg)),
        (broker, f"{setup.url}/decisions/new", {"body": "Assembly", "subject.action": "other",
                                               "subject.summary": "s",
                                               f"votes.{setup.orgs['a']}": "for"}),
    ]
    bad = []
    for who, path, form in cases:
        token = csrf_of(who.client.get("/").text)
        for key in [*form, "reason", "correlation_id", "effective_date", "on_behalf_of"]:
            for value in VALUES:
                before = setup.head()
                r = who.client.post(path, data={**form, key: value, "csrf_token": token})
                if r.status_code >= 500 or (r.status_code != 303 and setup.head() != before):
                    bad.append((path, key, value[:10], r.status_code))
                if r.status_code == 303:
                    bad.append(("ACCEPTED", path, key, value[:10]))
    # GETs with NUL
    pid = setup.partnership_id
    for url in [f"/partnerships/{pid}/versions/diff?from=%00", f"/partnerships/{pid}/versions/diff?to=1%00",
                "/map?country=%00", "/map?nuts=PT%00", "/map?country=P%00T", f"/partnerships/{pid}/pledge?min_position=%00",
                "/partnerships/%00/pledge", "/organisations/%00/mandates", "/commitments/%00/confirm",
                f"/organisations/{setup.orgs['a']}/mandates/%00/revocation",
                "/language?next=/%00", "/language?lang=%00", "/proofs/0", "/proofs/-1",
                "/proofs/" + "9" * 40, "/proofs/9223372036854775808", "/proofs/%00",
                f"/partnerships/{pid}/versions/diff?from=" + "9" * 40,
                f"/partnerships/{pid}/versions/diff?from=1&from=2&to=%FF",
                f"/partnerships/{pid}/versions/diff?min_position=" + "9" * 40,
                f"/partnerships/{pid}/versions/diff?min_position=9223372036854775808",
                f"/partnerships/{pid}/versions/diff?as_of=x",
                ]:
        for who in (broker, b):
            r = who.client.get(url)
            if r.status_code >= 500:
                bad.append(("GET", url, r.status_code))
    for x in bad:
        print(repr(x))
    assert not bad

"""Scratch probe (review): hostile inputs to every new page; prints any 5xx."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from collab.organisations.commands import GrantMandate
from tests.api.conftest import Auth, Caller
from tests.api.setup_partnership import Setup, active_partnership, command
from tests.web.conftest import Person, csrf_of

FIELDS = [
    "legal_name", "identifiers.0.scheme", "identifiers.0.id", "org_type", "sector",
    "territory.country", "territory.nuts", "territory.lau", "reason", "effective_date",
    "on_behalf_of", "correlation_id", "title", "need_statement", "partnership_type",
    "lead.organisation_id", "lead.roles", "classifications.0.vocabulary",
    "classifications.0.code", "organisation_id", "roles", "weight", "interest_group",
    "signatory", "terms.vision", "terms.shared_objectives.0", "terms.governance.rule",
    "terms.governance.quorum", "terms.governance.threshold", "terms.review_schedule",
    "terms.exit_notice_days", "terms.moving_on_strategy", "terms.period.start",
    "terms.period.end", "agreement_version", "text_hash", "body", "subject.action",
    "subject.organisation_id", "subject.summary", "contribution_type", "quantity.value",
    "quantity.unit", "valuation.method", "valuation.amount", "valuation.currency",
    "recipient", "period.start", "period.end", "conditions", "quantity", "delivered_on",
    "evidence", "broker_id", "scope", "partnership_id", "from", "until", "note",
]


def payloads(orgs: list[str]) -> list[MultiDict[str, str]]:
    weird = ["\x00", "a\x00b", "\x01\x1f\x7f", "\u202e\u200b", "\ud7ff\ufffe", "9" * 40,
             "1e999", "-1", "NaN", "Infinity", "x" * 5000, "", " ", "true", "[]", "{}",
             "../../", "²", "١٢"]
    found = [MultiDict()]
    for w in weird:
        found.append(MultiDict({f: w for f in FIELDS}))
    extra = [
        {"identifiers.².id": "x", "identifiers.².scheme": "PT-NIPPC"},
        {"terms.shared_objectives.²": "x"},
        {"terms.shared_objectives.99999": "x"},
        {"terms.shared_objectives.-1": "x"},
        {"votes.not-a-uuid": "for"},
        {"votes.": "for"},
        {"votes." + "a" * 3000: "for"},
        {"terms.member_objectives.x.²": "x"},
        {"terms.member_objectives..0": "x"},
        {"terms.member_objectives.not-uuid.0": "x"},
        {"terms.nonexistent.deep.name": "x"},
        {"quantity.value.x": "1"},
        {"identifiers.0": "x"},
        {"identifiers": "x"},
        {"terms": "x"},
        {"votes": "for"},
        {"classifications.0": "x"},
        {"lead": "x"},
        {"subject": "x"},
    ]
    for o in orgs:
        extra.append({f"votes.{o}": "maybe"})
        extra.append({f"votes.{o}": "for", "body": "b", "subject.action": "other"})
        extra.append({f"terms.member_objectives.{o}.²": "x"})
    for e in extra:
        found.append(MultiDict(e))
    dup = MultiDict([(f, "a") for f in FIELDS] + [(f, "\x00") for f in FIELDS])
    found.append(dup)
    return found


def world(auth: Auth, client: FlaskClient) -> tuple[Setup, dict[str, str]]:
    setup = active_partnership(auth, client)
    cid = setup.pledge("b", recipient="pool")
    did = setup.deliver("b", cid)
    out = setup.app.execute(
        setup.as_("a"), GrantMandate(organisation_id=setup.orgs["a"], broker_id=auth.broker.actor_id)
    )
    mid = out.result["mandate_id"]
    return setup, {"cid": cid, "did": did, "mid": mid}


def routes(setup: Setup, ids: dict[str, str]) -> list[str]:
    pid, oid = setup.partnership_id, setup.orgs["a"]
    cid, did, mid = ids["cid"], ids["did"], ids["mid"]
    p, c, d = f"/partnerships/{pid}", f"/commitments/{cid}", f"/commitments/{cid}/deliveries/{did}"
    return [
        "/organisations/new", f"/organisations/{oid}/mandates",
        f"/organisations/{oid}/mandates/{mid}/revocation", "/partnerships/new",
        f"{p}/invite", f"{p}/join", f"{p}/decline", f"{p}/withdraw", f"{p}/versions/new",
        f"{p}/amendments/new", f"{p}/open-for-signature", f"{p}/sign", f"{p}/reject-amendment",
        f"{p}/decisions/new", f"{p}/pledge", f"{c}/confirm", f"{c}/deliveries/new",
        f"{c}/withdraw", f"{d}/correct", f"{d}/confirm", f"{d}/dispute",
    ]


def test_probe(flask_app: Flask, auth: Auth, client: FlaskClient, person: Callable[[Caller], Person]) -> None:
    setup, ids = world(auth, client)
    outsider_org = setup.org("d")
    who = {
        "admin": auth.admin, "broker": auth.broker, "lead": setup.partners["a"],
        "b": setup.partners["b"], "auditor": auth.auditor(setup.partnership_id),
        "outsider": setup.partners["d"],
    }
    bad = []
    for name, caller in who.items():
        pp = person(caller)
        token = csrf_of(pp.client.get("/").text)
        for r in routes(setup, ids):
            g = pp.client.get(r)
            if g.status_code >= 500:
                bad.append((name, "GET", r, g.status_code))
            for i, data in enumerate(payloads(list(setup.orgs.values()))):
                data = MultiDict(data)
                data.add("csrf_token", token)
                before = setup.head()
                resp = pp.client.post(r, data=data)
                if resp.status_code >= 500:
                    bad.append((name, "POST", r, i, resp.status_code, dict(data)))
                if resp.status_code != 303 and setup.head() != before:
                    bad.append((name, "RECORDED-ON-REFUSAL", r, i, resp.status_code))
    for b in bad:
        print(repr(b)[:400])
    assert not bad, len(bad)


import os  # noqa: E402
from collections.abc import Iterator  # noqa: E402

import pytest  # noqa: E402

from collab.stores import StoreConfig  # noqa: E402
from tests.api.conftest import make_app  # noqa: E402

if os.environ.get("PROBE_STORE"):

    @pytest.fixture
    def flask_app(request: pytest.FixtureRequest) -> Iterator[Flask]:
        config: StoreConfig = request.getfixturevalue(os.environ["PROBE_STORE"] + "_config")
        app = make_app(config)
        yield app
        app.extensions["collab"].close()

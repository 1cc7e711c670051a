"""Partnerships over HTTP: initiation to entry into force, amendments, membership, refusals.

Every refusal is checked to record nothing (the log head is unchanged).
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

import pytest
import rfc8785
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from collab.commands import Context
from collab.domain.envelope import Actor
from collab.governance.commands import ApplyDecision, RecordDecision
from tests.api.conftest import TERRITORY, Auth, Caller, head, register_org

OTHER_TERRITORY = {"country": "ES", "nuts": "ES43"}
PROBLEM = "application/problem+json"


def terms(vision: str = "A shared vision", quorum: str = "50") -> dict[str, Any]:
    return {
        "vision": vision,
        "shared_objectives": ["Reach every village weekly"],
        "member_objectives": {},
        "governance": {"rule": "majority", "quorum": quorum},
        "review_schedule": "yearly",
        "exit_notice_days": 30,
        "moving_on_strategy": "replicate",
        "period": {"start": "2027-01-01", "end": "2028-12-31"},
    }


def initiation(**overrides: Any) -> dict[str, Any]:
    body = {
        "title": "Care rounds",
        "need_statement": "Isolated elders lack care",
        "territory": TERRITORY,
        "partnership_type": "social_innovation",
    }
    return {**body, **overrides}


def post(
    client: FlaskClient, path: str, caller: Caller, body: Any = None, **headers: str
) -> TestResponse:
    return client.post(
        f"/v1/partnerships{path}", json=body or {}, headers=caller.headers(**headers)
    )


def ok(response: TestResponse, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.json
    body: dict[str, Any] = response.json  # type: ignore[assignment]
    result: dict[str, Any] = body.get("result", body)  # a command's outcome, or a read
    return result


def refused(flask_app: Flask, response: TestResponse, before: int, status: int, code: str) -> None:
    """Then: the problem+json refusal, and nothing recorded."""
    assert response.status_code == status, response.json
    assert response.mimetype == PROBLEM
    assert response.json is not None
    assert response.json["type"] == f"urn:collab:problem:{code}"
    assert head(flask_app) == before


def versions(client: FlaskClient, pid: str, caller: Caller) -> dict[str, Any]:
    return ok(client.get(f"/v1/partnerships/{pid}/versions", headers=caller.headers()))


def partners(client: FlaskClient, auth: Auth, keys: tuple[str, ...]) -> dict[str, Caller]:
    """An organisation and a partner actor bound to it, per key."""
    return {key: auth.actor("partner", register_org(client, auth)) for key in keys}


def joined(client: FlaskClient, auth: Auth, keys: tuple[str, ...] = ("a", "b", "c")) -> Any:
    """A broker's partnership; `a` invited as lead, every member joined."""
    pid = ok(post(client, "", auth.broker, initiation()), 201)["partnership_id"]
    members = partners(client, auth, keys)
    for key, partner in members.items():
        roles = ["lead"] if key == keys[0] else ["implementer"]
        invite = {"organisation_id": partner.organisation_id, "roles": roles, "weight": 1}
        ok(post(client, f"/{pid}/members", auth.broker, invite), 201)
        ok(post(client, f"/{pid}/join", partner))
    return pid, members


def in_force(client: FlaskClient, auth: Auth) -> Any:
    pid, members = joined(client, auth)
    drafted = ok(post(client, f"/{pid}/versions", auth.broker, {"terms": terms()}), 201)
    ok(post(client, f"/{pid}/open-for-signature", auth.broker, {"agreement_version": 1}))
    for partner in members.values():
        ok(post(client, f"/{pid}/signatures", partner, {"text_hash": drafted["text_hash"]}), 201)
    return pid, members


def test_from_initiation_through_signatures_to_an_agreement_in_force_and_amendments(
    flask_app: Flask, client: FlaskClient, auth: Auth
) -> None:
    # Given a broker's partnership with three joined members
    created = post(client, "", auth.broker, initiation())
    assert created.status_code == 201
    assert created.headers["ETag"] == '"1"'
    assert created.headers["Collab-Position"] == str(head(flask_app))
    pid, members = joined(client, auth)
    a, b, c = members["a"], members["b"], members["c"]
    # When the broker drafts a version
    drafted = ok(post(client, f"/{pid}/versions", auth.broker, {"terms": terms()}), 201)
    # Then a partner reads the exact terms and recomputes the hash it will sign
    shown = versions(client, pid, a)
    assert shown["partnership_status"] == "negotiating"
    [version] = shown["items"]
    recomputed = hashlib.sha256(rfc8785.dumps(version["terms"])).hexdigest()
    assert recomputed == version["text_hash"] == drafted["text_hash"]
    assert version["terms"]["partnership_id"] == pid and version["terms"]["version"] == 1
    # When it is opened and every signatory signs that hash
    ok(post(client, f"/{pid}/open-for-signature", auth.broker, {"agreement_version": 1}))
    signed = [
        ok(post(client, f"/{pid}/signatures", p, {"text_hash": recomputed}), 201) for p in (a, b, c)
    ]
    # Then the last signature brought the agreement into force
    assert [s["entered_into_force"] for s in signed] == [False, False, True]
    shown = versions(client, pid, b)
    assert (shown["partnership_status"], shown["agreement_in_force"]) == ("active", 1)
    assert shown["items"][0]["signed_by"] == sorted(str(p.organisation_id) for p in (a, b, c))
    # When the broker proposes an amendment and every signatory signs it
    amended = ok(
        post(client, f"/{pid}/amendments", auth.broker, {"base_version": 1, "terms": terms("New")}),
        201,
    )
    for p in (a, b, c):
        ok(post(client, f"/{pid}/signatures", p, {"text_hash": amended["text_hash"]}), 201)
    # Then version 2 is in force and version 1 superseded
    shown = versions(client, pid, auth.broker)
    assert (shown["partnership_status"], shown["agreement_in_force"]) == ("active", 2)
    assert [v["status"] for v in shown["items"]] == ["superseded", "in_force"]
    # When a signatory proposes another amendment and another rejects it
    ok(post(client, f"/{pid}/amendments", b, {"base_version": 2, "terms": terms("Newer")}), 201)
    rejected = client.post(f"/v1/partnerships/{pid}/reject-amendment", headers=c.headers())
    # Then version 2 stays in force
    assert ok(rejected)["version"] == int(rejected.headers["ETag"].strip('"'))
    shown = versions(client, pid, a)
    assert (shown["partnership_status"], shown["agreement_in_force"]) == ("active", 2)
    assert shown["items"][2]["status"] == "rejected"
    assert shown["items"][2]["base_version"] == 2


def test_a_community_led_partnership_staffs_corrects_relates_and_is_cancelled(
    client: FlaskClient, auth: Auth
) -> None:
    # Given a partner whose organisation initiates, so it leads
    lead, invitee, leaver = partners(client, auth, ("lead", "invitee", "leaver")).values()
    body = initiation(lead={"weight": 2, "signatory": True})
    pid = ok(post(client, "", lead, body), 201)["partnership_id"]
    # When the lead assigns a broker, and that broker invites two organisations
    second = auth.actor("broker")
    ok(post(client, f"/{pid}/brokers", lead, {"broker_id": second.actor_id}), 201)
    for org in (invitee, leaver):
        invite = {"organisation_id": org.organisation_id, "roles": ["implementer"], "weight": 1}
        ok(post(client, f"/{pid}/members", second, invite), 201)
    # Then one declines; the other joins, then withdraws (no agreement: no notice)
    ok(post(client, f"/{pid}/decline", invitee))
    ok(post(client, f"/{pid}/join", leaver))
    assert ok(post(client, f"/{pid}/withdraw", leaver))["released_commitments"] == []
    # And the broker corrects the title and relates it to another partnership
    ok(post(client, f"/{pid}/corrections", second, {"changes": {"title": "Care walks"}}))
    # (a former member sees the partnership as it was when it left, not what came after)
    assert versions(client, pid, leaver)["version"] < versions(client, pid, lead)["version"]
    other = ok(post(client, "", auth.broker, initiation()), 201)["partnership_id"]
    relation = {"other_id": other, "relation": "scales"}
    # (a partnership it does not see is refused as an unknown id is, naming only that id)
    unknown = {**relation, "other_id": str(uuid.uuid4())}
    for refused in (relation, unknown):
        response = post(client, f"/{pid}/relations", second, refused)
        assert response.status_code == 404, response.json
        assert response.json["detail"] == f"no partnership {refused['other_id']}"  # type: ignore[index]
    ok(post(client, f"/{other}/brokers", auth.broker, {"broker_id": second.actor_id}), 201)
    ok(post(client, f"/{pid}/relations", second, relation), 201)
    # When the lead cancels it
    ok(post(client, f"/{pid}/cancel", lead))
    # Then it is cancelled, with its corrected title recorded
    partnership = auth.service.app.get_partnership(Actor(lead.actor_id, "admin"), pid)
    assert (partnership.status, partnership.title) == ("cancelled", "Care walks")
    assert [(r.partnership, r.relation, r.territory) for r in partnership.related] == [
        (other, "scales", None)
    ]


def test_a_practice_moving_on_is_transferred_to_a_new_partnership(
    client: FlaskClient, auth: Auth
) -> None:
    # Given a partnership in force that has decided to start moving on
    pid, members = in_force(client, auth)
    app, broker = auth.service.app, Context(Actor(auth.broker.actor_id, "broker"))
    votes = {str(p.organisation_id): "for" for p in members.values()}
    subject = {"action": "start_moving_on"}
    decided = app.execute(
        broker, RecordDecision(pid, body="Assembly", subject=subject, votes=votes)
    )
    app.execute(
        broker,
        ApplyDecision(pid, action="start_moving_on", decision_id=decided.result["decision_id"]),
    )
    # When the broker transfers the practice to another territory
    body = initiation(territory=OTHER_TERRITORY)
    del body["partnership_type"]
    new = ok(post(client, f"/{pid}/transfers", auth.broker, body), 201)["new_partnership_id"]
    # Then a new partnership starts, scoping, with the same type and its lineage
    started = versions(client, new, auth.broker)
    assert (started["partnership_status"], started["items"]) == ("scoping", [])
    lineage = app.get_partnership(broker.actor, new).related
    assert lineage[0].partnership == pid and lineage[0].relation == "replicates"


def test_authority_refusals_record_nothing(
    flask_app: Flask, client: FlaskClient, auth: Auth
) -> None:
    # Given a partnership awaiting signatures, and callers around it
    pid, members = joined(client, auth)
    drafted = ok(post(client, f"/{pid}/versions", auth.broker, {"terms": terms()}), 201)
    opened = post(client, f"/{pid}/open-for-signature", auth.broker, {"agreement_version": 1})
    stranger = partners(client, auth, ("x",))["x"]
    granted, ungranted = auth.auditor(pid), auth.auditor()
    before = head(flask_app)
    # Then a partner of another organisation sees nothing of it: 404
    refused(flask_app, post(client, f"/{pid}/cancel", stranger), before, 404, "not-found")
    shown = client.get(f"/v1/partnerships/{pid}/versions", headers=stranger.headers())
    refused(flask_app, shown, before, 404, "not-found")
    # And a member that is neither lead nor broker may not cancel: 403
    refused(flask_app, post(client, f"/{pid}/cancel", members["b"]), before, 403, "forbidden")
    # And an auditor never writes: 403 where granted (visible), 404 where not
    refused(flask_app, post(client, f"/{pid}/cancel", granted), before, 403, "forbidden")
    refused(flask_app, post(client, f"/{pid}/cancel", ungranted), before, 404, "not-found")
    assert versions(client, pid, granted)["partnership_status"] == "awaiting_signatures"
    # And a stale If-Match is 412, the current one goes through to the domain rules
    stale = post(client, f"/{pid}/cancel", auth.broker, **{"If-Match": '"1"'})
    refused(flask_app, stale, before, 412, "stale-version")
    # And a domain rule refuses a signature on a hash that is not open: 409
    wrong = {"text_hash": hashlib.sha256(b"other terms").hexdigest()}
    signing = post(client, f"/{pid}/signatures", members["a"], wrong)
    refused(flask_app, signing, before, 409, "rule-violation")
    # While the hash open for signature, under the current ETag, is accepted
    current = {"If-Match": opened.headers["ETag"]}
    right = {"text_hash": drafted["text_hash"]}
    ok(post(client, f"/{pid}/signatures", members["a"], right, **current), 201)


def test_an_invited_organisation_sees_its_invitation_only_not_the_terms(
    flask_app: Flask, client: FlaskClient, auth: Auth
) -> None:
    # Given an organisation invited to a partnership with a drafted version
    pid = ok(post(client, "", auth.broker, initiation()), 201)["partnership_id"]
    invitee = partners(client, auth, ("i",))["i"]
    invite = {"organisation_id": invitee.organisation_id, "roles": ["funder"], "weight": 1}
    ok(post(client, f"/{pid}/members", auth.broker, invite), 201)
    ok(post(client, f"/{pid}/versions", auth.broker, {"terms": terms()}), 201)
    # Then the terms are not visible to it until it joins
    shown = client.get(f"/v1/partnerships/{pid}/versions", headers=invitee.headers())
    refused(flask_app, shown, head(flask_app), 404, "not-found")
    ok(post(client, f"/{pid}/join", invitee))
    assert len(versions(client, pid, invitee)["items"]) == 1


def test_an_idempotency_key_replays_the_outcome_and_refuses_another_body(
    flask_app: Flask, client: FlaskClient, auth: Auth
) -> None:
    # Given an invitation sent with an idempotency key
    pid = ok(post(client, "", auth.broker, initiation()), 201)["partnership_id"]
    org = register_org(client, auth)
    invite = {"organisation_id": org, "roles": ["funder"], "weight": 1}
    key = {"Idempotency-Key": uuid.uuid4().hex}
    first = post(client, f"/{pid}/members", auth.broker, invite, **key)
    assert first.status_code == 201
    before = head(flask_app)
    # When it is sent again
    again = post(client, f"/{pid}/members", auth.broker, invite, **key)
    # Then the same outcome comes back, marked as a replay, and nothing new is recorded
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert {**again.json, "replayed": False} == first.json  # type: ignore[dict-item]
    assert again.headers["ETag"] == first.headers["ETag"]
    assert head(flask_app) == before
    # And the same key with another body is refused
    changed = post(client, f"/{pid}/members", auth.broker, {**invite, "weight": 2}, **key)
    refused(flask_app, changed, before, 422, "idempotency-key-reuse")


SIGNATURE = {"text_hash": "A" * 64}
BAD_INPUT = [
    ("", initiation(colour="blue")),
    ("", initiation(lead={"weight": 1, "mandate": "x"})),
    ("/{pid}/signatures", SIGNATURE),
    ("/{pid}/versions", {"terms": {**terms(), "governance": {"rule": "majority", "quorum": 50}}}),
    ("/{pid}/versions", {"terms": terms(quorum="5e1")}),
    ("/{pid}/members", {"organisation_id": str(uuid.uuid4()), "roles": ["x"], "weight": 1}),
    ("/{pid}/members", {"organisation_id": str(uuid.uuid4()), "roles": [], "weight": 1}),
    ("/{pid}/open-for-signature", {"agreement_version": "1"}),
    ("/{pid}/join", {"unknown": True}),
]


@pytest.mark.parametrize(("path", "body"), BAD_INPUT)
def test_bad_input_is_a_422_problem_and_records_nothing(
    flask_app: Flask, client: FlaskClient, auth: Auth, path: str, body: dict[str, Any]
) -> None:
    # Given a partnership, and an invited organisation's partner (members sign and join:
    # authority is checked before the body, so the sender is one who may act)
    pid = ok(post(client, "", auth.broker, initiation()), 201)["partnership_id"]
    org = register_org(client, auth)
    invite = {"organisation_id": org, "roles": ["implementer"], "weight": 1}
    ok(post(client, f"/{pid}/members", auth.broker, invite), 201)
    sender = auth.actor("partner", org) if path in ("/{pid}/signatures", "/{pid}/join") else None
    before = head(flask_app)
    # When a request breaks the schema (unknown field, upper-case hash, number for decimal)
    response = post(client, path.format(pid=pid), sender or auth.broker, body)
    # Then it is a 422 problem naming the field, and nothing is recorded
    refused(flask_app, response, before, 422, "invalid-input")
    assert response.json is not None and response.json["errors"]


def test_invitation_flags_are_strict_booleans(
    flask_app: Flask, client: FlaskClient, auth: Auth
) -> None:
    # Given a partnership and a registered organisation
    pid = ok(post(client, "", auth.broker, initiation()), 201)["partnership_id"]
    org = register_org(client, auth)
    before = head(flask_app)
    invite: dict[str, Any] = {"organisation_id": org, "roles": ["funder"], "weight": 1}
    invite["signatory"] = 1
    # When the signatory flag is a number, then it is refused
    response = post(client, f"/{pid}/members", auth.broker, invite)
    refused(flask_app, response, before, 422, "invalid-input")
    # When it is left out, then the service's default applies: a signatory member
    del invite["signatory"]
    ok(post(client, f"/{pid}/members", auth.broker, invite), 201)
    partnership = auth.service.app.get_partnership(Actor(auth.broker.actor_id, "broker"), pid)
    assert partnership.members[org].signatory is True

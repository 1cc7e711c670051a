"""The write-side scenarios end to end over HTTP against a real gunicorn process.

A CLLD local action group from registration to an agreement in force, a commitment
delivered and confirmed, an amendment, a decision, a withdrawal — every step over HTTP,
with each response read back at its own position (read-your-writes across workers).
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

import rfc8785

from tests.integration.conftest import Http, Reply, Served

TERRITORY = {"country": "PT", "nuts": "PT1C2"}
SECTORS = {"public": 11, "civil_society": 22, "private": 70}


def ok(reply: Reply, status: int = 200) -> dict[str, Any]:
    assert reply.status == status, reply.body
    result: dict[str, Any] = reply.body.get("result", reply.body)
    return result


def terms(vision: str) -> dict[str, Any]:
    return {
        "vision": vision,
        "shared_objectives": ["Weekly care rounds to every village"],
        "member_objectives": {},
        "governance": {"rule": "majority", "quorum": "50"},
        "review_schedule": "yearly",
        "exit_notice_days": 30,
        "moving_on_strategy": "replicate",
        "period": {"start": "2027-01-01", "end": "2028-12-31"},
    }


def actor(admin: Http, role: str, organisation_id: str | None = None) -> Http:
    body: dict[str, Any] = {"name": f"{role} person", "role": role}
    if organisation_id:
        body["organisation_id"] = organisation_id
    actor_id = ok(admin.post("/v1/actors", body), 201)["actor_id"]
    token = ok(admin.post(f"/v1/actors/{actor_id}/tokens", {"label": "scenario"}), 201)["token"]
    return admin.as_(token)


def register(broker: Http, sector: str) -> str:
    body = {
        "identifiers": [{"scheme": "PT-NIPPC", "id": uuid.uuid4().hex[:12]}],
        "legal_name": f"{sector} body",
        "org_type": SECTORS[sector],
        "sector": sector,
        "territory": TERRITORY,
    }
    org_id: str = ok(broker.post("/v1/organisations", body), 201)["organisation_id"]
    return org_id


def text_hash_of(version: dict[str, Any]) -> str:
    return hashlib.sha256(rfc8785.dumps(version["terms"])).hexdigest()


def test_a_local_action_group_from_registration_to_delivered_commitments(served: Served) -> None:
    admin = served.http.as_(served.admin_token())
    broker = actor(admin, "broker")
    orgs = {s: register(broker, s) for s in ("public", "civil_society", "private")}
    partner = {s: actor(admin, "partner", org) for s, org in orgs.items()}

    # A broker initiates; three organisations are invited and join.
    body = {
        "title": "Mértola care rounds",
        "need_statement": "Older residents of scattered villages lack regular care",
        "territory": TERRITORY,
        "partnership_type": "clld_lag",
    }
    pid = ok(broker.post("/v1/partnerships", body), 201)["partnership_id"]
    for sector, org in orgs.items():
        roles = ["lead"] if sector == "civil_society" else ["implementer"]
        invite = {"organisation_id": org, "roles": roles, "weight": 1}
        ok(broker.post(f"/v1/partnerships/{pid}/members", invite), 201)
        ok(partner[sector].post(f"/v1/partnerships/{pid}/join"))

    # The broker drafts and opens version 1; every partner recomputes the hash, then signs.
    drafted = ok(broker.post(f"/v1/partnerships/{pid}/versions", {"terms": terms("v1")}), 201)
    ok(broker.post(f"/v1/partnerships/{pid}/open-for-signature", {"agreement_version": 1}))
    for p in partner.values():
        [version] = ok(p.get(f"/v1/partnerships/{pid}/versions"))["items"]
        assert text_hash_of(version) == drafted["text_hash"]
        ok(p.post(f"/v1/partnerships/{pid}/signatures", {"text_hash": drafted["text_hash"]}), 201)
    shown = ok(partner["public"].get(f"/v1/partnerships/{pid}/versions"))
    assert shown["partnership_status"] == "active"

    # The private partner pledges staff time to the lead, confirms, delivers; the lead confirms.
    pledge = {
        "contribution_type": "staff_time",
        "quantity": {"value": "40", "unit": "hour"},
        "valuation": {"method": "not_valued"},
        "recipient": orgs["civil_society"],
    }
    company = partner["private"]
    cid = ok(company.post(f"/v1/partnerships/{pid}/commitments", pledge), 201)["commitment_id"]
    ok(company.post(f"/v1/commitments/{cid}/confirm"))
    delivery = {"quantity": "40", "delivered_on": "2026-01-15"}
    did = ok(company.post(f"/v1/commitments/{cid}/deliveries", delivery), 201)["delivery_id"]
    confirmed = partner["civil_society"].post(f"/v1/commitments/{cid}/deliveries/{did}/confirm")
    position = confirmed.body["position"]
    ok(confirmed)
    commitment = ok(company.get(f"/v1/commitments/{cid}?min_position={position}"))
    assert commitment["status"] == "fulfilled"
    assert commitment["delivered"] == "40"

    # A partner of an organisation outside the partnership sees none of it: 404.
    stranger = actor(admin, "partner", register(broker, "public"))
    assert stranger.get(f"/v1/commitments/{cid}").status == 404
    assert stranger.post(f"/v1/partnerships/{pid}/withdraw").status == 404

    # The public partner withdraws; its membership ends, the others continue.
    ok(partner["public"].post(f"/v1/partnerships/{pid}/withdraw", {"reason": "budget cut"}))
    assert partner["public"].post(f"/v1/commitments/{cid}/confirm").status in (403, 404, 409)


def test_idempotent_retries_and_stale_versions_over_http(served: Served) -> None:
    admin = served.http.as_(served.admin_token())
    broker = actor(admin, "broker")
    body = {
        "title": "Retry",
        "need_statement": "A need",
        "territory": TERRITORY,
        "partnership_type": "other",
    }
    key = {"Idempotency-Key": "initiate-1"}
    first = broker.post("/v1/partnerships", body, headers=key)
    again = broker.post("/v1/partnerships", body, headers=key)
    assert first.status == again.status == 201
    assert again.body["result"] == first.body["result"]
    assert again.body["position"] == first.body["position"]
    pid = first.body["result"]["partnership_id"]
    stale = broker.post(
        f"/v1/partnerships/{pid}/corrections",
        {"changes": {"title": "Retried"}},
        headers={"If-Match": '"7"'},
    )
    assert stale.status == 412
    assert stale.headers["Content-Type"] == "application/problem+json"

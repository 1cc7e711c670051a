"""Organisations over HTTP: register, read, list; strict input; nothing recorded on refusal."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.api.conftest import Auth, head, organisation_body, register_org


def test_a_broker_registers_an_organisation_and_reads_it_back(
    flask_app: Flask, client: FlaskClient, auth: Auth
) -> None:
    # When a broker registers an organisation
    response = client.post(
        "/v1/organisations", json=organisation_body("public"), headers=auth.broker.headers()
    )
    # Then the outcome names it, with its log position in the body and the header
    assert response.status_code == 201
    body = response.json
    assert body is not None
    org_id = body["result"]["organisation_id"]
    assert response.headers["Collab-Position"] == str(body["position"]) == str(head(flask_app))
    assert response.headers["ETag"] == '"1"'
    # And anyone authenticated reads it, from the register and from the list
    partner = auth.actor("partner", org_id)
    shown = client.get(f"/v1/organisations/{org_id}", headers=partner.headers())
    assert shown.status_code == 200
    assert shown.json is not None
    assert shown.json["sector"] == "public"
    assert shown.headers["ETag"] == '"1"'
    listed = client.get("/v1/organisations?sector=public", headers=partner.headers()).json
    assert listed is not None
    assert [o["organisation_id"] for o in listed["items"]] == [org_id]


def test_a_partner_may_not_register_and_nothing_is_recorded(
    flask_app: Flask, client: FlaskClient, auth: Auth
) -> None:
    org_id = register_org(client, auth)
    partner = auth.actor("partner", org_id)
    before = head(flask_app)
    response = client.post("/v1/organisations", json=organisation_body(), headers=partner.headers())
    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"
    assert head(flask_app) == before


def test_the_register_pages_with_opaque_cursors(client: FlaskClient, auth: Auth) -> None:
    made = {register_org(client, auth) for _ in range(5)}
    seen: list[str] = []
    cursor = None
    for _ in range(5):
        query = "/v1/organisations?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(query, headers=auth.broker.headers()).json
        assert page is not None
        seen += [o["organisation_id"] for o in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(made)

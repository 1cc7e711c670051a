"""Regressions found by the stress tier (tests/stress), kept fast here.

- A JSON integer longer than Python's int() limit (4,300 digits) made `json.loads` raise a
  plain ValueError, which the strict parser did not catch: a 500 (tests/stress
  test_hostile_http.py, "5000 digits").
- Revoking a token with U+0000 in the actor or token id reached PostgreSQL, whose text
  columns refuse NUL: a 500 (test_hostile_http.py, injections in every identifier).
"""

from __future__ import annotations

from flask import Flask

from tests.api.conftest import Auth, head, organisation_body


def test_an_integer_past_the_digit_limit_is_a_422_and_records_nothing(flask_app: Flask) -> None:
    # Given a broker, and a registration whose org_type has 5,000 digits
    broker = Auth(flask_app).broker
    body = organisation_body()
    raw = flask_app.json.dumps(body).replace('"org_type": 22', '"org_type": ' + "9" * 5000)
    before = head(flask_app)
    # When it is posted
    response = flask_app.test_client().post(
        "/v1/organisations",
        data=raw,
        headers=broker.headers(**{"Content-Type": "application/json"}),
    )
    # Then it is refused as invalid JSON (naming no library), and nothing is recorded
    assert response.status_code == 422, response.data[:300]
    assert response.mimetype == "application/problem+json"
    assert response.json is not None
    assert response.json["type"] == "urn:collab:problem:invalid-json"
    assert "sys." not in response.json["detail"]
    assert head(flask_app) == before


def test_a_nul_in_a_token_revocation_is_a_404_on_every_store(durable_app: Flask) -> None:
    # Given an admin with a live token
    admin = Auth(durable_app).admin
    client = durable_app.test_client()
    tokens = client.get(f"/v1/actors/{admin.actor_id}/tokens", headers=admin.headers())
    token_id = tokens.json["items"][0]["token_id"]  # type: ignore[index]
    # When a revocation names U+0000 in the actor id or in the token id
    for path in (
        f"/v1/actors/%00/tokens/{token_id}",
        f"/v1/actors/a%00b/tokens/{token_id}",
        f"/v1/actors/{admin.actor_id}/tokens/%00",
        f"/v1/actors/{admin.actor_id}/tokens/a%00b",
    ):
        response = client.delete(path, headers=admin.headers())
        # Then no such actor or token: 404 problem+json, never a 500
        assert response.status_code == 404, (path, response.data[:300])
        assert response.mimetype == "application/problem+json"
    # And the admin's token still works
    assert client.get("/v1/actors/me", headers=admin.headers()).status_code == 200

"""Bad input: each case a specific problem+json answer, and nothing recorded."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.api.conftest import Auth, head, organisation_body

PROBLEM = "application/problem+json"


def refused(
    flask_app: Flask, client: FlaskClient, auth: Auth, status: int, type_: str, **request: Any
) -> dict[str, Any]:
    """POST to /v1/organisations; assert the problem and that the log did not move."""
    headers = {**auth.broker.headers(), **request.pop("headers", {})}
    before = head(flask_app)
    response = client.post("/v1/organisations", headers=headers, **request)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.json
    assert body is not None
    assert body["type"] == f"urn:collab:problem:{type_}"
    assert body["status"] == status
    assert head(flask_app) == before
    return body


def test_malformed_json_is_422(flask_app: Flask, client: FlaskClient, auth: Auth) -> None:
    body = refused(
        flask_app,
        client,
        auth,
        422,
        "invalid-json",
        data=b'{"legal_name": "x",',
        content_type="application/json",
    )
    assert "malformed" in body["detail"]


def test_a_wrong_content_type_is_415(flask_app: Flask, client: FlaskClient, auth: Auth) -> None:
    refused(
        flask_app,
        client,
        auth,
        415,
        "unsupported-media-type",
        data=b"legal_name=x",
        content_type="application/x-www-form-urlencoded",
    )


def test_unknown_fields_are_named(flask_app: Flask, client: FlaskClient, auth: Auth) -> None:
    body = refused(
        flask_app, client, auth, 422, "invalid-input", json=organisation_body(colour="blue")
    )
    assert body["errors"] == {"colour": ["Unknown field."]}


def test_duplicate_keys_are_422(flask_app: Flask, client: FlaskClient, auth: Auth) -> None:
    raw = b'{"legal_name": "a", "legal_name": "b"}'
    body = refused(
        flask_app, client, auth, 422, "invalid-json", data=raw, content_type="application/json"
    )
    assert "duplicate key 'legal_name'" in body["detail"]


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_non_json_constants_are_422(
    flask_app: Flask, client: FlaskClient, auth: Auth, constant: str
) -> None:
    raw = f'{{"org_type": {constant}}}'.encode()
    refused(flask_app, client, auth, 422, "invalid-json", data=raw, content_type="application/json")


def test_a_float_for_an_integer_is_422(flask_app: Flask, client: FlaskClient, auth: Auth) -> None:
    body = refused(
        flask_app, client, auth, 422, "invalid-input", json=organisation_body(org_type=11.0)
    )
    assert "org_type" in body["errors"]


def test_deep_nesting_is_refused_before_parsing(
    flask_app: Flask, client: FlaskClient, auth: Auth
) -> None:
    raw = b'{"legal_name": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    refused(flask_app, client, auth, 422, "invalid-json", data=raw, content_type="application/json")


def test_a_lone_surrogate_is_422(flask_app: Flask, client: FlaskClient, auth: Auth) -> None:
    raw = b'{"identifiers": [{"scheme": "PT-NIPPC", "id": "1"}], "legal_name": "\\ud800", '
    raw += b'"org_type": 11, "sector": "public", "territory": {"country": "PT"}}'
    body = refused(
        flask_app, client, auth, 422, "invalid-input", data=raw, content_type="application/json"
    )
    assert "legal_name" in body["errors"]


def test_a_body_over_the_size_limit_is_413(
    flask_app: Flask, client: FlaskClient, auth: Auth
) -> None:
    limit = flask_app.config["MAX_CONTENT_LENGTH"]
    refused(
        flask_app,
        client,
        auth,
        413,
        "request-entity-too-large",
        data=b'{"legal_name": "' + b"x" * limit + b'"}',
        content_type="application/json",
    )


def test_a_json_array_body_is_422(flask_app: Flask, client: FlaskClient, auth: Auth) -> None:
    refused(flask_app, client, auth, 422, "invalid-json", json=[organisation_body()])


def test_no_credential_is_401_before_the_body_is_read(
    flask_app: Flask, client: FlaskClient
) -> None:
    before = head(flask_app)
    response = client.post("/v1/organisations", data=b"not json", content_type="application/json")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert head(flask_app) == before


def test_a_revoked_token_is_401(flask_app: Flask, client: FlaskClient, auth: Auth) -> None:
    admin = auth.admin
    listed = client.get(f"/v1/actors/{admin.actor_id}/tokens", headers=admin.headers()).json
    assert listed is not None
    (token,) = listed["items"]
    gone = client.delete(
        f"/v1/actors/{admin.actor_id}/tokens/{token['token_id']}", headers=admin.headers()
    )
    assert gone.status_code == 204
    assert client.get("/v1/actors/me", headers=admin.headers()).status_code == 401


def test_a_wrong_method_is_405_with_allow(client: FlaskClient, auth: Auth) -> None:
    response = client.delete("/v1/organisations", headers=auth.broker.headers())
    assert response.status_code == 405
    assert response.mimetype == PROBLEM
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}


def test_an_unknown_path_is_404_problem(client: FlaskClient, auth: Auth) -> None:
    response = client.get("/v1/nothing-here", headers=auth.broker.headers())
    assert response.status_code == 404
    assert response.mimetype == PROBLEM


@pytest.mark.parametrize("query", ["limit=0", "limit=501", "limit=x", "cursor=%%%", "colour=1"])
def test_bad_list_parameters_are_422(client: FlaskClient, auth: Auth, query: str) -> None:
    response = client.get(f"/v1/organisations?{query}", headers=auth.broker.headers())
    assert response.status_code == 422, response.json
    assert response.mimetype == PROBLEM


def test_a_malformed_if_match_is_422(flask_app: Flask, client: FlaskClient, auth: Auth) -> None:
    refused(
        flask_app,
        client,
        auth,
        422,
        "invalid-if-match",
        json=organisation_body(),
        headers={"If-Match": "three"},
    )


def test_an_idempotency_key_replays_and_refuses_a_different_body(
    flask_app: Flask, client: FlaskClient, auth: Auth
) -> None:
    body = organisation_body()
    key = {"Idempotency-Key": "register-1"}
    first = client.post("/v1/organisations", json=body, headers=auth.broker.headers(**key))
    after_first = head(flask_app)
    again = client.post("/v1/organisations", json=body, headers=auth.broker.headers(**key))
    assert first.status_code == again.status_code == 201
    assert again.json is not None and first.json is not None
    assert again.json["result"] == first.json["result"]
    assert again.json["replayed"] is True
    assert head(flask_app) == after_first
    refused(
        flask_app,
        client,
        auth,
        422,
        "idempotency-key-reuse",
        json=organisation_body(),
        headers=key,
    )

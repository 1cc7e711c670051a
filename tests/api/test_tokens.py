"""Bearer tokens over HTTP (DESIGN §3): a lifetime bounded by COLLAB_TOKEN_MAX_DAYS and by
the calling token's own expiry, and one 401 body for every credential that fails."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from api import create_app
from api.auth import DETAIL
from api.credentials import TokenInfo
from api.service import Service, Settings
from collab.actors.commands import DisableActor
from collab.actors.handlers import OPERATOR
from collab.commands import Context
from collab.domain.envelope import rfc3339
from collab.stores import StoreConfig
from tests.api.conftest import Auth, Caller, head, organisation_body
from tests.application.conftest import TEST_NOW, Clock

PROBLEM = "application/problem+json"
MAX = "must be at most 90 (COLLAB_TOKEN_MAX_DAYS)"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def flask_app(store_config: StoreConfig, clock: Clock) -> Iterator[Flask]:
    """The API on each store (memory, SQLite, PostgreSQL), on a clock the test moves."""
    app = create_app(Settings(store=store_config, mode="embedded", clock=clock))
    yield app
    app.extensions["collab"].close()


def service_of(flask_app: Flask) -> Service:
    svc: Service = flask_app.extensions["collab"]
    return svc


def tokens_of(flask_app: Flask, actor_id: str) -> list[TokenInfo]:
    return service_of(flask_app).credentials.list(actor_id)


def expiry_of(flask_app: Flask, caller: Caller) -> str:
    """When the caller's own token expires (each test caller holds one token)."""
    (info,) = tokens_of(flask_app, caller.actor_id)
    return info.expires_at


def mint(client: FlaskClient, caller: Caller, actor_id: str, **body: Any) -> TestResponse:
    return client.post(f"/v1/actors/{actor_id}/tokens", json=body, headers=caller.headers())


def minted(client: FlaskClient, caller: Caller, actor_id: str, **body: Any) -> dict[str, Any]:
    response = mint(client, caller, actor_id, **body)
    assert response.status_code == 201, response.get_data(as_text=True)
    issued: dict[str, Any] = response.json  # type: ignore[assignment]
    return issued


def refused(
    flask_app: Flask, client: FlaskClient, caller: Caller, actor_id: str, **body: Any
) -> dict[str, Any]:
    """Then: 422 problem+json naming `days`; no token issued and nothing logged."""
    before, kept = head(flask_app), tokens_of(flask_app, actor_id)
    response = mint(client, caller, actor_id, **body)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    problem: dict[str, Any] = response.json  # type: ignore[assignment]
    assert problem["type"] == "urn:collab:problem:invalid-input"
    assert problem["title"] == "Invalid input" and problem["status"] == 422
    assert list(problem["errors"]) == ["days"]
    assert head(flask_app) == before and tokens_of(flask_app, actor_id) == kept
    return problem


def long_lived(auth: Auth, role: str, days: int) -> Caller:
    """An actor holding a token of `days` (as a legacy ten-year token would be)."""
    caller = auth.actor(role)
    svc = auth.service
    svc.credentials.revoke(tokens_of(auth.app, caller.actor_id)[0].token_id, svc.now())
    token, _ = svc.credentials.issue(caller.actor_id, "long", svc.now(), days)
    return Caller(caller.actor_id, role, token)


def test_a_lifetime_past_the_maximum_is_422_naming_days(
    flask_app: Flask, client: FlaskClient, auth: Auth
) -> None:
    # Given an admin holding a ten-year token (minted before the maximum existed)
    admin = long_lived(auth, "admin", 3650)
    broker = auth.broker
    for target in (admin.actor_id, broker.actor_id):
        # When it asks for 91 days, for itself or for another actor
        problem = refused(flask_app, client, admin, target, days=91)
        # Then the maximum is named, and nothing is issued
        assert problem["errors"] == {"days": [MAX]}
        assert problem["detail"] == f"days: {MAX}"
        # And 90 days is issued, and so is the default (COLLAB_TOKEN_DAYS, 90)
        ninety = rfc3339(TEST_NOW + timedelta(days=90))
        assert minted(client, admin, target, days=90)["expires_at"] == ninety
        assert minted(client, admin, target)["expires_at"] == ninety


def test_a_token_cannot_mint_one_that_outlives_it(
    flask_app: Flask, client: FlaskClient, auth: Auth
) -> None:
    # Given a broker whose token expires in 30 days
    broker = auth.broker
    own = expiry_of(flask_app, broker)
    assert own == rfc3339(TEST_NOW + timedelta(days=30))
    # When it asks for a token of 31 days
    problem = refused(flask_app, client, broker, broker.actor_id, days=31)
    # Then the refusal says why and what it may ask for
    reason = (
        f"would outlive the calling token, which expires at {own}: "
        "ask for at most 30, or omit days for a token that expires with it"
    )
    assert problem["errors"] == {"days": [reason]}
    # And 30 days expires with its own token; the default (90) is cut to it
    assert minted(client, broker, broker.actor_id, days=30)["expires_at"] == own
    assert minted(client, broker, broker.actor_id)["expires_at"] == own


def test_an_admin_minting_for_another_actor_is_bounded_by_its_own_token(
    flask_app: Flask, client: FlaskClient, auth: Auth
) -> None:
    # Given an admin whose token expires in 30 days, and a broker
    admin, broker = auth.admin, long_lived(auth, "broker", 90)
    own = expiry_of(flask_app, admin)
    # When the admin asks for a 31-day token for the broker, Then it is refused
    problem = refused(flask_app, client, admin, broker.actor_id, days=31)
    assert own in problem["errors"]["days"][0]
    # And the broker's default token expires with the admin's
    issued = minted(client, admin, broker.actor_id, label="laptop")
    assert (issued["actor_id"], issued["expires_at"]) == (broker.actor_id, own)
    # While the broker, holding a longer token, may mint itself up to the maximum
    ninety = rfc3339(TEST_NOW + timedelta(days=90))
    assert minted(client, broker, broker.actor_id, days=90)["expires_at"] == ninety


def test_the_bound_follows_the_calling_token_as_time_passes(
    flask_app: Flask, client: FlaskClient, auth: Auth, clock: Clock
) -> None:
    # Given a partner's 30-day token, twenty days on
    partner = auth.broker
    own = expiry_of(flask_app, partner)
    clock.now = TEST_NOW + timedelta(days=20)
    # Then it may ask for ten days, not eleven
    problem = refused(flask_app, client, partner, partner.actor_id, days=11)
    assert "ask for at most 10, or omit days" in problem["detail"]
    rotated = minted(client, partner, partner.actor_id, days=10)
    assert rotated["expires_at"] == own
    # And twelve hours before its end, not even one day; the default ends with it
    clock.now = TEST_NOW + timedelta(days=29, hours=12)
    problem = refused(flask_app, client, partner, partner.actor_id, days=1)
    assert problem["errors"] == {
        "days": [
            f"would outlive the calling token, which expires at {own}: "
            "omit days for a token that expires with it"
        ]
    }
    assert minted(client, partner, partner.actor_id)["expires_at"] == own
    # And a token minted by a token is bounded the same way: the chain never outlives it
    second = Caller(partner.actor_id, "broker", rotated["token"])
    refused(flask_app, client, second, partner.actor_id, days=1)
    assert minted(client, second, partner.actor_id)["expires_at"] == own


@pytest.mark.parametrize("days", [0, -1, 3651, 10**20, "5", True, 1.5])
def test_days_outside_the_schema_are_422(
    flask_app: Flask, client: FlaskClient, auth: Auth, days: Any
) -> None:
    admin = auth.admin
    problem = refused(flask_app, client, admin, admin.actor_id, days=days)
    assert problem["detail"]


@pytest.fixture
def failed_credentials(auth: Auth) -> dict[str, dict[str, str]]:
    """Authorization headers that must all fail, each for a different reason."""
    svc = auth.service

    def bearer(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    expired = auth.actor("broker")
    old, _ = svc.credentials.issue(expired.actor_id, "old", TEST_NOW - timedelta(days=31), 30)
    revoked = auth.actor("broker")
    svc.credentials.revoke(tokens_of(auth.app, revoked.actor_id)[0].token_id, svc.now())
    disabled = auth.actor("broker")
    svc.app.execute(Context(OPERATOR), DisableActor(disabled.actor_id))
    ghost, _ = svc.credentials.issue(str(uuid.uuid4()), "ghost", svc.now(), 30)
    return {
        "no header": {},
        "another scheme": {"Authorization": "Basic dXNlcjpwdw=="},
        "no token": {"Authorization": "Bearer "},
        "the scheme alone": {"Authorization": "Bearer"},
        "unknown token": bearer("collab_" + uuid.uuid4().hex),
        "expired token": bearer(old),
        "revoked token": bearer(revoked.token),
        "disabled actor": bearer(disabled.token),
        "actor never enrolled": bearer(ghost),
    }


def test_every_failed_credential_gets_one_byte_identical_401(
    flask_app: Flask, client: FlaskClient, auth: Auth, failed_credentials: dict[str, Any]
) -> None:
    # Given a well-formed registration, and credentials failing for different reasons
    body, same_request_id = organisation_body(), {"X-Request-Id": "one-request"}
    before = head(flask_app)
    answers = {}
    for reason, headers in failed_credentials.items():
        # When each is sent
        response = client.post(
            "/v1/organisations", json=body, headers={**headers, **same_request_id}
        )
        # Then each is a 401 problem with the challenge
        assert response.status_code == 401, reason
        assert response.mimetype == PROBLEM, reason
        assert response.headers["WWW-Authenticate"] == 'Bearer realm="collab"', reason
        answers[reason] = response.get_data()
    # And the bodies are byte for byte one body, which says nothing of the reason
    assert len(set(answers.values())) == 1, answers
    assert client.post("/v1/organisations", json=body, headers=same_request_id).json == {
        "type": "urn:collab:problem:unauthenticated",
        "title": "Authentication required",
        "status": 401,
        "detail": DETAIL,
        "instance": "urn:collab:request:one-request",
    }
    # And nothing was recorded, though a live token registers the same body
    assert head(flask_app) == before
    live = client.post("/v1/organisations", json=body, headers=auth.broker.headers())
    assert live.status_code == 201


def env(**settings: str) -> dict[str, str]:
    return {"COLLAB_DATABASE_URL": "memory://", **settings}


def test_settings_bound_the_default_lifetime_by_the_maximum() -> None:
    defaults = Settings.from_env(env())
    assert (defaults.token_days, defaults.token_max_days) == (90, 90)
    # A shorter maximum alone shortens the default with it
    short = Settings.from_env(env(COLLAB_TOKEN_MAX_DAYS="30"))
    assert (short.token_days, short.token_max_days) == (30, 30)
    longer = Settings.from_env(env(COLLAB_TOKEN_DAYS="30", COLLAB_TOKEN_MAX_DAYS="365"))
    assert (longer.token_days, longer.token_max_days) == (30, 365)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"COLLAB_TOKEN_DAYS": "91"}, r"COLLAB_TOKEN_DAYS \(91\) must be 1 to COLLAB_TOKEN_MAX"),
        ({"COLLAB_TOKEN_DAYS": "60", "COLLAB_TOKEN_MAX_DAYS": "30"}, r"\(60\).*\(30\)"),
        ({"COLLAB_TOKEN_DAYS": "0"}, r"COLLAB_TOKEN_DAYS \(0\) must be 1 to"),
        ({"COLLAB_TOKEN_MAX_DAYS": "0"}, r"COLLAB_TOKEN_MAX_DAYS must be 1 to 3650 days"),
        ({"COLLAB_TOKEN_MAX_DAYS": "3651"}, r"COLLAB_TOKEN_MAX_DAYS must be 1 to 3650 days"),
        ({"COLLAB_TOKEN_MAX_DAYS": "ninety"}, r"COLLAB_TOKEN_MAX_DAYS must be a whole number"),
        ({"COLLAB_TOKEN_DAYS": "1e3"}, r"COLLAB_TOKEN_DAYS must be a whole number"),
    ],
)
def test_settings_refuse_to_start_with_a_lifetime_past_the_maximum(
    settings: dict[str, str], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        Settings.from_env(env(**settings))

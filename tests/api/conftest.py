"""API tests: the Flask test client over a real service; `Auth` makes actors with tokens.

The `api_config` fixture runs on memory (fast) by default; tests that must touch a real
database use `durable` (SQLite file and PostgreSQL) through `durable_client`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from api import create_app
from api.service import Service, Settings
from collab.actors.commands import EnrolActor, GrantAudit
from collab.actors.handlers import OPERATOR
from collab.commands import Context
from collab.stores import StoreConfig
from tests.application.conftest import fixed_clock

TERRITORY = {"country": "PT", "nuts": "PT1C2"}
SECTOR_TYPES = {"public": 11, "civil_society": 22, "private": 70}


def make_app(config: StoreConfig, **settings: Any) -> Flask:
    return create_app(Settings(store=config, mode="embedded", clock=fixed_clock, **settings))


@pytest.fixture
def flask_app(memory_config: StoreConfig) -> Iterator[Flask]:
    app = make_app(memory_config)
    yield app
    app.extensions["collab"].close()


@pytest.fixture
def embedded_app(sqlite_config: StoreConfig) -> Iterator[Flask]:
    """Embedded mode on a SQLite file: commands through the embedded writer."""
    app = make_app(sqlite_config)
    yield app
    app.extensions["collab"].close()


@pytest.fixture
def durable_app(durable: StoreConfig) -> Iterator[Flask]:
    app = make_app(durable)
    yield app
    app.extensions["collab"].close()


@dataclass
class Caller:
    """An actor with a live token; `headers()` to send it."""

    actor_id: str
    role: str
    token: str
    organisation_id: str | None = None

    def headers(self, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", **extra}


@dataclass
class Auth:
    """Actors enrolled as recorded events, tokens issued as an admin would over the CLI."""

    app: Flask
    made: dict[str, Caller] = field(default_factory=dict)

    @property
    def service(self) -> Service:
        svc: Service = self.app.extensions["collab"]
        return svc

    def actor(self, role: str, organisation_id: str | None = None) -> Caller:
        svc = self.service
        out = svc.app.execute(
            Context(OPERATOR), EnrolActor(role=role, organisation_id=organisation_id)
        )
        actor_id = out.result["actor_id"]
        token, _ = svc.credentials.issue(actor_id, "test", svc.now(), 30)
        return Caller(actor_id, role, token, organisation_id)

    def auditor(self, *partnership_ids: str) -> Caller:
        caller = self.actor("auditor")
        for pid in partnership_ids:
            self.service.app.execute(
                Context(OPERATOR), GrantAudit(caller.actor_id, partnership_id=pid)
            )
        return caller

    def named(self, key: str, role: str, organisation_id: str | None = None) -> Caller:
        if key not in self.made:
            self.made[key] = self.actor(role, organisation_id)
        return self.made[key]

    @property
    def admin(self) -> Caller:
        return self.named("admin", "admin")

    @property
    def broker(self) -> Caller:
        return self.named("broker", "broker")


@pytest.fixture
def auth(flask_app: Flask) -> Auth:
    return Auth(flask_app)


@pytest.fixture
def client(flask_app: Flask) -> FlaskClient:
    return flask_app.test_client()


def organisation_body(sector: str = "civil_society", **overrides: Any) -> dict[str, Any]:
    body = {
        "identifiers": [{"scheme": "PT-NIPPC", "id": uuid.uuid4().hex[:12]}],
        "legal_name": f"{sector} organisation",
        "org_type": SECTOR_TYPES[sector],
        "sector": sector,
        "territory": TERRITORY,
    }
    return {**body, **overrides}


def register_org(client: FlaskClient, auth: Auth, sector: str = "civil_society") -> str:
    response = client.post(
        "/v1/organisations", json=organisation_body(sector), headers=auth.broker.headers()
    )
    assert response.status_code == 201, response.json
    org_id: str = response.json["result"]["organisation_id"]  # type: ignore[index]
    return org_id


def head(flask_app: Flask) -> int:
    svc: Service = flask_app.extensions["collab"]
    return svc.app.recorder.max_notification_id() or 0

"""Tokens remembered for a second (api/callers.py): a revocation or a disabled actor in
this process is honoured at once; in another process within one second; an expired token
never answers from memory."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask

from api import create_app
from api.callers import TTL
from api.service import Service, Settings
from collab.actors.commands import DisableActor
from collab.commands import Context
from collab.stores import StoreConfig
from tests.api.conftest import OPERATOR, Auth, make_app
from tests.application.conftest import Clock


class Ticks:
    """The cache's monotonic clock, moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def two(sqlite_config: StoreConfig) -> Iterator[tuple[Flask, Flask, Ticks, Ticks]]:
    """Two services on one file (two worker processes), their caches on hand clocks."""
    first, second = make_app(sqlite_config), make_app(sqlite_config)
    ticks = Ticks(), Ticks()
    for app, clock in zip((first, second), ticks, strict=True):
        app.extensions["collab"].credentials.callers.clock = clock
    yield first, second, *ticks
    for app in (first, second):
        app.extensions["collab"].close()


def me(app: Flask, token: str) -> int:
    reply = app.test_client().get("/v1/actors/me", headers={"Authorization": f"Bearer {token}"})
    return reply.status_code


def test_a_token_revoked_in_another_process_is_refused_within_a_second(
    two: tuple[Flask, Flask, Ticks, Ticks],
) -> None:
    # Given a token the first process has just seen
    first, second, ticks, _ = two
    admin = Auth(first).admin
    assert me(first, admin.token) == 200
    # When the second process revokes it
    tokens = second.test_client().get(
        f"/v1/actors/{admin.actor_id}/tokens", headers=admin.headers()
    )
    (token,) = tokens.json["items"]
    gone = second.test_client().delete(
        f"/v1/actors/{admin.actor_id}/tokens/{token['token_id']}", headers=admin.headers()
    )
    assert gone.status_code == 204 and me(second, admin.token) == 401
    # Then the first still answers from memory for less than a second
    ticks.now += TTL * 0.9
    assert me(first, admin.token) == 200
    # And refuses it once the second has passed
    ticks.now += TTL * 0.1
    assert me(first, admin.token) == 401


def test_an_actor_disabled_in_this_process_is_refused_at_once_and_elsewhere_in_a_second(
    two: tuple[Flask, Flask, Ticks, Ticks],
) -> None:
    # Given a broker whose token both processes have seen
    first, second, _, other = two
    broker = Auth(first).broker
    assert me(first, broker.token) == 200 and me(second, broker.token) == 200
    # When the first process disables the broker
    svc: Service = first.extensions["collab"]
    svc.app.execute(Context(OPERATOR), DisableActor(broker.actor_id))
    # Then the first refuses the token at once
    assert me(first, broker.token) == 401
    # And the second within a second
    assert me(second, broker.token) == 200
    other.now += TTL
    assert me(second, broker.token) == 401


def test_a_remembered_token_is_refused_once_it_expires(sqlite_config: StoreConfig) -> None:
    # Given a token seen a moment ago, on a service whose clock a test moves
    clock = Clock()
    app = create_app(Settings(store=sqlite_config, mode="embedded", clock=clock))
    try:
        svc: Service = app.extensions["collab"]
        svc.credentials.callers.clock = Ticks()  # the cache's second never passes
        caller = Auth(app).broker
        assert me(app, caller.token) == 200
        # When the service's clock passes the token's expiry
        clock.now += timedelta(days=31)
        # Then the token is refused, though it is still remembered
        assert me(app, caller.token) == 401
    finally:
        app.extensions["collab"].close()

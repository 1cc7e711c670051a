"""A row whose bytes no longer decode never turns the event feed into a 500."""

from __future__ import annotations

import sqlite3

import psycopg
from flask import Flask

from tests.api.conftest import Auth, head, organisation_body


def damage(flask_app: Flask, position: int) -> None:
    """Overwrite one stored event's state with bytes that are not JSON (raw SQL)."""
    config = flask_app.extensions["collab"].settings.store
    if config.kind == "sqlite":
        with sqlite3.connect(config.sqlite_path) as conn:
            conn.execute("UPDATE stored_events SET state = ? WHERE rowid = ?", (b"\xff{", position))
    else:
        with psycopg.connect(**config.psycopg_kwargs(), autocommit=True) as conn:
            schema = config.postgres_settings()["POSTGRES_SCHEMA"]
            conn.execute(
                f'UPDATE "{schema}".collab_events SET state = %s WHERE notification_id = %s',
                (b"\xff{", position),
            )


def test_the_feed_goes_past_an_undecodable_event(durable_app: Flask) -> None:
    # Given two organisations registered, the first one's event damaged in the database
    auth, client = Auth(durable_app), durable_app.test_client()
    broker = auth.broker.headers()
    first = client.post("/v1/organisations", json=organisation_body(), headers=broker).json
    client.post("/v1/organisations", json=organisation_body(), headers=broker)
    assert first is not None
    damaged = min(first["positions"])
    damage(durable_app, damaged)
    # When an admin reads the feed over the damaged position
    page = client.get("/v1/events?after=0&limit=1000", headers=auth.admin.headers())
    # Then it answers, without that event and with everything after it
    assert page.status_code == 200, page.json
    assert page.json is not None
    positions = [e["position"] for e in page.json["items"]]
    assert damaged not in positions
    assert max(positions) == head(durable_app)

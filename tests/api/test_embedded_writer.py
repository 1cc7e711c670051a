"""The embedded writer over HTTP: commands from many threads at once all answer, with the
views at their position; a stopped writer answers 503 and /readyz says why."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from flask import Flask

from api.service import Service
from tests.api.conftest import Auth, head, organisation_body

PROBLEM = "application/problem+json"


def test_commands_from_sixteen_threads_all_answer_with_the_views_at_their_position(
    embedded_app: Flask,
) -> None:
    # Given a broker on an embedded service (a SQLite file, its writer)
    broker = Auth(embedded_app).broker
    svc: Service = embedded_app.extensions["collab"]
    assert svc.read.group is not None
    answers: list[Any] = []

    def register() -> None:
        client = embedded_app.test_client()
        for _ in range(4):
            r = client.post("/v1/organisations", json=organisation_body(), headers=broker.headers())
            answers.append((r.status_code, r.json))

    # When sixteen threads register four organisations each, at once
    threads = [threading.Thread(target=register) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    # Then all 64 were recorded, each answered 201
    assert [status for status, _ in answers] == [201] * 64
    ids = {body["result"]["organisation_id"] for _, body in answers}
    assert len(ids) == 64
    # And each is readable at once: the views were written in its own transaction
    assert min(svc.read.follower.positions().values()) == head(embedded_app)
    client = embedded_app.test_client()
    listed = client.get("/v1/organisations?limit=200", headers=broker.headers()).json
    assert ids <= {o["organisation_id"] for o in listed["items"]}


def test_a_stopped_writer_answers_503_and_readyz_says_why(
    embedded_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an embedded service whose writer has stopped
    broker = Auth(embedded_app).broker
    client = embedded_app.test_client()
    first = client.post("/v1/organisations", json=organisation_body(), headers=broker.headers())
    assert first.status_code == 201
    svc: Service = embedded_app.extensions["collab"]
    assert svc.read.group is not None
    svc.read.group.close()
    before = head(embedded_app)
    # When a command arrives
    refused = client.post("/v1/organisations", json=organisation_body(), headers=broker.headers())
    # Then it is refused as unavailable (a client retries later), and nothing is recorded
    assert refused.status_code == 503 and refused.mimetype == PROBLEM
    assert refused.headers["Retry-After"] == "1"
    assert head(embedded_app) == before
    # And reads go on
    org = first.json["result"]["organisation_id"]
    assert client.get(f"/v1/organisations/{org}", headers=broker.headers()).status_code == 200
    # And the readiness probe says the writer has stopped
    ready = client.get("/readyz")
    assert ready.status_code == 503 and "writer has stopped" in ready.json["detail"]


def test_a_registration_in_the_writer_reads_no_head_and_deletes_no_row_of_the_streams_it_begins(
    embedded_app: Flask,
) -> None:
    # Given an embedded service that has registered one organisation (the writer's
    # connection open, its caches warm)
    broker = Auth(embedded_app).broker
    client = embedded_app.test_client()
    assert (
        client.post(
            "/v1/organisations", json=organisation_body(), headers=broker.headers()
        ).status_code
        == 201
    )
    svc: Service = embedded_app.extensions["collab"]
    assert svc.read.group is not None and svc.read.group.conn is not None
    statements: list[str] = []
    raw = svc.read.group.conn.connection.driver_connection
    raw.set_trace_callback(statements.append)  # type: ignore[union-attr]
    # When another organisation is registered (two streams begun: it and its claim)
    try:
        r = client.post("/v1/organisations", json=organisation_body(), headers=broker.headers())
    finally:
        raw.set_trace_callback(None)  # type: ignore[union-attr]
    assert r.status_code == 201
    # Then its leaves were appended without reading any stream's head (none has one yet):
    # the only audit read is the tree's last leaf, which tells the cache is still current
    audit_reads = [
        s for s in statements if s.lstrip().upper().startswith("SELECT") and "audit_" in s
    ]
    assert len(audit_reads) == 1 and "FROM audit_leaves" in audit_reads[0], audit_reads
    assert any(s.startswith('INSERT INTO "audit_heads"') for s in statements), statements
    # And no view, due or head row was deleted first: a stream begun has none
    assert [s for s in statements if s.startswith("DELETE")] == []

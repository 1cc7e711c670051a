"""B1's peer: what a user would build instead of collab, on the library's own Application.

A minimal Flask app (``gunicorn 'benchmarks.b1_peer:create_peer_app()'``, the same settings
as B1's other servers) on ``eventsourcing.application.Application`` with the library's own
SQLite or PostgreSQL persistence, configured by environment as the library documents
(``PERSISTENCE_MODULE``, ``SQLITE_DBNAME`` or ``POSTGRES_*``). ``POST /v1/organisations``
takes B1's body, checks its shape, and saves two events in one ``Application.save``: the
organisation's registration and a ``uuid5`` claim per identifier (scheme + id), so a
duplicate claim fails with the library's ``IntegrityError`` → 409. 201 with the id.
No tokens, idempotency, views or audit: the library's floor for the same durable write.
Durability as collab's, checked when the app starts: SQLite WAL with synchronous=FULL,
PostgreSQL synchronous_commit=on (B1 sets ``PGOPTIONS``; the library sets neither).
"""

from __future__ import annotations

from typing import Any, TypeGuard, cast
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import IntegrityError
from flask import Flask, Response, json, request

CLAIM_NAMESPACE = uuid5(NAMESPACE_URL, "https://collab.example/b1-peer-identifier")
FIELDS = {"legal_name": str, "org_type": int, "sector": str, "territory": dict}


class Organisation(Aggregate):
    """The registered organisation: the same fields collab records."""

    @event("Registered")
    def __init__(
        self,
        identifiers: list[dict[str, str]],
        legal_name: str,
        org_type: int,
        sector: str,
        territory: dict[str, str],
    ) -> None:
        self.identifiers = identifiers
        self.legal_name = legal_name
        self.org_type = org_type
        self.sector = sector
        self.territory = territory


class IdentifierClaim(Aggregate):
    """Uniqueness of one identifier: a deterministic id, so a second claim cannot be saved."""

    @staticmethod
    def create_id(scheme: str, identifier: str) -> UUID:
        return uuid5(CLAIM_NAMESPACE, f"{scheme}\x1f{identifier}")

    @event("Claimed")
    def __init__(self, scheme: str, identifier: str, organisation_id: str) -> None:
        self.organisation_id = organisation_id


class Peer(Application[UUID]):
    """The library's application, one command."""

    def register(self, body: dict[str, Any]) -> Organisation:
        """Register an organisation and claim its identifiers, in one save."""
        org = Organisation(
            body["identifiers"],
            body["legal_name"],
            body["org_type"],
            body["sector"],
            body["territory"],
        )
        claims = [IdentifierClaim(i["scheme"], i["id"], str(org.id)) for i in org.identifiers]
        self.save(org, *claims)
        return org


def valid(body: Any) -> TypeGuard[dict[str, Any]]:
    """B1's body in outline: the fields with their types, one identifier or more."""
    if not isinstance(body, dict) or not all(isinstance(body.get(k), t) for k, t in FIELDS.items()):
        return False
    identifiers = body.get("identifiers")
    return (
        isinstance(identifiers, list)
        and len(identifiers) > 0
        and all(
            isinstance(i, dict)
            and isinstance(i.get("scheme"), str)
            and isinstance(i.get("id"), str)
            for i in identifiers
        )
    )


def reply(status: int, body: dict[str, Any]) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")


def check_durability(app: Peer) -> None:
    """Refuse to serve with less durability than collab's (the build or server default)."""
    datastore = cast(Any, app.recorder).datastore  # on every SQL recorder, not the base type
    sqlite = type(datastore).__module__ == "eventsourcing.sqlite"
    checks = (
        [("PRAGMA journal_mode", "wal"), ("PRAGMA synchronous", "2")]
        if sqlite
        else [("SHOW synchronous_commit", "on")]
    )
    with datastore.transaction(commit=False) as cursor:
        for query, expected in checks:
            cursor.execute(query)
            row = cursor.fetchone()
            value = next(iter(row.values())) if isinstance(row, dict) else row[0]
            if str(value).lower() != expected:
                raise RuntimeError(f"{query} is {value!r}, collab's durability needs {expected}")


def create_peer_app() -> Flask:
    """The peer, configured from the environment (the library's own variables)."""
    flask_app = Flask("b1_peer")
    peer = Peer()
    check_durability(peer)

    @flask_app.post("/v1/organisations")
    def register() -> Response:
        body = request.get_json(silent=True)
        if not valid(body):
            return reply(400, {"title": "invalid body"})
        try:
            org = peer.register(body)
        except IntegrityError:
            return reply(409, {"title": "identifier already registered"})
        return reply(201, {"organisation_id": str(org.id), "version": org.version})

    return flask_app


def prepare(env: dict[str, str]) -> None:
    """Create the peer's tables before its workers start (they would race to create them)."""
    Peer(env=env).close()

"""Shared by the stress tier: real served processes (tests/integration/conftest.py), the
checks every load ends with — the log read back in full, views equal to a rebuild, the
offline verifier's verdict on an export of the whole log — and raw HTTP: bytes sent to a
served process as they are, against `target`, one served world per backend and module.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg
import pytest
from psycopg.sql import SQL, Identifier

from collab.stores import StoreConfig
from tests.integration.conftest import Http, Served, run_collab, serve
from tests.integration.conftest import served as served  # the fixture, for this tier
from tests.integration.test_http_write_scenarios import Scene, actor_id

MAX_BODY = 12 * 2**20  # COLLAB_MAX_BODY_BYTES of `target`: 10 MB strings fit, 13 MB do not
PROBLEM = "application/problem+json"
REFUSALS = {400, 401, 403, 404, 405, 409, 413, 414, 415, 422, 431}
GUNICORN = {400, 414, 431}  # its own refusals (text/html) of what never reaches the API
FEED_PAGE = 1000
CATCH_UP_DEADLINE = 60.0  # seconds for the views (and audit leaves) to reach a position
DURABLE = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@contextmanager
def durable_store(request: pytest.FixtureRequest, workdir: Path) -> Iterator[StoreConfig]:
    """The `durable` fixture's stores for fixtures wider than one test (params DURABLE):
    a SQLite file in `workdir`, or a PostgreSQL schema of its own, dropped afterwards."""
    if request.param == "sqlite":
        yield StoreConfig(f"sqlite:///{workdir}/collab.db")
        return
    server: StoreConfig = request.getfixturevalue("postgres_server")
    schema = f"test_{uuid.uuid4().hex[:16]}"
    try:
        yield StoreConfig(f"{server.url}?schema={schema}")
    finally:
        with psycopg.connect(**server.psycopg_kwargs(), autocommit=True) as conn:
            conn.execute(SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(Identifier(schema)))


def head(admin: Http) -> int:
    """The log's highest position (the feed's `head`, read as an admin)."""
    reply = admin.get("/v1/events?limit=1")  # every page reports the head
    assert reply.status == 200, reply.body
    found: int = reply.body["head"]
    return found


def log_positions(admin: Http) -> list[int]:
    """Every position in the log, in order, read through the feed as an admin."""
    positions: list[int] = []
    after = 0
    while True:
        reply = admin.get(f"/v1/events?after={after}&limit={FEED_PAGE}")
        assert reply.status == 200, reply.body
        positions += [item["position"] for item in reply.body["items"]]
        if reply.body["next_after"] >= reply.body["head"] or reply.body["next_after"] == after:
            return positions
        after = reply.body["next_after"]


def wait_caught_up(admin: Http, position: int) -> None:
    """Poll until every view (and the audit leaves) includes `position`, to a deadline."""
    deadline = time.monotonic() + CATCH_UP_DEADLINE
    while True:
        reply = admin.get(f"/v1/partnerships?limit=1&min_position={position}")
        if reply.status == 200:
            return
        assert reply.status == 503, reply.body  # the views are behind: ask again
        assert time.monotonic() < deadline, f"views never reached position {position}"


def collab_ok(served: Served, *args: str) -> str:
    """`collab ARGS` against the served data: its stdout, after exit 0."""
    done = run_collab(*args, env=served.env)
    assert done.returncode == 0, (args, done.stdout, done.stderr)
    return done.stdout


def assert_views_equal_a_rebuild(served: Served) -> None:
    """The views' digest is the same before and after `collab projections rebuild`."""
    before = collab_ok(served, "projections", "digest").strip()
    collab_ok(served, "projections", "rebuild")
    after = collab_ok(served, "projections", "digest").strip()
    assert len(before) == 64 and before == after


def assert_verifier_passes(served: Served, events: int, workdir: Path) -> None:
    """Seal, export and verify offline (exit 0 or 2); the export covers all `events`; the
    live database check agrees."""
    collab_ok(served, "audit", "seal")
    exported = workdir / "export.jsonl"
    collab_ok(served, "audit", "export", str(exported))
    header = json.loads(exported.read_text().splitlines()[0])
    assert (header["size"], header["partial"]) == (events, False)
    keys = [str(k) for k in sorted((served.data_dir / "keys").glob("*.pub"))]
    pubkeys = [arg for key in keys for arg in ("--pubkey", key)]
    verified = run_collab("audit", "verify", str(exported), *pubkeys, env=served.env)
    assert verified.returncode in (0, 2), (verified.stdout, verified.stderr)
    url = served.env["COLLAB_DATABASE_URL"]
    live = run_collab("audit", "verify", "--database", url, env=served.env)
    assert live.returncode in (0, 2), (live.stdout, live.stderr)


# -- raw HTTP against a served process (hostile input) ----------------------------------


@dataclass(frozen=True)
class Raw:
    status: int
    content_type: str
    body: bytes


@dataclass
class Target:
    served: Served
    scene: Scene
    ids: dict[str, str]

    @property
    def admin(self) -> Http:
        return self.scene.admin

    def send(self, raw: bytes) -> Raw:
        """Bytes as they are to the server; its answer (read while the bytes still go out)."""
        where = urlsplit(self.served.http.base)
        with socket.create_connection((where.hostname, where.port), timeout=120) as sock:
            sender = threading.Thread(target=send_all, args=(sock, raw))
            sender.start()
            response = http.client.HTTPResponse(sock)
            response.begin()
            body = response.read()
            response.close()
            sender.join()
        return Raw(response.status, response.getheader("Content-Type") or "", body)

    def post(self, path: str, body: bytes, token: str | None, **headers: str) -> Raw:
        sent = {"Content-Type": "application/json", **headers}
        return self.send(request("POST", path, token, body, sent))


def send_all(sock: socket.socket, raw: bytes) -> None:
    with contextlib.suppress(OSError):  # the server answered (413) and closed early
        sock.sendall(raw)


def request(
    method: str, path: str, token: str | None, body: bytes = b"", headers: Any = None
) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    if token:
        lines.append(f"Authorization: Bearer {token}")
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if "Transfer-Encoding" not in (headers or {}):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def refused(reply: Raw, what: str) -> None:
    """Then: a refusal (never a 5xx), as problem+json unless gunicorn refused the bytes."""
    assert reply.status in REFUSALS, (what, reply.status, reply.body[:300])
    if reply.content_type != PROBLEM:  # gunicorn's own answer to a malformed request
        assert reply.status in GUNICORN and reply.content_type.startswith("text/html"), what


@pytest.fixture(scope="module", params=DURABLE)
def target(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Target]:
    """One served process per backend for the module, bodies up to MAX_BODY; a partnership
    in force with b's commitment and delivery, b's mandate to the broker, b's contact."""
    workdir = tmp_path_factory.mktemp("hostile")
    with pytest.MonkeyPatch.context() as env, durable_store(request, workdir) as config:
        env.setenv("COLLAB_MAX_BODY_BYTES", str(MAX_BODY))
        with serve(config, workdir) as served:
            yield given_a_world(served)


def given_a_world(served: Served) -> Target:
    w = Scene.on(served)
    pid = w.in_force()
    cid = w.pledge("b", pid)
    b, broker = w.orgs["b"], actor_id(w.broker)
    grant = {"broker_id": broker, "partnership_id": pid}
    mandate = w.do(w.partners["b"], f"/v1/organisations/{b}/mandates", grant)["mandate_id"]
    contact = {"name": "Bea", "email": "bea@b.example", "role": "chair"}
    contact_id = w.admin.post(f"/v1/organisations/{b}/contacts", contact).body["contact_id"]
    tokens = w.admin.get(f"/v1/actors/{broker}/tokens").body["items"]
    ids = {
        "partnership_id": pid,
        "commitment_id": cid,
        "delivery_id": w.deliver("b", cid, "10"),
        "organisation_id": b,
        "mandate_id": mandate,
        "contact_id": contact_id,
        "actor_id": broker,
        "token_id": tokens[0]["token_id"],
        "position": str(w.position),
        "broker_id": broker,  # a partnership broker of P (…/brokers/{broker_id}/unassign)
        "revision_id": str(uuid.uuid4()),  # none awaits: the route refuses, never fails
        "indicator_id": str(uuid.uuid4()),
        "report": "1",
        "sha256": "0" * 64,  # no event names this file: its download refuses (404)
        # no practice nor exchange here: their routes refuse an unknown one (404), never fail
        "practice_id": str(uuid.uuid4()),
        "exchange_id": str(uuid.uuid4()),
    }
    return Target(served, w, ids)


def filled(value: Any, ids: dict[str, str]) -> Any:
    """A matrix body with its "{name}" placeholders as real ids (or fresh ones)."""
    if isinstance(value, dict):
        return {filled(k, ids): filled(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [filled(v, ids) for v in value]
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids.get(value[1:-1]) or str(uuid.uuid4())  # a decision, a broker: any id
    return value

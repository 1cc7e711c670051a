"""The service under a real gunicorn: credentials, organisations, probes, request ids."""

from __future__ import annotations

import time
import uuid

from api.callers import TTL
from tests.integration.conftest import Served, run_collab


def test_an_admin_made_on_the_command_line_works_over_http(served: Served) -> None:
    # Given an admin created exactly as `make run` tells a newcomer to
    admin = served.http.as_(served.admin_token())
    # When it creates a broker and gives it a token over HTTP
    made = admin.post("/v1/actors", {"name": "Bruno", "role": "broker"})
    assert made.status == 201, made.body
    broker_id = made.body["result"]["actor_id"]
    issued = admin.post(f"/v1/actors/{broker_id}/tokens", {"label": "laptop"})
    assert issued.status == 201, issued.body
    broker = served.http.as_(issued.body["token"])
    # Then the broker registers an organisation, reads its own write at once (any worker)
    body = {
        "identifiers": [{"scheme": "PT-NIPPC", "id": uuid.uuid4().hex[:12]}],
        "legal_name": "Associação de Desenvolvimento",
        "org_type": 22,
        "sector": "civil_society",
        "territory": {"country": "PT", "nuts": "PT1C2"},
    }
    registered = broker.post("/v1/organisations", body)
    assert registered.status == 201, registered.body
    position = registered.body["position"]
    assert registered.headers["Collab-Position"] == str(position)
    listed = broker.get(f"/v1/organisations?min_position={position}")
    assert listed.status == 200, listed.body
    assert [o["legal_name"] for o in listed.body["items"]] == ["Associação de Desenvolvimento"]


def test_probes_and_request_ids(served: Served) -> None:
    assert served.http.get("/healthz").body == {"status": "ok"}
    ready = served.http.get("/readyz")
    assert ready.status == 200
    assert ready.body["mode"] == served.mode
    echoed = served.http.get("/healthz", headers={"X-Request-Id": "abc-123"})
    assert echoed.headers["X-Request-Id"] == "abc-123"


def test_without_a_token_every_resource_is_401_problem(served: Served) -> None:
    reply = served.http.post("/v1/organisations", {"legal_name": "x"})
    assert reply.status == 401
    assert reply.headers["Content-Type"] == "application/problem+json"
    assert reply.body["status"] == 401


def test_a_token_revoked_on_the_command_line_is_refused_by_every_worker_within_a_second(
    served: Served,
) -> None:
    # Given an admin whose token the served workers have just seen (and remember)
    token = served.admin_token()
    admin = served.http.as_(token)
    me = admin.get("/v1/actors/me")
    assert me.status == 200
    actor_id = me.body["actor_id"]
    for _ in range(8):
        assert admin.get("/v1/actors/me").status == 200
    (listed,) = admin.get(f"/v1/actors/{actor_id}/tokens").body["items"]
    # When another process, the command line, revokes it
    revoked = run_collab(
        "tokens", "revoke", "--actor", actor_id, "--token", listed["token_id"], env=served.env
    )
    assert revoked.returncode == 0, revoked.stderr
    done = time.monotonic()
    # Then once a second has passed, no worker answers it from memory
    while time.monotonic() < done + TTL:
        admin.get("/v1/actors/me")  # a worker may still remember it: polled to the second
    assert {admin.get("/v1/actors/me").status for _ in range(8)} == {401}

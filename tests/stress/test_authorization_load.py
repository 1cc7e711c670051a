"""Authorization under load (DESIGN §3, issue 6): an outsider hammering a partnership.

Partner x, of an organisation that is not in partnership P (it leads a partnership of its
own), sends every documented request on P's things from eight threads for a few seconds:
every GET and POST under /v1/partnerships/{P}, on P's commitment and its delivery, P's
export, and the receipts and inclusion proofs of each of P's log positions — each
well-formed (the authorization matrix's bodies), so only visibility can refuse it. Every
answer is 404 (never 401: x is authenticated; never 403, 409 or 422: those would tell x
that P exists), the log head does not move, and P as a member sees it is unchanged.
SQLite (embedded mode) and PostgreSQL (server mode).
"""

from __future__ import annotations

import random
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.api.matrix_world import OPERATIONS
from tests.integration.conftest import Http, Served
from tests.integration.test_http_write_scenarios import Scene
from tests.stress.conftest import filled, head, wait_caught_up

pytestmark = pytest.mark.long

THREADS, SECONDS = 8, 4.0
P, C = "/v1/partnerships/{partnership_id}", "/v1/commitments/{commitment_id}"
NEW = {
    "title": "X's own",
    "need_statement": "Another need",
    "territory": {"country": "PT", "nuts": "PT1C2"},
    "partnership_type": "social_innovation",
}


def requests_on(ids: dict[str, str], positions: list[int]) -> list[tuple[str, str, Any]]:
    """Every documented request on P's things, well-formed: (method, path, body)."""
    made: list[tuple[str, str, Any]] = []
    for op in OPERATIONS.values():
        if op.path.startswith((P, C)) and op.method in ("GET", "POST"):
            body = op.body() if callable(op.body) else op.body
            made.append((op.method, op.path.format(**ids), filled(body, ids)))
    p = P.format(**ids)
    made += [
        ("GET", f"{p}/view?as_of_position={positions[0]}", None),
        ("GET", f"{p}/history?min_position={positions[-1]}", None),
        ("GET", f"/v1/audit/export?partnership={ids['partnership_id']}", None),
    ]
    for position in positions:
        made.append(("GET", f"/v1/audit/receipts/{position}", None))
        made.append(("GET", f"/v1/audit/proofs/inclusion?position={position}&from_size=1", None))
    return made


def as_member(member: Http, ids: dict[str, str], at: int) -> dict[str, Any]:
    """P as its member a reads it: the view, history, texts, the commitment and its history."""
    p, c = P.format(**ids), C.format(**ids)
    seen = {}
    for path in (f"{p}/view", f"{p}/history", f"{p}/versions", c, f"{c}/history"):
        reply = member.get(f"{path}{'&' if '?' in path else '?'}min_position={at}")
        assert reply.status == 200, (path, reply.body)
        seen[path] = reply.body
    return seen


def test_an_outsider_hammering_a_partnership_gets_only_404_and_moves_nothing(
    served: Served,
) -> None:
    # Given P in force (a leads; b, c), b's confirmed commitment C with a delivery D, and
    # partner x of organisation X, which leads a partnership of its own and is not in P
    w = Scene.on(served)
    pid = w.in_force()
    cid = w.pledge("b", pid)
    ids = {
        "partnership_id": pid,
        "commitment_id": cid,
        "delivery_id": w.deliver("b", cid, "10"),
        "organisation_id": w.orgs["b"],
        "hash": w.versions(pid)["items"][0]["text_hash"],
        # ids the outsider cannot know or reach either way: any will do
        "broker_id": str(uuid.uuid4()),
        "revision_id": str(uuid.uuid4()),
        "indicator_id": str(uuid.uuid4()),
        "report": "1",
        "sha256": "0" * 64,  # no event names this file: its download refuses (404)
        **{f"org:{key}": w.org(key) for key in "abc"},
    }
    w.org("x")
    outsider = w.partners["x"]
    w.do(outsider, "/v1/partnerships", NEW)
    history = w.read(f"/v1/partnerships/{pid}/history?limit=500")["items"]
    positions = sorted({e["position"] for e in history})
    requests = requests_on(ids, positions)
    documented = w.admin.get("/v1/openapi.json").body["paths"]
    on_p = {path for path in documented if path.startswith((P, C))}
    assert on_p <= {op.path for op in OPERATIONS.values()}  # the matrix covers them all
    top = head(w.admin)
    wait_caught_up(w.admin, top)
    seen_before = as_member(w.partners["a"], ids, top)

    # When x sends them from eight threads, over and over, for a few seconds
    def hammer(n: int) -> Counter[tuple[int, str]]:
        got: Counter[tuple[int, str]] = Counter()
        mine, rng = list(requests), random.Random(n)
        deadline = time.monotonic() + SECONDS
        while time.monotonic() < deadline:
            rng.shuffle(mine)
            for method, path, body in mine:
                reply = outsider.request(method, path, body)
                got[(reply.status, reply.headers.get("Content-Type", ""))] += 1
                if reply.status != 404:
                    got[(reply.status, f"{method} {path}")] += 1
        return got

    with ThreadPoolExecutor(THREADS) as pool:
        answers = sum(pool.map(hammer, range(THREADS)), Counter[tuple[int, str]]())

    # Then every answer was a 404 (problem+json), and there were many
    print(f"\nan outsider on {served.mode}: {sum(answers.values())} requests; {dict(answers)}")
    assert set(answers) == {(404, "application/problem+json")}
    assert sum(answers.values()) >= 2 * len(requests)
    # And the log head did not move, and P is as it was for its member
    assert head(w.admin) == top
    assert as_member(w.partners["a"], ids, top) == seen_before

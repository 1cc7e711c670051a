"""The verifiable log in real served processes (DESIGN §5): two gunicorn workers taking
concurrent commands leave a log that `verify.py` finds clean, with one leaf per event;
in server mode the sealer process signs and the API serves receipts and the export; and
server mode refuses to start without a signing key."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from collab.audit import verify
from collab.stores import StoreConfig
from tests.api.conftest import organisation_body
from tests.integration.conftest import Http, Served, collab_env, free_port, run_collab

THREADS, EACH = 8, 4  # 32 registrations, interleaved across the two workers
DEADLINE = 20.0  # seconds for the sealer process to sign what was written
VERIFY_PY = Path(__file__).resolve().parents[2] / "collab" / "audit" / "verify.py"


def organisation() -> dict[str, Any]:
    return organisation_body()


def register_concurrently(admin: Http) -> list[dict[str, Any]]:
    """THREADS threads, each registering EACH organisations; every response body."""

    def worker(_: int) -> list[dict[str, Any]]:
        replies = [admin.post("/v1/organisations", organisation()) for _ in range(EACH)]
        assert [r.status for r in replies] == [201] * EACH, [r.body for r in replies]
        return [r.body for r in replies]

    with ThreadPoolExecutor(THREADS) as pool:
        return [body for bodies in pool.map(worker, range(THREADS)) for body in bodies]


def event_positions(admin: Http) -> list[int]:
    """Every event's position, from the feed (an admin sees the whole log)."""
    page = admin.get("/v1/events?after=0&limit=1000")
    assert page.status == 200 and page.body["next_after"] == page.body["head"], page.body
    return [item["position"] for item in page.body["items"]]


def exported_leaves(export: Path) -> dict[int, dict[str, Any]]:
    """Position -> {leaf, leaf_hash} of every line of a complete export, in leaf order."""
    _header, *lines = (json.loads(line) for line in export.read_text().splitlines())
    return {
        json.loads(line["entry"])["position"]: {
            "leaf": line["leaf"],
            "leaf_hash": verify.leaf_hash(line["entry"].encode()).hex(),
        }
        for line in lines
    }


def pubkeys(served: Served) -> list[str]:
    keys = sorted((served.data_dir / "keys").glob("*.pub"))
    assert len(keys) == 1
    return ["--pubkey", str(keys[0])]


def fetch_raw(served: Served, token: str, path: str) -> bytes:
    request = urllib.request.Request(
        served.http.base + path, headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.headers["Content-Type"].startswith("application/jsonl")
        body: bytes = response.read()
        return body


def wait_for_checkpoint(admin: Http, size: int) -> dict[str, Any]:
    """The checkpoint once the sealer process has signed at least `size` leaves."""
    deadline = time.monotonic() + DEADLINE
    while True:
        reply = admin.get("/v1/audit/checkpoint")
        if reply.status == 200 and reply.body["size"] >= size:
            found: dict[str, Any] = reply.body
            return found
        assert time.monotonic() < deadline, f"no checkpoint of size {size}: {reply.body}"
        time.sleep(0.1)  # polling the sealer process to a deadline


def test_concurrent_commands_on_two_workers_leave_a_log_that_verifies_clean(
    served: Served, tmp_path: Path
) -> None:
    # Given an admin of a service with two workers
    token = served.admin_token()
    admin = served.http.as_(token)
    # When eight threads register organisations at once
    bodies = register_concurrently(admin)
    if served.mode == "embedded":
        # Then every response carries a receipt per event (server mode: none, yet)
        for body in bodies:
            assert [r["position"] for r in body["receipts"]] == body["positions"]
        receipts = [r for body in bodies for r in body["receipts"]]
        assert len({r["leaf"] for r in receipts}) == len(receipts) == 2 * THREADS * EACH
        # When the operator seals and exports on the command line
        sealed = run_collab("audit", "seal", env=served.env)
        assert sealed.returncode == 0, sealed.stderr
        export = tmp_path / "log.jsonl"
        exported = run_collab("audit", "export", str(export), env=served.env)
        assert exported.returncode == 0, exported.stderr
        checked = run_collab("audit", "verify", str(export), *pubkeys(served), env=served.env)
    else:
        # Then the sealer process signs the whole log, and receipts are served
        assert all(body["receipts"] == [] for body in bodies)
        last = bodies[-1]
        receipt = admin.get(f"/v1/audit/receipts/{last['position']}")
        assert receipt.status == 200, receipt.body
        assert receipt.body["position"] == last["position"]
        receipts = [receipt.body]
        wait_for_checkpoint(admin, len(event_positions(admin)))
        # When an admin exports over HTTP and runs the standalone verifier on it
        export = tmp_path / "log.jsonl"
        export.write_bytes(fetch_raw(served, token, "/v1/audit/export"))
        command = [sys.executable, str(VERIFY_PY), str(export), *pubkeys(served)]
        checked = subprocess.run(command, capture_output=True, text=True, timeout=60)
    # Then it is clean (concurrent workers are normal operation, not tampering)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.startswith("clean (export")
    # And there is exactly one leaf per event, in log order, as the receipts said
    leaves = exported_leaves(export)
    assert list(leaves) == event_positions(admin)
    for r in receipts:
        assert leaves[r["position"]] == {"leaf": r["leaf"], "leaf_hash": r["leaf_hash"]}


def test_server_mode_without_a_key_refuses_to_start(durable: StoreConfig, tmp_path: Path) -> None:
    # Given server mode on an empty data directory (no `collab audit keygen` yet)
    env = {**collab_env(durable, tmp_path), "COLLAB_MODE": "server"}
    # When the operator starts the service
    started = run_collab("serve", "--bind", f"127.0.0.1:{free_port()}", env=env)
    # Then it exits with an error that says what to run, and made no key of its own
    assert started.returncode != 0
    assert "collab audit keygen" in started.stderr
    assert list(tmp_path.glob("keys/*.key")) == []

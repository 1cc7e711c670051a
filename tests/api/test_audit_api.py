"""The verifiable log over HTTP (DESIGN §5, docs/verifiable-log.md): a receipt per event in
every command's response, checkpoints and proofs that follow visibility, and exports that
`collab/audit/verify.py` finds clean, complete for an admin and without foreign data for a
partner. Checkpoints are signed only when a test seals (an infinite seal interval)."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from api import create_app
from api.service import Service, Settings
from collab.audit import verify
from collab.partnerships.commands import InitiatePartnership
from collab.stores import StoreConfig
from tests.api.conftest import Auth, Caller, organisation_body
from tests.api.matrix_world import NEW, PLEDGE
from tests.api.setup_partnership import Setup, command
from tests.application.conftest import fixed_clock

LATER = datetime(2031, 1, 1, tzinfo=UTC)  # after the fixed clock: no "in the future" warning


def audit_app(config: StoreConfig, data_dir: Path | None = None) -> Flask:
    settings = Settings(
        store=config, mode="embedded", clock=fixed_clock, data_dir=data_dir, seal_interval=math.inf
    )
    return create_app(settings)


@dataclass
class Log:
    """P (broker, partners a b c) and Q (initiated by partner x, of organisation X)."""

    setup: Setup
    x: Caller
    q: str

    @property
    def svc(self) -> Service:
        return self.setup.auth.service

    @property
    def admin(self) -> Caller:
        return self.setup.auth.admin

    def get(self, caller: Caller, path: str, **query: Any) -> TestResponse:
        return self.setup.client.get(
            f"/v1/audit{path}", query_string=query, headers=caller.headers()
        )

    def seal(self) -> verify.Checkpoint:
        return verify.open_checkpoint(self.svc.audit.sealer.seal().note, self.keys())

    def keys(self) -> list[verify.VerifierKey]:
        return list(self.svc.audit.keys.verifiers.values())

    def export(self, caller: Caller, **query: Any) -> list[bytes]:
        response = self.get(caller, "/export", **query)
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.mimetype == "application/jsonl"
        return response.get_data().splitlines(keepends=True)

    def pledge(self, key: str) -> dict[str, Any]:
        """`key` pledges to P over HTTP: the receipt of the new commitment's first event."""
        response = self.setup.post(self.setup.partners[key], "./commitments", PLEDGE)
        assert response.status_code == 201, response.json
        body: dict[str, Any] = response.json  # type: ignore[assignment]
        cid = body["result"]["commitment_id"]
        receipt: dict[str, Any] = next(r for r in body["receipts"] if r["stream"] == cid)
        return receipt


@pytest.fixture
def log(memory_config: StoreConfig) -> Iterator[Log]:
    flask = audit_app(memory_config)
    setup = Setup(Auth(flask), flask.test_client())
    setup.start()
    setup.org("x")
    x = setup.partners["x"]
    q = setup.app.execute(command(x), InitiatePartnership(**NEW)).result["partnership_id"]
    yield Log(setup, x, q)
    setup.auth.service.close()


def parsed(lines: list[bytes]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    header, *leaves = (json.loads(line) for line in lines)
    return header, leaves


def test_a_command_answers_with_one_receipt_per_event_as_the_receipts_endpoint_does(
    log: Log,
) -> None:
    # Given the log so far
    before = log.setup.head()
    # When the broker registers an organisation over HTTP
    response = log.setup.client.post(
        "/v1/organisations", json=organisation_body(), headers=log.setup.broker.headers()
    )
    assert response.status_code == 201, response.json
    body: dict[str, Any] = response.json  # type: ignore[assignment]
    # Then the response carries one receipt per event, at consecutive leaves, in log order
    receipts = body["receipts"]
    assert (
        [r["position"] for r in receipts]
        == body["positions"]
        == list(range(before + 1, before + 3))
    )
    assert [r["leaf"] for r in receipts] == [before, before + 1]  # leaves count from 0
    assert receipts[0]["stream"] == body["result"]["organisation_id"]
    assert receipts[0]["version"] == 1
    # And each is exactly what GET /v1/audit/receipts/{position} answers
    for receipt in receipts:
        served = log.get(log.setup.broker, f"/receipts/{receipt['position']}")
        assert (served.status_code, served.json) == (200, receipt)


@pytest.mark.parametrize("ask", ["receipt", "inclusion"])
def test_a_receipt_or_proof_of_an_unseen_or_unknown_position_is_404(log: Log, ask: str) -> None:
    # Given b's commitment in P, under a checkpoint
    position = log.pledge("b")["position"]
    log.seal()
    unknown = log.setup.head() + 1000

    def fetch(caller: Caller, p: int) -> TestResponse:
        if ask == "receipt":
            return log.get(caller, f"/receipts/{p}")
        return log.get(caller, "/proofs/inclusion", position=p)

    # When b asks, it gets it; when x (outside P) asks, or anyone asks past the head
    assert fetch(log.setup.partners["b"], position).status_code == 200
    unseen, missing = fetch(log.x, position), fetch(log.admin, unknown)
    # Then both are 404 problems, alike: an unseen event is as absent as a missing one
    for response, p in ((unseen, position), (missing, unknown)):
        assert response.status_code == 404
        assert response.mimetype == "application/problem+json"
        assert response.json is not None
        assert response.json["detail"] == f"no event at position {p}"


@pytest.mark.parametrize(
    ("path", "query", "field"),
    [
        ("/proofs/consistency", {"from_size": "{over}"}, "from_size"),
        ("/proofs/consistency", {"from_size": "x"}, "from_size"),
        ("/proofs/consistency", {"from_size": "-1"}, "from_size"),
        ("/proofs/consistency", {"from_size": "0"}, "from_size"),  # no proof from the empty tree
        ("/proofs/consistency", {"from_size": "1", "to_size": "1.5"}, "to_size"),
        ("/proofs/consistency", {}, "from_size"),
        ("/proofs/consistency", {"from_size": "1", "size": "2"}, "size"),
        ("/proofs/inclusion", {"position": "1", "from_size": "{over}"}, "from_size"),
        ("/proofs/inclusion", {"position": "one"}, "position"),
        ("/proofs/inclusion", {"position": "0"}, "position"),
        ("/proofs/inclusion", {"position": str(2**63)}, "position"),
        ("/proofs/inclusion", {"position": "1", "leaf": "0"}, "leaf"),
        ("/export", {"partnership": "P"}, "partnership"),
        ("/export", {"format": "csv"}, "format"),
    ],
)
def test_a_malformed_proof_or_export_query_is_422_naming_the_field(
    log: Log, path: str, query: dict[str, str], field: str
) -> None:
    # Given a checkpoint of the whole log
    over = str(log.seal().size + 1)
    # When an admin asks with a query no schema or tree size takes
    filled = {k: over if v == "{over}" else v for k, v in query.items()}
    response = log.get(log.admin, path, **filled)
    # Then it is a 422 problem naming the field (never a 500)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert response.json is not None
    assert field in response.json["errors"]


def test_the_checkpoint_is_404_until_one_is_signed_then_opens_with_the_ring_keys(
    log: Log,
) -> None:
    # Given a log that was never sealed: no checkpoint, no proof, no export
    for path in ("/checkpoint", "/export"):
        assert log.get(log.x, path).status_code == 404
    assert log.get(log.admin, "/proofs/inclusion", position=1).status_code == 404
    # When the sealer signs
    sealed = log.svc.audit.sealer.seal()
    # Then every caller gets the checkpoint of the whole log, signed by the ring's key
    body = log.get(log.x, "/checkpoint").json
    assert body is not None
    assert sealed.signed and sealed.size == log.setup.head()
    assert body == {
        "origin": log.svc.audit.keys.origin,
        "size": sealed.size,
        "root": sealed.root,
        "note": sealed.note,
    }
    opened = verify.open_checkpoint(body["note"], log.keys())
    assert (opened.size, opened.root.hex()) == (sealed.size, sealed.root)


def test_a_consistency_proof_between_two_checkpoints_verifies(log: Log) -> None:
    # Given a checkpoint, then more events, then another checkpoint
    old = log.seal()
    log.pledge("b")
    new = log.seal()
    assert new.size > old.size
    # When a partner asks for the proof from the old size
    body = log.get(log.x, "/proofs/consistency", from_size=old.size).json
    assert body is not None
    # Then it proves the new tree extends the old one, and nothing else
    assert (body["from_size"], body["to_size"], body["checkpoint"]) == (
        old.size,
        new.size,
        new.note,
    )
    proof = [bytes.fromhex(h) for h in body["proof"]]
    assert verify.verify_consistency(old.size, new.size, old.root, new.root, proof)
    forged = bytes([old.root[0] ^ 1]) + old.root[1:]
    assert not verify.verify_consistency(old.size, new.size, forged, new.root, proof)


def test_an_inclusion_bundle_verifies_against_the_latest_and_a_previous_checkpoint(
    log: Log,
) -> None:
    # Given an old checkpoint, then b's pledge (with its receipt), then a new checkpoint
    old = log.seal()
    receipt = log.pledge("b")
    log.seal()
    # When b asks for the inclusion proof of its commitment, from the old size
    query = {"position": receipt["position"], "from_size": old.size}
    bundle = log.get(log.setup.partners["b"], "/proofs/inclusion", **query).json
    assert bundle is not None
    # Then the bundle is the receipt's leaf, and it verifies against both checkpoints
    assert (bundle["leaf"], bundle["leaf_hash"]) == (receipt["leaf"], receipt["leaf_hash"])
    assert json.loads(bundle["entry"])["position"] == receipt["position"]
    report = verify.verify_bundle(bundle, log.keys(), previous=old)
    assert (report.exit_code, report.problems, report.checked) == (0, [], 1)
    # And a consistency proof from another size does not stand for the previous checkpoint
    moved = {**bundle, "consistency": {**bundle["consistency"], "from_size": old.size - 1}}
    refused = verify.verify_bundle(moved, log.keys(), previous=old)
    assert refused.exit_code == 1
    assert f"the previous checkpoint has size {old.size}" in refused.problems[0].reason


def test_an_admin_export_is_complete_and_verifies_clean(log: Log) -> None:
    # Given a checkpoint of the whole log
    sealed = log.seal()
    # When an admin exports it over HTTP
    lines = log.export(log.admin)
    header, leaves = parsed(lines)
    # Then every event is there in full, in leaf order, under the checkpoint
    assert (header["size"], header["partial"], header["checkpoint"]) == (
        sealed.size,
        False,
        sealed.note,
    )
    assert [leaf["leaf"] for leaf in leaves] == list(range(log.setup.head()))
    assert all(leaf["event"] and leaf["signature"] and leaf["public"] for leaf in leaves)
    # And the verifier finds it clean
    report = verify.verify_export(lines, log.keys(), now=LATER)
    assert (report.exit_code, report.problems, report.warnings) == (0, [], [])
    assert report.checked == sealed.size


def test_a_partner_export_gives_other_partnerships_as_bare_leaf_hashes(log: Log) -> None:
    # Given b's commitment in P, and a checkpoint of the whole log
    p_streams = {log.setup.partnership_id, log.pledge("b")["stream"]}
    log.seal()
    _, full = parsed(log.export(log.admin))
    # When x (in Q, not in P) exports the log
    lines = log.export(log.x)
    header, leaves = parsed(lines)
    # Then it verifies clean as a partial export of the same size
    assert (header["partial"], len(leaves)) == (True, len(full))
    report = verify.verify_export(lines, log.keys(), now=LATER)
    assert (report.exit_code, report.problems, report.warnings) == (0, [], [])
    # And every line of P is exactly the leaf hash: nothing of P is in x's export
    for mine, whole in zip(leaves, full, strict=True):
        if json.loads(whole["entry"])["stream"] in p_streams:
            leaf_hash = verify.leaf_hash(whole["entry"].encode()).hex()
            assert mine == {"leaf": whole["leaf"], "leaf_hash": leaf_hash}
    assert log.setup.partnership_id.encode() not in b"".join(lines)
    assert any(json.loads(leaf["entry"])["stream"] == log.q for leaf in leaves if "entry" in leaf)
    # When x narrows it to Q, only Q's events are given in full; it still verifies clean
    narrowed = log.export(log.x, partnership=log.q)
    _, q_leaves = parsed(narrowed)
    streams = {json.loads(leaf["entry"])["stream"] for leaf in q_leaves if "entry" in leaf}
    assert streams == {log.q}
    assert verify.verify_export(narrowed, log.keys(), now=LATER).exit_code == 0


def test_a_partner_holding_an_old_checkpoint_verifies_its_commitment_offline(
    log: Log, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given b holds an old checkpoint, then pledges (a receipt) and the log grows on
    b = log.setup.partners["b"]
    log.seal()
    old = log.get(b, "/checkpoint").json
    assert old is not None
    receipt = log.pledge("b")
    log.pledge("c")
    log.seal()
    # When b fetches the inclusion proof from its old size and keeps it with its files
    query = {"position": receipt["position"], "from_size": old["size"]}
    bundle = log.get(b, "/proofs/inclusion", **query).json
    assert bundle is not None
    files = {"old.cp": old["note"], "bundle.json": json.dumps(bundle)}
    files["log.pub"] = log.svc.audit.keys.signer.verifier + "\n"
    for name, text in files.items():
        (tmp_path / name).write_text(text)

    def offline(bundle_file: str) -> int:
        args = [str(tmp_path / bundle_file), "--pubkey", str(tmp_path / "log.pub")]
        return verify.main([*args, "--previous-checkpoint", str(tmp_path / "old.cp")])

    # Then the standalone verifier says its commitment is in the log that grew from it
    assert offline("bundle.json") == 0
    assert "clean (proof bundle" in capsys.readouterr().out
    # And a bundle with a tampered proof hash, or a tampered consistency hash, is refused
    for part in ("inclusion", "consistency"):
        tampered = json.loads(files["bundle.json"])
        hashes = tampered["inclusion"] if part == "inclusion" else tampered[part]["proof"]
        hashes[0] = f"{int(hashes[0][0], 16) ^ 1:x}{hashes[0][1:]}"
        (tmp_path / f"{part}.json").write_text(json.dumps(tampered))
        assert offline(f"{part}.json") == 1
        assert f"{part} proof" in capsys.readouterr().out


def test_on_a_durable_store_the_keys_made_on_first_start_verify_the_http_export(
    durable: StoreConfig, tmp_path: Path
) -> None:
    # Given an embedded service on a real database, its keys made in the data directory
    flask = audit_app(durable, data_dir=tmp_path)
    auth, client = Auth(flask), flask.test_client()
    svc = auth.service
    try:
        admin, broker = auth.admin, auth.broker
        registered = client.post(
            "/v1/organisations", json=organisation_body(), headers=broker.headers()
        )
        assert registered.status_code == 201, registered.json
        sealed = svc.audit.sealer.seal()
        # When an admin exports the log over HTTP into a file
        export = client.get("/v1/audit/export", headers=admin.headers())
        assert export.status_code == 200
        (tmp_path / "log.jsonl").write_bytes(export.get_data())
        # Then the standalone verifier, given the key file, finds it clean and complete
        pubs = sorted((tmp_path / "keys").glob("*.pub"))
        assert [p.read_text().strip() for p in pubs] == [svc.audit.keys.signer.verifier]
        args = [str(tmp_path / "log.jsonl"), "--pubkey", str(pubs[0]), "--json"]
        assert verify.main([*args, "--now", LATER.isoformat()]) == 0
        assert sealed.size == svc.app.recorder.max_notification_id() == 4
        # And the registration's receipts are served; a position no store can hold is 404
        assert registered.json is not None
        for receipt in registered.json["receipts"]:
            served = client.get(
                f"/v1/audit/receipts/{receipt['position']}", headers=admin.headers()
            )
            assert served.json == receipt
        beyond = client.get(f"/v1/audit/receipts/{2**63}", headers=admin.headers())
        assert (beyond.status_code, beyond.mimetype) == (404, "application/problem+json")
    finally:
        svc.close()

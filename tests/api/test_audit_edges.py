"""Edges of the audit endpoints: an event not yet under a checkpoint, a partnership the
caller cannot see, a recorded checkpoint that no longer verifies."""

from __future__ import annotations

from sqlalchemy import update

from collab.audit import tables as t
from tests.api.test_audit_api import Log
from tests.api.test_audit_api import log as log  # the fixture


def test_a_proof_for_an_event_past_the_last_checkpoint_is_503_with_retry_after(log: Log) -> None:
    # Given a checkpoint, then a new commitment after it
    log.seal()
    receipt = log.pledge("b")
    position = receipt["position"]
    # When its inclusion proof is asked for before the next checkpoint
    response = log.get(log.setup.partners["b"], "/proofs/inclusion", position=position)
    # Then: come back later, not "no such event"
    assert response.status_code == 503, response.json
    assert response.mimetype == "application/problem+json"
    assert int(response.headers["Retry-After"]) >= 1
    # And after the next checkpoint it is served
    log.seal()
    later = log.get(log.setup.partners["b"], "/proofs/inclusion", position=position)
    assert later.status_code == 200, later.json
    assert later.json["leaf"] == receipt["leaf"]  # type: ignore[index]


def test_an_export_of_a_partnership_the_caller_cannot_see_is_404(log: Log) -> None:
    # Given a checkpoint, and Q, which partner b is not in
    log.seal()
    # When b asks for Q's export, or for an unknown partnership's
    unseen = log.get(log.setup.partners["b"], "/export", partnership=log.q)
    unknown = log.get(log.admin, "/export", partnership="7a1f9a4e-1d4c-4f5b-9a58-5b3c2f1e0d9c")
    # Then both are 404, as the CLI's `--partnership` answers
    assert (unseen.status_code, unknown.status_code) == (404, 404)
    assert unseen.mimetype == "application/problem+json"


def test_a_recorded_checkpoint_that_does_not_verify_is_never_served(log: Log) -> None:
    # Given a checkpoint whose note was altered in the database
    log.seal()
    with log.svc.read.writer.begin() as conn:
        conn.execute(update(t.checkpoints).values(note="forged\n1\nAAAA\n\n— x AAAA\n"))
    # When anyone asks for the latest checkpoint
    response = log.get(log.admin, "/checkpoint")
    # Then the service refuses to vouch for it
    assert response.status_code == 503, response.json
    assert "does not verify" in response.json["detail"]  # type: ignore[index]

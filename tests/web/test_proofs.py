"""Proofs for the browser: `GET /proofs/<position>` gives a signed-in person what verify.py
needs to check one event (the API's proof bundle, the stored event and its writer signature,
the verifier keys), under the API's visibility rule; the timeline carries a Verify control
per entry and the two scripts that run it."""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from collab.audit.verify import VerifierKey, verify_bundle, writer_message
from collab.stores import StoreConfig
from tests.api.conftest import Auth, Caller, make_app
from tests.api.setup_partnership import Setup, active_partnership
from tests.web.conftest import Person

People = Callable[[Caller], Person]
REFERENCE_RE = re.compile(r"Reference: <code>[^<]*</code>")
CSRF_RE = re.compile(r'name="csrf_token" value="[^"]*"')
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def pledged(auth: Auth, client: FlaskClient) -> tuple[Setup, int]:
    """Given an active partnership where b pledged, under a checkpoint; the pledge's position."""
    setup = active_partnership(auth, client)
    setup.pledge("b", confirm=False)
    auth.service.audit.sealer.seal()
    return setup, last(setup, "Pledged")


def last(setup: Setup, event_type: str) -> int:
    """The position of the newest event of this type."""
    recent = setup.app.recorder.select_notifications(max(1, setup.head() - 10), 20)
    return max(n.id for n in recent if n.topic.endswith(f".{event_type}"))


def proof_of(who: Person, position: int) -> tuple[int, dict[str, Any]]:
    response = who.client.get(f"/proofs/{position}")
    assert response.mimetype == "application/json", response.text
    return response.status_code, json.loads(response.text)


def blanked(html: str, asked: int) -> str:
    """A page with what differs between two requests blanked: the position asked for, the
    CSRF token and the request's reference. Ids are blanked first: the position's digits
    may stand between two letters of one (a random uuid), and only one page would lose them."""
    html = CSRF_RE.sub("CSRF", REFERENCE_RE.sub("REFERENCE", html))
    html = UUID_RE.sub("ID", html)
    return re.sub(rf"(?<![0-9]){asked}(?![0-9])", "N", html)


def test_a_member_gets_the_proof_of_an_event_it_sees_and_every_part_of_it_verifies(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    setup, position = pledged(auth, client)
    member = setup.partners["a"]
    # When a member asks for the proof of b's pledge, as the Verify control does
    response = person(member).client.get(f"/proofs/{position}")
    # Then it is JSON for this person only, holding the API's proof bundle for it
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    answer = json.loads(response.text)
    api = client.get(f"/v1/audit/proofs/inclusion?position={position}", headers=member.headers())
    assert answer["position"] == position and answer["bundle"] == api.json
    # And verify.py accepts the bundle with the keys given beside it, which are the log's
    keys = [VerifierKey.parse(line) for line in answer["keys"]]
    assert {k.key_id for k in keys} == set(auth.service.audit.keys.verifiers)
    assert verify_bundle(answer["bundle"], keys).exit_code == 0
    # And the stored event hashes to the entry's state_sha256, under a writer signature
    entry = json.loads(answer["bundle"]["entry"])
    assert entry["position"] == position
    stored = base64.b64decode(answer["event"])
    assert hashlib.sha256(stored).hexdigest() == entry["state_sha256"]
    signature = answer["signature"]
    writer = next(k for k in keys if k.key_id == signature["key_id"])
    message = writer_message(
        entry["stream"], entry["version"], entry["topic"], entry["state_sha256"]
    )
    assert writer.verify(base64.b64decode(signature["value"]), message)


def test_a_position_the_person_may_not_see_is_the_404_of_an_unknown_one(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    # Given P with b's pledge under a checkpoint, and a partner of another partnership Q
    setup, position = pledged(auth, client)
    other = active_partnership(auth, client, ("a", "b"))
    auth.service.audit.sealer.seal()
    for caller in (other.partners["a"], auth.auditor(other.partnership_id), auth.auditor()):
        who = person(caller)
        # When it asks for the proof of P's pledge, and of a position past the log's head
        unseen = who.client.get(f"/proofs/{position}")
        far = setup.head() + 1000
        unknown = who.client.get(f"/proofs/{far}")
        # Then both are the same not-found page, as the API refuses it the proof
        assert unseen.status_code == unknown.status_code == 404, caller.role
        assert blanked(unseen.text, position) == blanked(unknown.text, far)
        query = f"/v1/audit/proofs/inclusion?position={position}"
        assert client.get(query, headers=caller.headers()).status_code == 404
    # While an auditor granted P, and an admin, get it
    for caller in (auth.auditor(setup.partnership_id), auth.admin):
        assert proof_of(person(caller), position)[0] == 200, caller.role
    assert person(auth.admin).client.get("/proofs/0").status_code == 404


def test_someone_signed_out_is_sent_to_sign_in(auth: Auth, client: FlaskClient) -> None:
    _, position = pledged(auth, client)
    response = client.get(f"/proofs/{position}")
    assert response.status_code == 302 and response.location.startswith("/signin?next=")


@pytest.fixture
def unsealed(memory_config: StoreConfig) -> Iterator[Flask]:
    app = make_app(memory_config, seal_interval=math.inf)
    yield app
    app.extensions["collab"].close()


def test_an_event_no_checkpoint_covers_yet_is_not_yet_in_a_signed_checkpoint(
    unsealed: Flask,
) -> None:
    # Given a log with no checkpoint, then a checkpoint and one more event after it
    auth, client = Auth(unsealed), unsealed.test_client()
    setup = active_partnership(auth, client)
    admin = Person(unsealed, auth.admin).sign_in()
    sealed = setup.head()
    for seal in (False, True):
        if seal:
            auth.service.audit.sealer.seal()
            setup.pledge("b", confirm=False)
        # When the proof of the newest event is asked for
        response = admin.client.get(f"/proofs/{setup.head()}")
        # Then the answer says it is not sealed yet, and when to ask again
        assert response.status_code == 503 and response.headers["Retry-After"] == "60"
        assert json.loads(response.text) == {"position": setup.head(), "sealed": False}
    # And an event under the checkpoint has its proof
    assert proof_of(admin, sealed)[0] == 200


def test_each_timeline_entry_has_a_verify_control_and_the_page_its_two_scripts(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    setup, position = pledged(auth, client)
    member = person(setup.partners["a"])
    cid = setup.app.recorder.select_notifications(position, 1)[0].originator_id
    for path in (f"{setup.url}/timeline", f"/commitments/{cid}/timeline"):
        # When a member reads a timeline
        status, html = member.get(path)
        assert status == 200
        # Then every entry has a Verify control naming its event, hidden until a script runs
        entries = re.findall(r'<li id="position-(\d+)">', html)
        controls = re.findall(r'<div class="proof" hidden data-position="(\d+)" data-stream', html)
        assert entries and controls == entries, path
        assert f'data-position="{position}" data-stream="{cid}" data-version="1"' in html
        # And without JavaScript a note says it needs JavaScript and where to check offline
        assert "<noscript>" in html and "verify.py" in html.split("<noscript>", 1)[1]
        # And the two scripts are files of ours under hashed names, never inline
        scripts = re.findall(r"<script([^>]*)>", html)
        sources = [re.search(r'src="(/static/[a-z]+\.[0-9a-f]{12}\.js)"', s) for s in scripts]
        assert len(scripts) == 2 and all(sources), scripts
        for found in sources:
            assert found is not None
            served = member.client.get(found.group(1))
            assert served.status_code == 200 and b"CollabProof" in served.get_data()

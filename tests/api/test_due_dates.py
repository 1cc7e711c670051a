"""Invariant 8 over HTTP: a member giving notice is `leaving` in the views until the
due-date processor records its exit; the OpenAPI document knows the status.

The service runs in process on a test clock the test moves (never a sleep); the processor
runs its pass over the read side's due table (`Service.due.run_once`), as `collab serve`
does in the background and `collab due run` on demand.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask

from api import create_app
from api.cli import main
from api.service import Service, Settings
from collab.due import PROCESSOR_ID
from collab.stores import StoreConfig
from tests.api.conftest import Auth
from tests.api.setup_partnership import Setup, outcome
from tests.application.conftest import Clock
from tests.application.timeflow import later
from tests.application.world import terms


@pytest.fixture
def timed(durable: StoreConfig) -> Iterator[tuple[Flask, Clock]]:
    clock = Clock()
    app = create_app(Settings(store=durable, mode="embedded", clock=clock))
    yield app, clock
    app.extensions["collab"].close()


def member(view: dict[str, Any], org: str) -> dict[str, Any]:
    return next(m for m in view["members"] if m["organisation_id"] == org)


def test_a_leaving_member_is_shown_with_its_exit_date_until_the_processor_records_it(
    timed: tuple[Flask, Clock],
) -> None:
    flask_app, _clock = timed
    svc: Service = flask_app.extensions["collab"]
    setup = Setup(Auth(flask_app), flask_app.test_client())
    pid = setup.start(notice=20)
    cid = setup.pledge("b")
    b = setup.partners["b"]
    # When b withdraws over HTTP (today: 2030-06-01)
    body = outcome(setup.post(b, "./withdraw"), 200)
    assert (body["result"]["status"], body["result"]["exit_date"]) == ("leaving", "2030-06-21")
    assert body["result"]["released_commitments"] == []
    # Then every member's view shows b leaving on its exit date, its commitment intact
    for who in ("a", "b"):
        view = setup.client.get(
            f"/v1/partnerships/{pid}/view", headers=setup.partners[who].headers()
        ).json
        shown = member(view, setup.orgs["b"])
        assert (shown["status"], shown["exit_date"]) == ("leaving", "2030-06-21")
        assert [c["status"] for c in shown["commitments"]] == ["confirmed"]
    # When the processor runs before the date, nothing; on the date, the exit
    later(svc.app, 19)
    assert svc.due.run_once() == []
    later(svc.app, 1)
    [done] = svc.due.run_once()
    assert done.result == {"kind": "exit", "stream_id": pid, "recorded": True}
    # Then the view shows b withdrawn and its commitment released, by the processor
    view = setup.client.get(f"/v1/partnerships/{pid}/view", headers=b.headers()).json
    assert member(view, setup.orgs["b"])["status"] == "withdrawn"
    admin = setup.auth.admin
    history = setup.client.get(f"/v1/partnerships/{pid}/history", headers=admin.headers()).json
    last = history["items"][-1]
    assert (last["event_type"], last["actor"]) == ("MemberExited", PROCESSOR_ID)
    commitment = setup.client.get(f"/v1/commitments/{cid}", headers=admin.headers()).json
    assert commitment["status"] == "released"
    # And a second pass, as another process's, records nothing
    assert svc.due.run_once() == []


def test_the_openapi_document_lists_leaving_among_membership_statuses(
    client: Any,
) -> None:
    spec = client.get("/v1/openapi.json").json
    status = spec["components"]["schemas"]["ViewMembership"]["properties"]["status"]
    assert "leaving" in status["enum"] and "withdrawn" in status["enum"]


def test_collab_due_run_records_nothing_on_a_fresh_store(tmp_path: Any) -> None:
    env = {"COLLAB_DATA_DIR": str(tmp_path), "COLLAB_DATABASE_URL": ""}
    result = CliRunner().invoke(main, ["due", "run"], env=env)
    assert result.exit_code == 0, result.output
    assert "recorded 0 effects due" in result.output


def test_a_leaving_signatory_is_still_asked_to_sign_an_amendment(
    timed: tuple[Flask, Clock],
) -> None:
    # Given b gave 30 days' notice, and an amendment is then proposed
    flask_app, _clock = timed
    setup = Setup(Auth(flask_app), flask_app.test_client())
    pid = setup.start(notice=30)
    assert outcome(setup.post(setup.partners["b"], "./withdraw"), 200)["result"]["status"] == (
        "leaving"
    )
    amended = {"base_version": 1, "terms": terms("Amended while b leaves", notice=30)}
    text_hash = outcome(setup.post(setup.broker, "./amendments", amended), 201)["result"][
        "text_hash"
    ]
    # When b reads its inbox, Then the amendment awaits its signature (it still signs)
    box = setup.client.get(
        f"/v1/organisations/{setup.orgs['b']}/inbox?min_position={setup.head()}",
        headers=setup.partners["b"].headers(),
    ).json
    assert [(s["partnership_id"], s["kind"], s["text_hash"]) for s in box["to_sign"]] == [
        (pid, "amendment", text_hash)
    ]


def test_a_leaving_member_and_its_fellows_still_read_each_others_contacts(
    timed: tuple[Flask, Clock],
) -> None:
    # Given b gave notice (leaving until its exit), each organisation with a contact
    flask_app, _clock = timed
    setup = Setup(Auth(flask_app), flask_app.test_client())
    setup.start(notice=30)
    for key in ("a", "b"):
        body = {"name": f"Clerk {key}", "email": f"clerk@{key}.example", "role": "clerk"}
        path = f"/organisations/{setup.orgs[key]}/contacts"
        assert setup.post(setup.auth.admin, path, body).status_code == 201
    outcome(setup.post(setup.partners["b"], "./withdraw"), 200)
    # Then a and b still read each other's contacts: b is a member until its exit date
    for reader, owner in (("a", "b"), ("b", "a")):
        response = setup.client.get(
            f"/v1/organisations/{setup.orgs[owner]}/contacts?min_position={setup.head()}",
            headers=setup.partners[reader].headers(),
        )
        assert response.status_code == 200, response.json
        assert [c["name"] for c in response.json["items"]] == [f"Clerk {owner}"]

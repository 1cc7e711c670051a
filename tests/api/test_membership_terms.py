"""Terms of membership changed by decision, and brokers unassigned, over HTTP (issue 15,
part 4): the events recorded, the views, and refusals that record nothing."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from flask.testing import FlaskClient

from collab.governance.commands import RecordDecision
from collab.partnerships.commands import AssignBroker
from tests.api.conftest import Auth
from tests.api.setup_partnership import Setup, active_partnership, command, outcome
from tests.api.test_clld_balance import lag


def decide_change(setup: Setup, key: str, vote: str = "for") -> str:
    """A decision of every member in standing to change `key`'s terms."""
    members = setup.partnership().members
    out = setup.app.execute(
        command(setup.broker),
        RecordDecision(
            setup.partnership_id,
            body="General assembly",
            subject={"action": "change_membership", "organisation_id": setup.orgs[key]},  # type: ignore[arg-type]
            votes={o: vote for o, m in members.items() if m.standing},
        ),
    )
    decision_id: str = out.result["decision_id"]
    return decision_id


def view(setup: Setup, position: int, key: str = "a") -> dict[str, Any]:
    """The partnership view as partner `key` reads it."""
    response = setup.client.get(
        f"/v1{setup.url}/view?min_position={position}", headers=setup.partners[key].headers()
    )
    assert response.status_code == 200, response.json
    body: dict[str, Any] = response.json  # type: ignore[assignment]
    return body


def test_a_decision_hands_the_lead_over_and_the_view_follows(
    auth: Auth, client: FlaskClient
) -> None:
    # Given a partnership in force led by a, and a decision to make b the lead, weight 2
    setup = active_partnership(auth, client)
    decision = decide_change(setup, "b")
    body = {"decision_id": decision, "roles": ["lead", "funder"], "weight": 2}
    # When the lead records the change
    result = outcome(
        setup.post(setup.partners["a"], f"./members/{setup.orgs['b']}/terms", body), 200
    )
    # Then one event records it, naming the lead that handed over
    assert setup.recorded(result) == ["MembershipChanged"]
    history = setup.client.get(
        f"/v1{setup.url}/history?min_position={result['position']}",
        headers=setup.broker.headers(),
    ).json["items"]
    (changed,) = [e["data"] for e in history if e["event_type"] == "MembershipChanged"]
    assert changed["changes"] == {"roles": ["lead", "funder"], "weight": 2}
    assert changed["previous_lead"] == setup.orgs["a"]
    # And the view shows b leading with its new weight, a no longer lead
    seen = view(setup, result["position"])
    members = {m["organisation_id"]: m for m in seen["members"]}
    assert seen["lead_organisation"] == setup.orgs["b"]
    assert (members[setup.orgs["b"]]["roles"], members[setup.orgs["b"]]["weight"]) == (
        ["lead", "funder"],
        2,
    )
    assert "lead" not in members[setup.orgs["a"]]["roles"]
    # And the decision is used: it cannot change anything again
    again = {"decision_id": decision, "weight": 3}
    setup.refused(409, "rule-violation", setup.broker, f"./members/{setup.orgs['b']}/terms", again)


def test_a_weight_change_that_breaks_the_clld_balance_is_refused(
    auth: Auth, client: FlaskClient
) -> None:
    # Given a LAG in force under a 45% limit: public bodies hold 4 of 9
    setup = lag(auth, client)
    decision = decide_change(setup, "pub")
    path = f"./members/{setup.orgs['pub']}/terms"
    # When the municipality's weight would make public bodies 5 of 10 (50%): refused
    body = {"decision_id": decision, "weight": 3}
    setup.refused(409, "rule-violation", setup.broker, path, body)
    # And declaring the parish council "economic" does not dodge it
    par = decide_change(setup, "par")
    body = {"decision_id": par, "weight": 3, "interest_group": "economic"}
    setup.refused(409, "rule-violation", setup.broker, f"./members/{setup.orgs['par']}/terms", body)


@pytest.mark.parametrize(
    "body",
    [
        {"weight": 2},  # no decision
        {"decision_id": "x", "weight": 2},
        {"decision_id": str(uuid.uuid4())},  # no term to change
        {"decision_id": str(uuid.uuid4()), "weight": -1},
        {"decision_id": str(uuid.uuid4()), "roles": ["chair"]},
        {"decision_id": str(uuid.uuid4()), "roles": []},
        {"decision_id": str(uuid.uuid4()), "signatory": "maybe"},
        {"decision_id": str(uuid.uuid4()), "interest_group": "farmers"},
        {"decision_id": str(uuid.uuid4()), "weight": 2, "surprise": 1},
    ],
)
def test_bad_terms_are_422(auth: Auth, client: FlaskClient, body: dict[str, Any]) -> None:
    setup = active_partnership(auth, client)
    path = f"./members/{setup.orgs['b']}/terms"
    setup.refused(422, "invalid-input", setup.broker, path, body)


def test_refusals_by_rule_and_authority(auth: Auth, client: FlaskClient) -> None:
    setup = active_partnership(auth, client)
    decision = decide_change(setup, "b")
    path = f"./members/{setup.orgs['b']}/terms"
    body = {"decision_id": decision, "weight": 5}
    setup.refused(403, "forbidden", setup.partners["b"], path, body)
    setup.refused(403, "forbidden", auth.auditor(setup.partnership_id), path, body)
    setup.refused(404, "not-found", auth.actor("broker"), path, body)
    failed = decide_change(setup, "b", vote="against")
    setup.refused(409, "rule-violation", setup.broker, path, {**body, "decision_id": failed})
    other = f"./members/{setup.orgs['c']}/terms"
    setup.refused(409, "rule-violation", setup.broker, other, body)


def test_a_broker_is_unassigned_and_no_longer_sees_the_partnership(
    auth: Auth, client: FlaskClient
) -> None:
    # Given a second broker assigned to an active partnership
    setup = active_partnership(auth, client)
    second = auth.actor("broker")
    setup.app.execute(
        command(setup.broker), AssignBroker(setup.partnership_id, broker_id=second.actor_id)
    )
    path = f"./brokers/{second.actor_id}/unassign"
    # A member that is not the lead may not unassign it; an unknown broker is a rule
    setup.refused(403, "forbidden", setup.partners["b"], path)
    setup.refused(409, "rule-violation", setup.broker, f"./brokers/{uuid.uuid4()}/unassign")
    setup.refused(422, "invalid-input", setup.broker, "./brokers/not-an-id/unassign")
    # When it unassigns itself
    result = outcome(setup.post(second, path), 200)
    assert setup.recorded(result) == ["BrokerUnassigned"]
    # Then the view lists the first broker only, and the second sees nothing of it
    assert view(setup, result["position"])["brokers"] == [setup.broker.actor_id]
    gone = client.get(
        f"/v1{setup.url}/view?min_position={result['position']}", headers=second.headers()
    )
    assert gone.status_code == 404
    # And the lead may unassign the last broker (the lead stays as steward)
    last = outcome(
        setup.post(setup.partners["a"], f"./brokers/{setup.broker.actor_id}/unassign"), 200
    )
    assert view(setup, last["position"])["brokers"] == []


def test_openapi_documents_both_routes(client: FlaskClient) -> None:
    paths = client.get("/v1/openapi.json").json["paths"]
    terms = paths["/v1/partnerships/{partnership_id}/members/{organisation_id}/terms"]["post"]
    assert "ChangeMembership" in str(terms["requestBody"])
    assert "/v1/partnerships/{partnership_id}/brokers/{broker_id}/unassign" in paths

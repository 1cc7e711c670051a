"""Invariant 4 over HTTP (issue 15, part 1): the balance in the partnership view, the limit
in the terms, conflicts of interest declared on a decision, and their refusals."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from flask.testing import FlaskClient

from collab.agreements.commands import DraftVersion, OpenForSignature, SignAgreement
from collab.partnerships.commands import InitiatePartnership, InviteMember, JoinPartnership
from tests.api.conftest import TERRITORY, Auth
from tests.api.setup_partnership import Setup, command, outcome
from tests.application.world import terms

# key: (sector, declared group, weight); "par" is a parish council declared environmental
MEMBERS = {
    "pub": ("public", "public_authority", 2),
    "civ": ("civil_society", "civil_society", 3),
    "eco": ("private", "economic", 2),
    "par": ("public", "environmental", 2),
}


def lag(auth: Auth, client: FlaskClient, limit: str | None = "45") -> Setup:
    """A LAG of MEMBERS (pub leads), text 1 drafted with `limit`, opened and signed."""
    setup = Setup(auth, client)
    out = setup.app.execute(
        command(setup.broker),
        InitiatePartnership(
            title="LAG Terras do Sul",
            need_statement="Young people leave the valley for lack of work",
            territory=TERRITORY,
            partnership_type="clld_lag",
        ),
    )
    pid = setup.partnership_id = out.result["partnership_id"]
    for key, (sector, group, weight) in MEMBERS.items():
        setup.app.execute(
            command(setup.broker),
            InviteMember(
                pid,
                organisation_id=setup.org(key, sector),
                roles=["lead"] if key == "pub" else ["implementer"],
                weight=weight,
                interest_group=group,
            ),
        )
        setup.app.execute(setup.as_(key), JoinPartnership(pid))
    draft = setup.app.execute(command(setup.broker), DraftVersion(pid, terms=terms(limit=limit)))
    setup.app.execute(command(setup.broker), OpenForSignature(pid, agreement_version=1))
    for key in MEMBERS:
        setup.app.execute(setup.as_(key), SignAgreement(pid, text_hash=draft.result["text_hash"]))
    assert setup.partnership().status == "active"
    return setup


def view(setup: Setup, position: int) -> dict[str, Any]:
    response = setup.client.get(
        f"/v1{setup.url}/view?min_position={position}", headers=setup.broker.headers()
    )
    assert response.status_code == 200, response.json
    body: dict[str, Any] = response.json  # type: ignore[assignment]
    return body


def test_the_view_gives_the_balance_a_public_body_counted_as_a_public_authority(
    auth: Auth, client: FlaskClient
) -> None:
    # Given a LAG whose parish council (public sector) declared itself environmental
    setup = lag(auth, client)
    # When the broker reads the view
    balance = view(setup, setup.head())["balance"]
    # Then the parish council counts with the public authorities: 4 of 9, under the 45%
    # the terms set
    groups = {g["group"]: g for g in balance["groups"]}
    assert groups["public_authority"] == {
        "group": "public_authority",
        "weight": 4,
        "share": "44.5",
        "over": False,
    }
    assert "environmental" not in groups
    assert (balance["applies"], balance["limit"], balance["holds"]) == (True, "45", True)
    assert [g["share"] for g in balance["groups"]] == ["33.3", "22.2", "44.5"]


def test_a_decision_with_conflicts_records_them_and_the_view_shows_them(
    auth: Auth, client: FlaskClient
) -> None:
    setup = lag(auth, client)
    o = setup.orgs
    body = {
        "body": "Selection committee",
        "subject": {"action": "other", "summary": "Call 2027/1: project 4"},
        "votes": {o["pub"]: "for", o["civ"]: "for", o["eco"]: "against"},
        "conflicts": [o["par"]],
    }
    # When the broker records a selection where the parish council declared a conflict
    result = outcome(setup.post(setup.broker, "./decisions", body), 201)
    # Then it is not present: 7 of 9; the event and the view name it
    assert (result["result"]["present_weight"], result["result"]["passed"]) == (7, True)
    decision_id = result["result"]["decision_id"]
    (decision,) = [d for d in view(setup, result["position"])["decisions"]]
    assert (decision["decision_id"], decision["conflicts"]) == (decision_id, [o["par"]])
    history = setup.client.get(
        f"/v1{setup.url}/history?min_position={result['position']}",
        headers=setup.broker.headers(),
    ).json
    (recorded,) = [e for e in history["items"] if e["event_type"] == "DecisionRecorded"]
    assert recorded["data"]["conflicts"] == [o["par"]]


@pytest.mark.parametrize(
    "conflicts",
    [
        "not-a-list",
        ["not-a-uuid"],
        "civ",  # replaced below by an id that also votes
        [str(uuid.uuid4()), None],
    ],
)
def test_bad_conflicts_are_422_and_record_nothing(
    auth: Auth, client: FlaskClient, conflicts: Any
) -> None:
    setup = lag(auth, client)
    o = setup.orgs
    votes = {o["pub"]: "for", o["civ"]: "for", o["eco"]: "for"}
    if conflicts == "civ":
        conflicts = [o["civ"]]
    body = {"body": "AG", "subject": {"action": "other"}, "votes": votes, "conflicts": conflicts}
    setup.refused(422, "invalid-input", setup.broker, "./decisions", body)


def test_a_conflict_declared_by_a_stranger_or_blocking_the_balance_is_409(
    auth: Auth, client: FlaskClient
) -> None:
    setup = lag(auth, client, limit=None)
    o = setup.orgs
    votes = {o["pub"]: "for", o["civ"]: "for", o["eco"]: "for"}
    stranger = {"body": "AG", "subject": {"action": "other"}, "votes": votes}
    stranger["conflicts"] = [str(uuid.uuid4())]
    setup.refused(409, "rule-violation", setup.broker, "./decisions", stranger)
    # civ and eco out: public authorities are 4 of the 4 present
    blocked = {
        "body": "AG",
        "subject": {"action": "other"},
        "votes": {o["pub"]: "for", o["par"]: "for"},
        "conflicts": [o["civ"], o["eco"]],
    }
    setup.refused(409, "rule-violation", setup.broker, "./decisions", blocked)


def test_a_limit_is_checked_at_the_edge_and_only_a_lag_sets_one(
    auth: Auth, client: FlaskClient
) -> None:
    setup = lag(auth, client)
    setup.partnership_id = setup.app.execute(
        command(setup.broker),
        InitiatePartnership(
            title="Repair café",
            need_statement="Broken things are thrown away",
            territory=TERRITORY,
            partnership_type="social_innovation",
        ),
    ).result["partnership_id"]
    for bad in ("50.5", "0", 45, "forty"):
        body = {"terms": terms(limit=None) | {"balance_limit": bad}}
        setup.refused(422, "invalid-input", setup.broker, "./versions", body)
    body = {"terms": terms(limit="45")}
    setup.refused(409, "rule-violation", setup.broker, "./versions", body)


def test_openapi_documents_conflicts_the_limit_and_the_balance(client: FlaskClient) -> None:
    spec = client.get("/v1/openapi.json").json
    schemas = spec["components"]["schemas"]
    assert "conflicts" in schemas["RecordDecision"]["properties"]
    assert "balance_limit" in schemas["AgreementTerms"]["properties"]
    assert set(schemas["Balance"]["properties"]) == {"rule", "applies", "limit", "holds", "groups"}
    assert "balance" in schemas["PartnershipView"]["properties"]
    assert "conflicts" in schemas["ViewDecision"]["properties"]

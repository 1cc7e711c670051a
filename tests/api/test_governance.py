"""Governance over HTTP: decisions and the transitions they allow, breaches, plans, results."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.api.conftest import Auth
from tests.api.setup_partnership import Setup, active_partnership, outcome


@pytest.fixture
def setup(auth: Auth, client: FlaskClient) -> Setup:
    return active_partnership(auth, client)


def decision_body(setup: Setup, action: str, vote: str = "for", **subject: str) -> dict[str, Any]:
    votes = {setup.orgs[k]: vote for k in ("a", "b", "c")}
    return {"body": "General assembly", "subject": {"action": action, **subject}, "votes": votes}


# -- decisions ---------------------------------------------------------------------------


def test_the_broker_records_a_decision_and_its_tally(setup: Setup) -> None:
    # When the broker records a unanimous decision to suspend
    response = setup.post(setup.broker, "./decisions", decision_body(setup, "suspend"))
    # Then it is recorded, passed, with the quorum and weights it was decided by
    body = outcome(response, 201)
    assert setup.recorded(body) == ["DecisionRecorded"]
    result = body["result"]
    assert result["passed"] is True and result["quorum_met"] is True
    assert (result["present_weight"], result["for_weight"]) == (3, 3)
    assert response.headers["ETag"] == f'"{result["version"]}"'
    assert setup.partnership().decisions[result["decision_id"]].passed is True


def test_the_lead_records_a_decision_that_does_not_pass(setup: Setup) -> None:
    response = setup.post(
        setup.partners["a"], "./decisions", decision_body(setup, "other", "against")
    )
    assert outcome(response, 201)["result"]["passed"] is False


def test_decisions_are_refused_by_status_and_nothing_is_recorded(setup: Setup, auth: Auth) -> None:
    body = decision_body(setup, "suspend")
    # A member that is not the lead: visible, no authority
    setup.refused(403, "forbidden", setup.partners["b"], "./decisions", body)
    # An auditor granted the partnership only reads
    auditor = auth.auditor(setup.partnership_id)
    setup.refused(403, "forbidden", auditor, "./decisions", body)
    # A broker of another partnership does not see this one
    setup.refused(404, "not-found", auth.actor("broker"), "./decisions", body)
    # A stranger's vote breaks a rule
    stranger = {**body, "votes": {**body["votes"], str(uuid.uuid4()): "for"}}
    setup.refused(409, "rule-violation", setup.broker, "./decisions", stranger)
    # A stale If-Match
    setup.refused(412, "stale-version", setup.broker, "./decisions", body, **{"If-Match": '"1"'})


@pytest.mark.parametrize(
    "change",
    [
        {"votes": {}},
        {"votes": {"not-a-uuid": "for"}},
        {"subject": {"action": "dissolve"}},
        {"subject": {"action": "suspend", "extra": 1}},
        {"surprise": True},
    ],
)
def test_a_malformed_decision_is_422(setup: Setup, change: dict[str, Any]) -> None:
    body = {**decision_body(setup, "suspend"), **change}
    setup.refused(422, "invalid-input", setup.broker, "./decisions", body)


def test_a_vote_that_is_not_a_choice_is_422(setup: Setup) -> None:
    body = decision_body(setup, "suspend", vote="maybe")
    setup.refused(422, "invalid-input", setup.broker, "./decisions", body)


# -- transitions under a decision --------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        [("suspend", "Suspended", "suspended"), ("resume", "Resumed", "active")],
        [
            ("start_moving_on", "MovingOnStarted", "moving_on"),
            ("conclude", "Concluded", "concluded"),
        ],
        [("suspend", "Suspended", "suspended"), ("terminate", "Terminated", "terminated")],
    ],
)
def test_a_passed_decision_moves_the_partnership(
    setup: Setup, path: list[tuple[str, str, str]]
) -> None:
    for action, event, status in path:
        # Given a passed decision on the action
        decision_id = setup.decide(action)
        # When the broker applies it
        segment = "./" + action.replace("_", "-")
        response = setup.post(setup.broker, segment, {"decision_id": decision_id})
        # Then the partnership moves, and the decision is used
        body = outcome(response, 200)
        assert setup.recorded(body) == [event]
        assert body["result"]["status"] == status == setup.partnership().status
        assert setup.partnership().decisions[decision_id].used is True


def test_transitions_are_refused_by_rule_and_authority(setup: Setup, auth: Auth) -> None:
    failed = setup.decide("suspend", vote="against")
    setup.refused(409, "rule-violation", setup.broker, "./suspend", {"decision_id": failed})
    passed = setup.decide("suspend")
    # A decision on another action, one that does not exist, an action not allowed now
    setup.refused(409, "rule-violation", setup.broker, "./terminate", {"decision_id": passed})
    unknown = {"decision_id": str(uuid.uuid4())}
    setup.refused(409, "rule-violation", setup.broker, "./suspend", unknown)
    setup.refused(409, "rule-violation", setup.broker, "./resume", {"decision_id": passed})
    # A member that is not the lead, a foreign partner, a stale If-Match, a bad id
    setup.refused(403, "forbidden", setup.partners["b"], "./suspend", {"decision_id": passed})
    other = auth.actor("partner", setup.org("z"))
    setup.refused(404, "not-found", other, "./suspend", {"decision_id": passed})
    stale = {"If-Match": '"2"'}
    setup.refused(412, "stale-version", setup.broker, "./suspend", {"decision_id": passed}, **stale)
    setup.refused(422, "invalid-input", setup.broker, "./suspend", {"decision_id": "x"})
    # And the decision is still there to use
    version = setup.partnership().version
    response = setup.post(
        setup.broker, "./suspend", {"decision_id": passed}, **{"If-Match": f'"{version}"'}
    )
    assert response.headers["ETag"] == f'"{version + 1}"'


# -- members after entry into force ------------------------------------------------------


def admission(decision_id: str, organisation_id: str, **extra: Any) -> dict[str, Any]:
    body = {"decision_id": decision_id, "organisation_id": organisation_id, "roles": ["funder"]}
    return {**body, "weight": 1, **extra}


def test_a_member_is_admitted_under_a_decision(setup: Setup) -> None:
    # Given a passed decision to admit a private company
    newcomer = setup.org("d", "private")
    decision_id = setup.decide("admit_member", newcomer)
    # When the broker admits it
    response = setup.post(setup.broker, "./admissions", admission(decision_id, newcomer))
    # Then it is invited, its interest group and signatory defaulted
    assert setup.recorded(outcome(response, 201)) == ["MemberAdmitted"]
    member = setup.partnership().members[newcomer]
    assert member.status == "invited"
    assert (member.interest_group, member.signatory) == ("economic", True)


def test_an_admission_needs_its_own_decision(setup: Setup) -> None:
    decision_id = setup.decide("admit_member", setup.org("e"))
    body = admission(decision_id, setup.org("d"))
    setup.refused(409, "rule-violation", setup.broker, "./admissions", body)
    setup.refused(422, "invalid-input", setup.broker, "./admissions", {**body, "weight": "1"})
    setup.refused(422, "invalid-input", setup.broker, "./admissions", {**body, "roles": ["boss"]})


def breach(setup: Setup, key: str = "c") -> Any:
    """The broker notifies a breach dated 2030-01-01 with 30 days to remedy."""
    body = {"remedy_days": 30, "effective_date": "2030-01-01"}
    return setup.post(setup.broker, f"./members/{setup.orgs[key]}/breaches", body)


def test_a_breach_then_defaulting_then_remedied(setup: Setup) -> None:
    member = f"./members/{setup.orgs['c']}"
    # When the broker notifies a breach
    assert setup.recorded(outcome(breach(setup), 201)) == ["BreachNotified"]
    assert setup.partnership().members[setup.orgs["c"]].remedy_until == "2030-01-31"
    # And, the remedy period over, the assembly declares the member defaulting
    decision_id = setup.decide("declare_defaulting", setup.orgs["c"])
    response = setup.post(
        setup.broker, f"{member}/declare-defaulting", {"decision_id": decision_id}
    )
    assert setup.recorded(outcome(response, 200)) == ["MemberDeclaredDefaulting"]
    # And later that it remedied
    decision_id = setup.decide("remedied", setup.orgs["c"])
    response = setup.post(setup.broker, f"{member}/remedied", {"decision_id": decision_id})
    assert setup.recorded(outcome(response, 200)) == ["DefaultRemedied"]
    assert setup.partnership().members[setup.orgs["c"]].status == "active"


def test_a_defaulting_member_is_removed_and_its_commitments_released(setup: Setup) -> None:
    commitment_id = setup.pledge("c")
    member = f"./members/{setup.orgs['c']}"
    outcome(breach(setup), 201)
    defaulting = setup.decide("declare_defaulting", setup.orgs["c"])
    outcome(
        setup.post(setup.broker, f"{member}/declare-defaulting", {"decision_id": defaulting}), 200
    )
    removal = setup.decide("remove_member", setup.orgs["c"])
    response = setup.post(setup.broker, f"{member}/remove-member", {"decision_id": removal})
    body = outcome(response, 200)
    assert sorted(setup.recorded(body)) == ["MemberRemoved", "Released"]
    assert body["result"]["released_commitments"] == [commitment_id]
    assert setup.commitment(commitment_id).status == "released"


def test_member_decisions_are_refused_by_rule_and_authority(setup: Setup, auth: Auth) -> None:
    member = f"./members/{setup.orgs['c']}"
    # Defaulting before any breach; before the remedy period ends
    decision_id = setup.decide("declare_defaulting", setup.orgs["c"])
    path = f"{member}/declare-defaulting"
    setup.refused(409, "rule-violation", setup.broker, path, {"decision_id": decision_id})
    outcome(breach(setup), 201)
    early = {"decision_id": decision_id, "effective_date": "2030-01-15"}
    setup.refused(409, "rule-violation", setup.broker, path, early)
    # Remedied for a member that is not defaulting; a breach by a member; by a stranger
    remedied = {"decision_id": setup.decide("remedied", setup.orgs["c"])}
    setup.refused(409, "rule-violation", setup.broker, f"{member}/remedied", remedied)
    body = {"remedy_days": 10}
    setup.refused(403, "forbidden", setup.partners["b"], f"{member}/breaches", body)
    setup.refused(404, "not-found", auth.actor("broker"), f"{member}/breaches", body)
    setup.refused(422, "invalid-input", setup.broker, f"{member}/breaches", {"remedy_days": 5000})
    setup.refused(422, "invalid-input", setup.broker, f"{member}/breaches", {"remedy_days": 1.5})


# -- plans and results -------------------------------------------------------------------


def test_milestones_are_added_and_updated(setup: Setup) -> None:
    body = {"title": "First round", "due_date": "2030-09-01"}
    created = outcome(setup.post(setup.partners["a"], "./milestones", body), 201)
    assert setup.recorded(created) == ["MilestoneSet"]
    milestone_id = created["result"]["milestone_id"]
    update = {**body, "status": "reached", "milestone_id": milestone_id}
    updated = outcome(setup.post(setup.broker, "./milestones", update), 201)
    assert updated["result"]["milestone_id"] == milestone_id
    assert setup.partnership().milestones[milestone_id].status == "reached"
    setup.refused(403, "forbidden", setup.partners["b"], "./milestones", body)
    setup.refused(
        422, "invalid-input", setup.broker, "./milestones", {**body, "due_date": "2030-02-30"}
    )
    setup.refused(422, "invalid-input", setup.broker, "./milestones", {**body, "status": "late"})


def indicator(**overrides: Any) -> dict[str, Any]:
    body = {"kind": "output", "name": "Visits", "unit": "visit", "baseline": "0", "target": "12.50"}
    return {**body, **overrides}


def test_an_indicator_and_a_reported_result_keep_exact_decimals(setup: Setup) -> None:
    # Given an indicator with a decimal target
    created = outcome(setup.post(setup.broker, "./indicators", indicator()), 201)
    assert setup.recorded(created) == ["IndicatorSet"]
    indicator_id = created["result"]["indicator_id"]
    # When a member reports a result
    body = {"indicator_id": indicator_id, "actual": "7.25", "as_of": "2030-05-31"}
    reported = outcome(setup.post(setup.partners["b"], "./results", body), 201)
    # Then it is recorded as an exact decimal with its date
    # (a report for the day as_of: issue 15 part 5, tests/api/test_indicator_reports.py)
    assert setup.recorded(reported) == ["ResultReportedForPeriod"]
    stored = setup.partnership().indicators[indicator_id]
    assert (stored.target, stored.actual, stored.actual_as_of) == (
        Decimal("12.50"),
        Decimal("7.25"),
        "2030-05-31",
    )


@pytest.mark.parametrize("value", [12.5, 12, "1e3", "1.5E2", "12,50", "1.1234567", "NaN"])
def test_a_decimal_that_is_not_a_decimal_string_is_422(setup: Setup, value: Any) -> None:
    setup.refused(422, "invalid-input", setup.broker, "./indicators", indicator(target=value))


def test_results_are_refused_by_rule_and_authority(setup: Setup, auth: Auth) -> None:
    body = {"indicator_id": str(uuid.uuid4()), "actual": "1", "as_of": "2030-05-31"}
    setup.refused(409, "rule-violation", setup.partners["b"], "./results", body)
    setup.refused(403, "forbidden", auth.auditor(setup.partnership_id), "./results", body)
    setup.refused(404, "not-found", auth.auditor(), "./results", body)
    setup.refused(422, "invalid-input", setup.broker, "./results", {**body, "actual": 1})
    setup.refused(422, "invalid-input", setup.broker, "./indicators", indicator(target="-1"))

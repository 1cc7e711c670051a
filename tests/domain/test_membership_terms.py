"""Terms of membership changed by decision, and a broker unassigned (issue 15, part 4):
Given events, When a command, Then the events it records (or a refusal)."""

from __future__ import annotations

from typing import Any

from collab.domain.envelope import Acting, Actor
from collab.domain.errors import ForbiddenError, RuleViolationError
from collab.domain.terms import terms_hash
from tests.domain.test_clld_rules import FOUR, lag_events
from tests.domain.test_partnership import (
    BROKER,
    A,
    B,
    C,
    D,
    Event,
    agreed,
    broker,
    given,
    meta,
    partner,
    refused,
    terms,
    then,
)


def decided(org: str, action: str = "change_membership", passed: bool = True) -> Event:
    return "DecisionRecorded", {
        "decision_id": "d1",
        "body": "AG",
        "subject": {"action": action, "organisation": org, "summary": None},
        "votes": {A: "for", B: "for"},
        "result": {"passed": passed},
        "conflicts": [],
    }


def lag_with(*events: Event) -> Any:
    """The LAG of FOUR in force, then `events`."""
    return given(*lag_events(*FOUR), *events)


def test_a_weight_change_by_decision_is_rechecked_against_the_balance() -> None:
    # Given a LAG in force (public 3, civil 3, economic 2, environmental 2), and a passed
    # decision to change the public member's terms
    p = lag_with(decided(A))
    # When the weight asked gives public authorities 5 of 12 (41.7%), Then it is recorded
    p.change_membership(A, {"weight": 5}, "d1", broker(), meta())
    (event,) = p.collect_events()
    assert type(event).__name__ == "MembershipChanged"
    assert event.changes == {"weight": 5}  # type: ignore[attr-defined]
    assert p.members[A].weight == 5 and p.decisions["d1"].used
    # When the weight asked gives them 7 of 14 (50%, over 49), Then it is refused
    p = lag_with(decided(A))
    message = refused(
        p, RuleViolationError, lambda: p.change_membership(A, {"weight": 7}, "d1", broker(), meta())
    )
    assert "public_authority interest group holds 50.0%" in message
    # And declaring a public body "economic" does not dodge it
    p = lag_with(decided(A))
    refused(
        p,
        RuleViolationError,
        lambda: p.change_membership(
            A, {"weight": 7, "interest_group": "economic"}, "d1", broker(), meta()
        ),
    )


def test_a_change_needs_its_own_passed_unused_decision_and_a_steward() -> None:
    p = lag_with(decided(B))
    refused(
        p, RuleViolationError, lambda: p.change_membership(A, {"weight": 2}, "d1", broker(), meta())
    )
    p = lag_with(decided(A, passed=False))
    refused(
        p, RuleViolationError, lambda: p.change_membership(A, {"weight": 2}, "d1", broker(), meta())
    )
    p = lag_with(decided(A))
    refused(
        p, ForbiddenError, lambda: p.change_membership(A, {"weight": 2}, "d1", partner(B), meta())
    )
    refused(
        p, RuleViolationError, lambda: p.change_membership(A, {"weight": 3}, "d1", broker(), meta())
    )
    p.change_membership(A, {"weight": 2}, "d1", broker(), meta())
    p.collect_events()
    refused(
        p, RuleViolationError, lambda: p.change_membership(A, {"weight": 1}, "d1", broker(), meta())
    )


def test_the_lead_is_handed_over_and_a_new_signatory_accedes_first() -> None:
    # Given a partnership in force led by A, and a decision to make B the lead
    p = given(*agreed(A, B, C), decided(B))
    p.change_membership(B, {"roles": ["lead"]}, "d1", broker(), meta())
    assert then(p) == ["MembershipChanged"]
    # Then B leads and A no longer does
    assert p.lead_organisation() == B and "lead" not in p.members[A].roles
    # Given C made a non-signatory, then a signatory again: it signed the text in force
    # already, so it counts at once; a member that never signed it must accede first
    p = given(*agreed(A, B, C), decided(C))
    p.change_membership(C, {"signatory": False}, "d1", broker(), meta())
    assert C not in p.required_signatories()
    p = given(*agreed(A, B), ("MemberInvited", invitation(D, signatory=False)), decided(D))
    p.put_member(D, status="active")  # joined after entry into force, not a signatory
    p.change_membership(D, {"signatory": True}, "d1", broker(), meta())
    assert p.members[D].needs_accession and D not in p.required_signatories()


def invitation(org: str, signatory: bool) -> dict[str, Any]:
    return {
        "membership": {
            "organisation": org,
            "roles": ["implementer"],
            "weight": 1,
            "interest_group": "civil_society",
            "signatory": signatory,
            "sector": "civil_society",
        },
        "decision_id": None,
    }


def test_a_broker_is_unassigned_by_a_steward_or_itself_never_the_last_without_a_lead() -> None:
    other = Actor("b2", "broker")
    assigned = ("BrokerAssigned", {"broker_id": other.id})
    p = given(*agreed(A, B), assigned)
    refused(p, ForbiddenError, lambda: p.unassign_broker(other.id, partner(B), meta()))
    p.unassign_broker(other.id, Acting(other, None), meta())  # itself
    assert then(p) == ["BrokerUnassigned"] and p.brokers == [BROKER.id]
    refused(p, RuleViolationError, lambda: p.unassign_broker(other.id, broker(), meta()))
    # The lead may unassign the last broker: the lead stays as steward
    p.unassign_broker(BROKER.id, partner(A), meta())
    assert then(p) == ["BrokerUnassigned"] and p.brokers == []
    # Without a lead, the last broker stays
    p = given(("Initiated", agreed(A)[0][1]))
    refused(p, RuleViolationError, lambda: p.unassign_broker(BROKER.id, broker(), meta()))


def test_while_an_amendment_awaits_signatures_a_change_holds_under_both_limits() -> None:
    # Given the LAG of FOUR in force under 49, and an amendment to a 40% limit proposed
    # (public authorities hold 3 of 10: it holds already)
    p = lag_with(decided(A))
    lower = {**terms(2), "balance_limit": "40"}
    p.propose_amendment(1, lower, terms_hash(lower), broker(), meta())
    p.collect_events()
    # When the public member's weight would give public authorities 5 of 12 (41.7%):
    # within 49, over the 40 awaiting signatures: refused
    message = refused(
        p, RuleViolationError, lambda: p.change_membership(A, {"weight": 5}, "d1", broker(), meta())
    )
    assert "at most 40%" in message
    # And 4 of 11 (36.4%) holds under both
    p.change_membership(A, {"weight": 4}, "d1", broker(), meta())
    assert then(p) == ["MembershipChanged"]


def test_the_lead_is_taken_from_a_defaulting_lead_too_never_two_leads() -> None:
    # Given A, the lead, declared defaulting, and a decision to make B the lead
    breach = ("BreachNotified", {"org_id": A, "remedy_until": "2027-05-01"})
    defaulting = (
        "MemberDeclaredDefaulting",
        {"org_id": A, "decision_id": "d0"},
    )
    decided_default = (
        "DecisionRecorded",
        {
            "decision_id": "d0",
            "body": "AG",
            "subject": {"action": "declare_defaulting", "organisation": A, "summary": None},
            "votes": {B: "for", C: "for"},
            "result": {"passed": True},
            "conflicts": [],
        },
    )
    p = given(*agreed(A, B, C), breach, decided_default, defaulting, decided(B))
    p.change_membership(B, {"roles": ["lead"]}, "d1", broker(), meta())
    (event,) = p.collect_events()
    assert event.previous_lead == A  # type: ignore[attr-defined]
    assert [o for o, m in p.members.items() if "lead" in m.roles] == [B]


def test_the_last_broker_stays_while_the_lead_is_leaving() -> None:
    notice = ("MemberGaveNotice", {"org_id": A, "exit_date": "2027-08-01"})
    p = given(*agreed(A, B), notice)
    message = refused(p, RuleViolationError, lambda: p.unassign_broker(BROKER.id, broker(), meta()))
    assert "no lead to steward it" in message

"""Invariant 4 as a managing authority audits it (issue 15, part 1): the limit set in the
terms, conflicts of interest declared on a decision, and decisions settling a disputed
delivery. Given events, When a command, Then the events it records (or a refusal)."""

from __future__ import annotations

from typing import Any, cast

import pytest
from eventsourcing.application import Application
from eventsourcing.persistence import JSONTranscoder, Mapper
from eventsourcing.utils import get_topic

from collab.domain.errors import InvalidInputError, RuleViolationError
from collab.domain.partnership import Partnership
from collab.domain.partnership_rules import tally
from collab.domain.terms import agreement_terms, terms_hash
from collab.governance.commands import RecordDecision
from tests.domain.test_partnership import (
    PID,
    A,
    B,
    C,
    D,
    Event,
    agreed,
    broker,
    clld,
    given,
    in_force,
    meta,
    opened,
    partner,
    refused,
    signed,
    terms,
    then,
)

OTHER = {"action": "other", "organisation": None, "summary": None}
FOUR = (
    (A, "public_authority", 3),
    (B, "civil_society", 3),
    (C, "economic", 2),
    (D, "environmental", 2),
)


def drafted_with(number: int, limit: str | None) -> Event:
    text = {**terms(number), **({"balance_limit": limit} if limit else {})}
    return "VersionDrafted", {"terms": text, "text_hash": terms_hash(text)}


def lag_events(*members: tuple[str, str, int]) -> list[Event]:
    """A LAG of `members` (the first leads) whose text 1 is in force."""
    orgs = [o for o, _, _ in members]
    signatures = [signed(o) for o in orgs]
    return [*clld(*members), drafted_with(1, None), opened(1), *signatures, in_force(1, *orgs)]


def lag_in_force(*members: tuple[str, str, int]) -> Any:
    return given(*lag_events(*members))


# -- the limit is part of the terms (default 49) -------------------------------------------


def test_the_limit_set_in_the_terms_decides_the_opening() -> None:
    # Given a LAG where public authorities hold 45% of the votes
    members = (A, "public_authority", 9), (B, "civil_society", 6), (C, "economic", 5)
    # When its terms keep the default (49), Then the text opens for signature
    p = given(*clld(*members), drafted_with(1, None))
    p.open_for_signature(1, broker(), meta())
    assert then(p) == ["VersionOpenedForSignature"]
    # When its terms set 40, Then opening is refused and says the limit
    p = given(*clld(*members), drafted_with(1, "40"))
    message = refused(p, RuleViolationError, lambda: p.open_for_signature(1, broker(), meta()))
    assert "public_authority interest group holds 45.0%" in message and "at most 40%" in message


def test_only_a_lags_terms_set_a_limit_and_an_amendment_lowering_it_must_hold_already() -> None:
    text = {**terms(1), "balance_limit": "45"}
    p = given(*agreed(A, B)[:5])  # a social-innovation partnership, staffed
    refused(
        p, RuleViolationError, lambda: p.draft_version(text, terms_hash(text), broker(), meta())
    )
    # Given a LAG in force where public authorities hold 45%
    p = lag_in_force((A, "public_authority", 9), (B, "civil_society", 6), (C, "economic", 5))
    lower = {**terms(2), "balance_limit": "40"}
    message = refused(
        p,
        RuleViolationError,
        lambda: p.propose_amendment(1, lower, terms_hash(lower), broker(), meta()),
    )
    assert "at most 40%" in message
    higher = {**terms(2), "balance_limit": "50"}
    p.propose_amendment(1, higher, terms_hash(higher), broker(), meta())
    assert then(p) == ["AmendmentProposed"]


def test_terms_without_a_limit_keep_their_hash_and_a_limit_is_checked_as_input() -> None:
    sent = {k: v for k, v in terms(1).items() if k not in ("partnership_id", "version")}
    sent["governance"] = {"rule": "majority", "quorum": "50"}
    plain = agreement_terms(sent, str(PID), 1)
    assert "balance_limit" not in plain and terms_hash(plain) == terms_hash(terms(1))
    assert agreement_terms({**sent, "balance_limit": "45.5"}, str(PID), 1)["balance_limit"] == (
        "45.5"
    )
    for bad in ("0", "50.1", "abc", 49, "-1"):
        with pytest.raises(InvalidInputError) as caught:
            agreement_terms({**sent, "balance_limit": bad}, str(PID), 1)
        assert caught.value.field == "terms.balance_limit"


# -- conflicts of interest: neither vote nor count as present ------------------------------


def test_a_member_declaring_a_conflict_is_not_present_and_the_event_records_it() -> None:
    # Given a LAG in force: public 3, civil society 3, economic 2, environmental 2
    p = lag_in_force(*FOUR)
    # When B, C and D declare conflicts on a selection and A votes alone
    refused(
        p,
        RuleViolationError,
        lambda: p.record_decision("d1", "AG", OTHER, {A: "for"}, broker(), meta(), (B, C, D)),
    )  # Then A alone is 100% of the weight present: the balance blocks the decision
    # When only C declares a conflict, A, B and D vote
    votes = {A: "for", B: "against", D: "for"}
    result = p.record_decision("d2", "AG", OTHER, votes, broker(), meta(), (C,))
    (event,) = p.collect_events()
    assert type(event).__name__ == "DecisionRecorded"
    assert event.conflicts == [C]  # type: ignore[attr-defined]
    # Then C is not present: present 8 of 10, quorum met, 5 for of 8 present carries
    assert (result["present_weight"], result["total_weight"], result["passed"]) == (8, 10, True)
    assert p.decisions["d2"].conflicts == (C,)


def test_a_conflict_is_declared_only_by_an_active_member_and_never_with_a_vote() -> None:
    p = lag_in_force((A, "public_authority", 4), (B, "civil_society", 3), (C, "economic", 3))
    refused(
        p,
        RuleViolationError,
        lambda: p.record_decision("d", "AG", OTHER, {A: "for", B: "for"}, broker(), meta(), (D,)),
    )
    with pytest.raises(InvalidInputError) as caught:
        RecordDecision(
            partnership_id=str(PID),
            body="AG",
            subject={"action": "other"},  # type: ignore[arg-type]
            votes={A: "for", B: "for"},
            conflicts=[B],  # type: ignore[arg-type]
        )
    assert caught.value.field == "conflicts"


def test_unanimity_does_not_wait_for_a_member_with_a_conflict() -> None:
    rule = {"rule": "unanimity", "quorum": "50", "threshold": ""}
    weights = {A: 4, B: 3, C: 3}
    assert not tally(rule, weights, {A: "for", B: "for"})["passed"]
    assert tally(rule, weights, {A: "for", B: "for"}, (C,))["passed"]
    # and a member with a conflict stays in the quorum's base: 3 present of 10 is short
    majority = {"rule": "majority", "quorum": "50", "threshold": ""}
    assert not tally(majority, weights, {B: "for"}, (A, C))["quorum_met"]


def test_a_decision_recorded_before_conflicts_existed_reads_as_none_declared() -> None:
    # Given a DecisionRecorded stored at class version 1 (no `conflicts`)
    p = lag_in_force(*FOUR)
    p.record_decision("d", "AG", OTHER, {A: "for", B: "for", C: "for"}, broker(), meta())
    (event,) = p.collect_events()
    transcoder = JSONTranscoder()
    Application.register_transcodings(cast(Any, None), transcoder)  # datetime, UUID, Decimal
    mapper: Mapper[Any] = Mapper(transcoder=transcoder)
    stored = mapper.to_stored_event(event)
    state = mapper.transcoder.decode(stored.state)
    assert state.pop("class_version") == 2
    del state["conflicts"]
    old = type(stored)(
        originator_id=stored.originator_id,
        originator_version=stored.originator_version,
        topic=stored.topic,
        state=mapper.transcoder.encode(state),
    )
    # When it is read back, Then it is upcast: nobody declared a conflict
    read = mapper.to_domain_event(old)
    assert read.conflicts == []  # type: ignore[attr-defined]
    assert stored.topic == get_topic(Partnership.DecisionRecorded)


# -- a disputed delivery settled by the partnership's decision -----------------------------


def settle_decision(action: str, passed: bool = True) -> Event:
    subject = {"action": action, "organisation": None, "summary": None}
    subject |= {"commitment": "c1", "delivery": "d1"}
    return "DecisionRecorded", {
        "decision_id": "s1",
        "body": "Board",
        "subject": subject,
        "votes": {A: "for", B: "for"},
        "result": {"passed": passed},
        "conflicts": [],
    }


def test_a_passed_settlement_decision_is_used_once_for_the_delivery_it_names() -> None:
    pledged = ("CommitmentNoted", {"commitment_id": "c1", "org_id": B})
    p = given(*agreed(A, B), pledged, settle_decision("reject_delivery"))
    refused(
        p,
        RuleViolationError,
        lambda: p.use_settlement("accept_delivery", "s1", "c1", "d1", broker(), meta()),
    )
    refused(
        p,
        RuleViolationError,
        lambda: p.use_settlement("reject_delivery", "s1", "c1", "d2", broker(), meta()),
    )
    refused(
        p,
        Exception,
        lambda: p.use_settlement("reject_delivery", "s1", "c1", "d1", partner(B), meta()),
    )
    p.use_settlement("reject_delivery", "s1", "c1", "d1", broker(), meta())
    assert then(p) == ["SettlementApplied"]
    refused(
        p,
        RuleViolationError,
        lambda: p.use_settlement("reject_delivery", "s1", "c1", "d1", broker(), meta()),
    )
    p = given(*agreed(A, B), pledged, settle_decision("accept_delivery", passed=False))
    refused(
        p,
        RuleViolationError,
        lambda: p.use_settlement("accept_delivery", "s1", "c1", "d1", broker(), meta()),
    )

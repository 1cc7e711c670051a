"""The partnership aggregate alone, invariant by invariant (DESIGN §2): Given events,
When a command, Then the events it records (or a refusal that records nothing). No I/O."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from eventsourcing.utils import get_topic

from collab.domain.envelope import Acting, Actor, Envelope
from collab.domain.errors import CollabError, ForbiddenError, RuleViolationError
from collab.domain.partnership import Partnership
from collab.domain.terms import terms_hash

PID = uuid.uuid4()
BROKER = Actor(str(uuid.uuid4()), "broker")
A, B, C, D = (str(uuid.uuid4()) for _ in range(4))
Event = tuple[str, dict[str, Any]]


def meta(day: str = "2027-06-01", actor: str = BROKER.id) -> Envelope:
    return Envelope(
        actor=actor,
        on_behalf_of=None,
        mandate=None,
        reason=None,
        recorded_at=f"{day}T10:00:00.000000Z",
        effective_date=day,
        correlation_id="c",
    )


def partner(org: str) -> Acting:
    return Acting(Actor(str(uuid.uuid4()), "partner", org), org)


def broker() -> Acting:
    return Acting(BROKER, None)


# -- the events a test is given ---------------------------------------------------------


def initiated(kind: str = "social_innovation") -> Event:
    return "Initiated", {
        "title": "Care rounds",
        "need_statement": "Isolated elders lack care",
        "territory": {"country": "PT", "nuts": "PT1C2", "lau": None},
        "classifications": [],
        "partnership_type": kind,
        "broker_id": BROKER.id,
        "lead": None,
        "lineage": None,
    }


def invited(org: str, group: str = "civil_society", weight: int = 1, lead: bool = False) -> Event:
    membership = {
        "organisation": org,
        "roles": ["lead"] if lead else ["implementer"],
        "weight": weight,
        "interest_group": group,
        "signatory": True,
        "sector": "public" if group == "public_authority" else "civil_society",
    }
    return "MemberInvited", {"membership": membership, "decision_id": None}


def joined(org: str) -> Event:
    return "MemberJoined", {"org_id": org}


def terms(number: int, vision: str = "A shared vision") -> dict[str, Any]:
    return {
        "partnership_id": str(PID),
        "version": number,
        "vision": vision,
        "shared_objectives": ["Reach every village weekly"],
        "member_objectives": {},
        "governance": {"rule": "majority", "quorum": "50", "threshold": ""},
        "review_schedule": "yearly",
        "exit_notice_days": 30,
        "moving_on_strategy": "replicate",
        "period": {"start": "2027-01-01", "end": "2028-12-31"},
    }


def drafted(number: int, vision: str = "A shared vision") -> Event:
    text = terms(number, vision)
    return "VersionDrafted", {"terms": text, "text_hash": terms_hash(text)}


def opened(number: int) -> Event:
    return "VersionOpenedForSignature", {"number": number}


def signed(org: str, number: int = 1) -> Event:
    return "AgreementSigned", {"text_hash": hash_of(number), "org_id": org}


def in_force(number: int, *orgs: str) -> Event:
    return "AgreementEnteredIntoForce", {
        "number": number,
        "text_hash": hash_of(number),
        "signatories": sorted(orgs),
    }


def hash_of(number: int, vision: str = "A shared vision") -> str:
    return terms_hash(terms(number, vision))


def staffed(*orgs: str) -> list[Event]:
    return [initiated()] + [e for o in orgs for e in (invited(o, lead=o == A), joined(o))]


def agreed(*orgs: str) -> list[Event]:
    """Members `orgs` (A leads), text 1 in force, signed by all."""
    signatures = [signed(o) for o in orgs]
    return [*staffed(*orgs), drafted(1), opened(1), *signatures, in_force(1, *orgs)]


def given(*events: Event) -> Partnership:
    """The aggregate folded from these events, as a replay would."""
    p: Any = None
    for version, (name, fields) in enumerate(events, start=1):
        cls = getattr(Partnership, name)
        extra = {"originator_topic": get_topic(Partnership)} if name == "Initiated" else {}
        event = cls(
            originator_id=PID,
            originator_version=version,
            timestamp=cls.create_timestamp(),
            meta=meta(),
            **fields,
            **extra,
        )
        p = event.mutate(p)
    assert isinstance(p, Partnership)
    return p


def then(p: Partnership) -> list[str]:
    """The names of the events the command recorded."""
    return [type(e).__name__ for e in p.collect_events()]


def refused(p: Partnership, error: type[CollabError], when: Callable[[], object]) -> str:
    """Then: refused with `error`, nothing recorded, nothing changed."""
    version = p.version
    with pytest.raises(error) as caught:
        when()
    assert (p.collect_events(), p.version) == ([], version)
    return str(caught.value)


# -- 1. entry into force -----------------------------------------------------------------


def test_1_the_last_signature_on_the_same_hash_brings_the_text_into_force() -> None:
    p = given(*staffed(A, B), drafted(1), opened(1), signed(A))
    assert p.sign(hash_of(1), partner(B), meta()) is True
    assert then(p) == ["AgreementSigned", "AgreementEnteredIntoForce"]
    assert (p.status, p.in_force) == ("active", 1)


def test_1_a_signature_on_another_hash_never_counts() -> None:
    p = given(*staffed(A, B), drafted(1), opened(1), signed(A))
    refused(p, RuleViolationError, lambda: p.sign(hash_of(1, "Other"), partner(B), meta()))
    # And a signature on a text re-drafted since does not count for the new one
    p = given(*staffed(A, B), drafted(1), opened(1), signed(A), drafted(2, "v2"), opened(2))
    assert p.sign(hash_of(2, "v2"), partner(B), meta()) is False
    assert then(p) == ["AgreementSigned"]


# -- 2. signed text never changes; amendments name their base -----------------------------


def test_2_a_text_in_force_is_not_redrafted_and_stays_as_signed() -> None:
    p = given(*agreed(A, B))
    refused(p, RuleViolationError, lambda: p.draft_version(terms(2), hash_of(2), broker(), meta()))
    assert (p.text(1).hash, p.text(1).terms) == (hash_of(1), terms(1))  # type: ignore[union-attr]


def test_2_an_amendment_names_the_version_in_force_and_needs_every_signatory() -> None:
    p = given(*agreed(A, B))
    text = terms(2, "Amended")
    refused(
        p,
        RuleViolationError,
        lambda: p.propose_amendment(3, text, terms_hash(text), broker(), meta()),
    )
    p.propose_amendment(1, text, terms_hash(text), broker(), meta())
    assert then(p) == ["AmendmentProposed"]
    assert p.sign(terms_hash(text), partner(A), meta()) is False
    assert then(p) == ["AgreementSigned"]
    assert p.sign(terms_hash(text), partner(B), meta()) is True
    assert then(p) == ["AgreementSigned", "AgreementEnteredIntoForce"]
    assert [t.status for t in p.versions] == ["superseded", "in_force"]


# -- 3. only the organisation (or a broker under its mandate) acts for itself ---------------


def test_3_only_an_active_member_signs_for_itself() -> None:
    p = given(*staffed(A, B, C), drafted(1), opened(1))
    refused(p, ForbiddenError, lambda: p.sign(hash_of(1), broker(), meta()))  # no mandate
    refused(p, ForbiddenError, lambda: p.sign(hash_of(1), partner(D), meta()))  # not a member
    mandated = Acting(BROKER, B, str(uuid.uuid4()))
    p.sign(hash_of(1), mandated, meta())
    assert then(p) == ["AgreementSigned"]
    p = given(*staffed(A, B, C), ("MemberWithdrew", {"org_id": C, "exit_date": "2027-06-01"}))
    refused(p, RuleViolationError, lambda: p.note_pledge("c1", partner(C), meta()))
    p = given(*staffed(A, B), invited(D), ("MemberDeclined", {"org_id": D}))
    refused(p, RuleViolationError, lambda: p.note_pledge("c1", partner(D), meta()))


# -- 4. the CLLD balance -------------------------------------------------------------------


def clld(*members: tuple[str, str, int]) -> list[Event]:
    events = [initiated("clld_lag")]
    for org, group, weight in members:
        events += [invited(org, group, weight, lead=org == A), joined(org)]
    return events


def test_4_no_interest_group_holds_more_than_49_percent_when_opened() -> None:
    tilted = (A, "public_authority", 5), (B, "civil_society", 3), (C, "economic", 2)
    p = given(*clld(*tilted), drafted(1))
    assert "public_authority" in refused(
        p, RuleViolationError, lambda: p.open_for_signature(1, broker(), meta())
    )
    balanced = (A, "public_authority", 4), (B, "civil_society", 3), (C, "economic", 3)
    p = given(*clld(*balanced), drafted(1))
    p.open_for_signature(1, broker(), meta())
    assert then(p) == ["VersionOpenedForSignature"]


def test_4_a_public_body_counts_as_a_public_authority_whatever_group_it_declared() -> None:
    # Given a local action group where a parish council (public sector) declared itself
    # "environmental": the declared groups look balanced, public bodies hold 50%
    parish = (
        "MemberInvited",
        {
            "membership": {
                "organisation": D,
                "roles": ["implementer"],
                "weight": 3,
                "interest_group": "environmental",
                "signatory": True,
                "sector": "public",
            },
            "decision_id": None,
        },
    )
    members = (A, "public_authority", 2), (B, "civil_society", 3), (C, "economic", 2)
    p = given(*clld(*members), parish, joined(D), drafted(1))
    # When the broker opens the agreement for signature, Then the balance refuses it
    message = refused(p, RuleViolationError, lambda: p.open_for_signature(1, broker(), meta()))
    assert "public_authority interest group holds 50.0%" in message
    # And inviting such a body is checked the same way before entry into force
    p = given(*clld(*members), drafted(1))
    membership = {**parish[1]["membership"], "weight": 4}
    refused(p, RuleViolationError, lambda: p.check_balance(membership, pending=True))


def test_4_a_withdrawal_is_never_refused_its_imbalance_blocks_decisions() -> None:
    members = (A, "public_authority", 4), (B, "civil_society", 3), (C, "economic", 3)
    signatures = [signed(o) for o in (A, B, C)]
    p = given(*clld(*members), drafted(1), opened(1), *signatures, in_force(1, A, B, C))
    p.withdraw(partner(C), recorded_later("2027-05-01", "2027-06-01"))  # notice run out
    assert then(p) == ["MemberWithdrew"]
    votes = {A: "for", B: "for"}
    subject = {"action": "other", "organisation": None, "summary": None}
    refused(
        p,
        RuleViolationError,
        lambda: p.record_decision("d", "AG", subject, votes, broker(), meta()),
    )


# -- 5. a commitment is confirmed only by an active member under an agreement in force ----


def test_5_a_confirmation_needs_an_agreement_in_force_and_the_members_own_pledge() -> None:
    pledged = ("CommitmentNoted", {"commitment_id": "c1", "org_id": B})
    p = given(*staffed(A, B), pledged)
    refused(p, RuleViolationError, lambda: p.note_confirmation("c1", partner(B), meta()))
    p = given(*agreed(A, B), pledged)
    refused(p, RuleViolationError, lambda: p.note_confirmation("c1", partner(A), meta()))
    p.note_confirmation("c1", partner(B), meta())
    assert then(p) == ["CommitmentConfirmationNoted"]
    assert p.commitments["c1"].confirmed


# -- 6. nothing is edited: a correction names what it corrects ----------------------------


def test_6_a_correction_is_an_event_naming_the_event_it_corrects() -> None:
    p = given(*staffed(A, B))
    corrects = {"stream": str(PID), "version": 1}
    p.correct_details({"title": "Care walks"}, corrects, broker(), meta())
    [event] = p.collect_events()
    assert (type(event).__name__, event.corrects) == ("DetailsCorrected", corrects)  # type: ignore[attr-defined]
    assert p.title == "Care walks"
    refused(p, RuleViolationError, lambda: p.correct_details({}, corrects, broker(), meta()))


# -- 7. quantities are decimals, kept exactly ----------------------------------------------


def test_7_indicator_values_are_kept_as_exact_decimals() -> None:
    indicator = {
        "indicator_id": "i1",
        "kind": "output",
        "name": "Visits",
        "unit": "visit",
        "baseline": Decimal("0"),
        "target": Decimal("12.50"),
    }
    p = given(*agreed(A, B), ("IndicatorSet", {"indicator": indicator}))
    p.report_result("i1", Decimal("7.25"), "2027-05-31", partner(B), meta())
    [event] = p.collect_events()
    assert event.actual == Decimal("7.25")  # type: ignore[attr-defined]
    assert (p.indicators["i1"].target, p.indicators["i1"].actual) == (
        Decimal("12.50"),
        Decimal("7.25"),
    )


# -- 8. dates that take effect later change nothing before they arrive ---------------------


def test_8_a_member_is_declared_defaulting_only_after_its_remedy_period() -> None:
    decision = {
        "decision_id": "d1",
        "body": "AG",
        "subject": {"action": "declare_defaulting", "organisation": C, "summary": None},
        "votes": {A: "for", B: "for"},
        "result": {"passed": True},
        "conflicts": [],
    }
    breach = ("BreachNotified", {"org_id": C, "remedy_until": "2027-06-30"})
    p = given(*agreed(A, B, C), breach, ("DecisionRecorded", decision))
    last_day = meta(day="2027-06-30")
    refused(
        p,
        RuleViolationError,
        lambda: p.member_decision("declare_defaulting", C, "d1", broker(), last_day),
    )
    p.member_decision("declare_defaulting", C, "d1", broker(), meta(day="2027-07-01"))
    assert then(p) == ["MemberDeclaredDefaulting"]
    assert p.members[C].status == "defaulting"


def recorded_later(effective: str, recorded: str) -> Envelope:
    """An envelope recorded on `recorded` for a fact of `effective` (a business date)."""
    return {**meta(day=recorded), "effective_date": effective}


def test_8_a_withdrawal_with_notice_left_makes_the_member_leaving_until_its_exit_date() -> None:
    p = given(*agreed(A, B, C), ("CommitmentNoted", {"commitment_id": "c1", "org_id": C}))
    assert p.withdraw(partner(C), meta(day="2027-06-01")) == "2027-07-01"  # 30 days' notice
    assert then(p) == ["MemberGaveNotice"]
    member = p.members[C]
    assert (member.status, member.exit_date, member.exit_version) == (
        "leaving",
        "2027-07-01",
        None,
    )
    # Still in standing: it counts, signs, votes, and its commitment is still its own.
    assert C in p.active_members() and C in p.required_signatories()
    assert p.check_active_member(partner(C)).status == "leaving"
    assert p.commitments_of(C) == ["c1"]
    message = refused(p, RuleViolationError, lambda: p.withdraw(partner(C), meta()))
    assert "leaving" in message


def test_8_a_withdrawal_whose_exit_date_has_come_is_the_exit_at_once() -> None:
    # No notice left to run (notice given after the fact): the old immediate meaning.
    p = given(*agreed(A, B, C))
    assert p.withdraw(partner(C), recorded_later("2027-05-01", "2027-06-01")) == "2027-05-31"
    assert then(p) == ["MemberWithdrew"]
    member = p.members[C]
    assert (member.status, member.exit_date, member.exit_version) == (
        "withdrawn",
        "2027-05-31",
        p.version,
    )


def test_8_a_stored_member_withdrew_still_means_withdrawn_at_once_on_replay() -> None:
    withdrew = ("MemberWithdrew", {"org_id": C, "exit_date": "2027-07-01"})
    p = given(*agreed(A, B, C), withdrew)
    assert (p.members[C].status, p.members[C].exit_version) == ("withdrawn", p.version)
    assert C not in p.active_members()


def test_8_the_exit_is_recorded_on_the_exit_date_once() -> None:
    notice = ("MemberGaveNotice", {"org_id": C, "exit_date": "2027-07-01"})
    p = given(*agreed(A, B, C), notice)
    assert p.record_exit(C, "2027-06-30", meta(day="2027-06-30")) is False  # not yet
    assert then(p) == [] and p.members[C].status == "leaving"
    assert p.record_exit(C, "2027-07-01", meta(day="2027-07-01")) is True
    assert then(p) == ["MemberExited"]
    member = p.members[C]
    assert (member.status, member.exit_date, member.exit_version) == (
        "withdrawn",
        "2027-07-01",
        p.version,
    )
    assert C not in p.active_members()
    # Idempotent: a second processor finds nothing to record.
    assert p.record_exit(C, "2027-07-02", meta(day="2027-07-02")) is False
    assert then(p) == []


def test_8_a_replayed_exit_places_the_former_members_cut() -> None:
    notice = ("MemberGaveNotice", {"org_id": C, "exit_date": "2027-07-01"})
    exited = ("MemberExited", {"org_id": C, "exit_date": "2027-07-01"})
    p = given(*agreed(A, B, C), notice, exited)
    assert (p.members[C].status, p.members[C].exit_version) == ("withdrawn", p.version)


def test_8_a_breachs_remedy_period_ending_is_recorded_once_after_its_last_day() -> None:
    breach = ("BreachNotified", {"org_id": C, "remedy_until": "2027-06-30"})
    p = given(*agreed(A, B, C), breach)
    assert p.end_remedy_period(C, "2027-06-30", meta(day="2027-06-30")) is False
    assert p.end_remedy_period(C, "2027-07-01", meta(day="2027-07-01")) is True
    [event] = p.collect_events()
    until = event.remedy_until  # type: ignore[attr-defined]
    assert (type(event).__name__, until) == ("RemedyPeriodEnded", "2027-06-30")
    assert p.members[C].remedy_ended and p.members[C].status == "active"  # no verdict
    assert p.end_remedy_period(C, "2027-07-02", meta(day="2027-07-02")) is False
    # A new breach starts a new period, whose end is recorded in turn.
    again = ("BreachNotified", {"org_id": C, "remedy_until": "2027-08-31"})
    p = given(
        *agreed(A, B, C),
        breach,
        ("RemedyPeriodEnded", {"org_id": C, "remedy_until": "2027-06-30"}),
        again,
    )
    assert not p.members[C].remedy_ended
    assert p.end_remedy_period(C, "2027-09-01", meta(day="2027-09-01")) is True

"""DESIGN §2 invariants: each one is attempted, refused, and leaves the log untouched."""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable
from functools import partial
from typing import Any
from uuid import UUID, uuid4

import pytest

from collab.agreements.commands import (
    DraftVersion,
    OpenForSignature,
    ProposeAmendment,
    SignAgreement,
)
from collab.application import Context, Outcome
from collab.commands import Command
from collab.commitments.commands import (
    ConfirmCommitment,
    ConfirmDelivery,
    CorrectDelivery,
    DisputeDelivery,
    Pledge,
    ReportDelivery,
    WithdrawCommitment,
)
from collab.domain.errors import CollabError, ForbiddenError, InvalidInputError, RuleViolationError
from collab.domain.terms import terms_hash
from collab.governance.commands import (
    AdmitMember,
    ApplyDecision,
    DecideMember,
    NotifyBreach,
    SetMilestone,
)
from collab.organisations.commands import CorrectOrganisation
from collab.partnerships.commands import (
    CorrectPartnership,
    DeclineInvitation,
    InviteMember,
    JoinPartnership,
    WithdrawMembership,
)
from tests.application.world import World, terms

HOUR = {"value": "1", "unit": "hour"}
NOT_VALUED = {"method": "not_valued"}


def stored(world: World, aggregate_id: str) -> list[Any]:
    """The domain events of one stream, as recorded."""
    return list(world.app.events.get(UUID(aggregate_id)))


def last_event(world: World, aggregate_id: str) -> Any:
    return stored(world, aggregate_id)[-1]


def sign(world: World, key: str, pid: str, text_hash: str) -> Outcome:
    return world.app.execute(world.as_(key), SignAgreement(pid, text_hash=text_hash))


def pledge(world: World, cmd: Context, pid: str) -> Outcome:
    return world.app.execute(
        cmd, Pledge(pid, contribution_type="staff_time", quantity=HOUR, valuation=NOT_VALUED)
    )


def report(world: World, cmd: Context, cid: str, quantity: Any = "1") -> Outcome:
    return world.app.execute(cmd, ReportDelivery(cid, quantity=quantity, delivered_on="2027-02-01"))


def amend(world: World, pid: str, base: int, vision: str = "Amended vision") -> str:
    out = world.app.execute(
        world.as_broker(), ProposeAmendment(pid, base_version=base, terms=terms(vision))
    )
    text_hash: str = out.result["text_hash"]
    return text_hash


# -- 1. entry into force needs every active signatory on the same hash --------------------


def test_invariant_1_a_signature_on_another_hash_is_refused_and_never_counts(world: World) -> None:
    # Given a text open for signature by a, b, c; n is no signatory, i never joined
    pid = world.partnership(
        a={"roles": ["lead"]}, b={}, c={}, n={"signatory": False}, i={"join": False}
    )
    h1 = world.draft_and_open(pid)
    other = hashlib.sha256(uuid4().bytes).hexdigest()
    # When b signs a hash that is not the open text's, Then it is refused and nothing recorded
    world.refused(RuleViolationError, lambda: sign(world, "b", pid, other))
    world.refused(ForbiddenError, lambda: sign(world, "n", pid, h1))
    assert other not in world.partnership_of(pid).signatures
    # And two signatures on h1 are not enough; the third active signatory's brings it in force
    sign(world, "a", pid, h1)
    sign(world, "b", pid, h1)
    assert world.partnership_of(pid).status == "awaiting_signatures"
    assert "AgreementEnteredIntoForce" not in world.events(pid)
    assert sign(world, "c", pid, h1).result["entered_into_force"] is True
    entered = last_event(world, pid)
    assert entered.text_hash == h1
    assert entered.signatories == sorted(world.orgs[k] for k in "abc")


def test_invariant_1_a_signature_on_v1_does_not_count_for_v2(world: World) -> None:
    # Given a and b signed v1, then the broker re-drafts: v2 is opened instead
    pid = world.partnership(a={"roles": ["lead"]}, b={}, c={})
    h1 = world.draft_and_open(pid)
    sign(world, "a", pid, h1)
    sign(world, "b", pid, h1)
    h2 = world.draft_and_open(pid, vision="A second vision")
    # When c signs v2, Then the v1 signatures of a and b do not complete it
    assert sign(world, "c", pid, h2).result["entered_into_force"] is False
    # And v1's hash can no longer be signed
    world.refused(RuleViolationError, lambda: sign(world, "c", pid, h1))
    sign(world, "a", pid, h2)
    assert sign(world, "b", pid, h2).result["entered_into_force"] is True
    assert world.partnership_of(pid).in_force == 2


# -- 2. signed text never changes; amendments ------------------------------------------


def test_invariant_2_signed_text_never_changes(world: World) -> None:
    # Given v1 in force
    pid = world.in_force()
    v1 = copy.deepcopy(world.partnership_of(pid).text(1))
    # When a new draft is attempted, Then it is refused: only an amendment may follow
    redraft = world.runs(DraftVersion)
    world.refused(RuleViolationError, lambda: redraft(world.as_broker(), pid, terms=terms("X")))
    # And after an amendment comes into force, v1's text and hash are exactly as signed
    h2 = amend(world, pid, 1)
    for key in "abc":
        sign(world, key, pid, h2)
    after = world.partnership_of(pid).text(1)
    assert (after.terms, after.hash) == (v1.terms, v1.hash)
    assert terms_hash(after.terms) == v1.hash
    assert after.status == "superseded"


def test_invariant_2_an_amendment_on_a_stale_base_is_refused(world: World) -> None:
    # Given v2 came into force by amendment on v1
    pid = world.in_force()
    h2 = amend(world, pid, 1)
    for key in "abc":
        sign(world, key, pid, h2)
    # When another amendment names v1 as its base, Then it is refused
    err = world.refused(RuleViolationError, lambda: amend(world, pid, 1, "Late proposal"))
    assert "base version" in str(err)


def test_invariant_2_an_amendment_needs_every_active_signatory(world: World) -> None:
    # Given an amendment signed by a and b only
    pid = world.in_force()
    h1 = world.partnership_of(pid).text(1).hash
    h2 = amend(world, pid, 1)
    sign(world, "a", pid, h2)
    sign(world, "b", pid, h2)
    p = world.partnership_of(pid)
    assert (p.status, p.in_force) == ("in_modification", 1)
    # When c signs the old hash instead, Then it is refused and counts for nothing
    world.refused(RuleViolationError, lambda: sign(world, "c", pid, h1))
    # And only c's signature on the new hash brings v2 into force
    assert sign(world, "c", pid, h2).result["entered_into_force"] is True
    assert world.partnership_of(pid).in_force == 2


# -- 3. only the organisation acts for itself -----------------------------------------


def test_invariant_3_only_the_organisation_acts_for_itself(world: World) -> None:
    # Given a text open for signature by a, b, c
    pid = world.partnership(a={"roles": ["lead"]}, b={}, c={})
    text = world.draft_and_open(pid)
    b, app = world.orgs["b"], world.app
    # When a (or a broker without b's mandate) signs for b, Then it is refused
    for cmd in (world.as_("a", on_behalf_of=b), world.as_broker(on_behalf_of=b)):
        world.refused(ForbiddenError, partial(world.runs(SignAgreement), cmd, pid, text_hash=text))
    for key in "abc":
        sign(world, key, pid, text)
    # And under the agreement in force, a acts on none of b's affairs
    cid, pledged = world.pledge("b", pid), world.pledge("b", pid, confirm=False)
    for attempt in (
        lambda: pledge(world, world.as_("a", on_behalf_of=b), pid),
        lambda: app.execute(world.as_("a"), ConfirmCommitment(pledged)),
        lambda: report(world, world.as_("a"), cid),
        lambda: app.execute(world.as_("a", reason="no"), WithdrawCommitment(cid)),
        lambda: app.execute(world.as_("a", on_behalf_of=b), WithdrawMembership(pid)),
        lambda: app.execute(world.as_broker(on_behalf_of=b), WithdrawMembership(pid)),
    ):
        world.refused(ForbiddenError, attempt)


def leave(world: World, how: str) -> tuple[str, str | None, str]:
    """c leaves as `how`; returns the partnership, c's commitment, a hash open for signing."""
    if how == "declined":
        pid = world.partnership(a={"roles": ["lead"]}, b={}, c={"join": False})
        world.app.execute(world.as_("c"), DeclineInvitation(pid))
        return pid, None, world.draft_and_open(pid)
    pid = world.in_force()
    cid, c = world.pledge("c", pid, confirm=False), world.orgs["c"]
    if how == "withdrawn":
        world.app.execute(world.as_("c"), WithdrawMembership(pid))
    else:
        notify = world.as_broker(effective_date="2027-01-01")
        world.app.execute(notify, NotifyBreach(pid, organisation_id=c, remedy_days=10))
        later = world.as_broker(effective_date="2027-02-01")
        for action in ("declare_defaulting", "remove_member"):
            did = world.decide(pid, action, {"a": "for", "b": "for"}, organisation=c)
            world.app.execute(
                later, DecideMember(pid, action=action, organisation_id=c, decision_id=did)
            )
    assert world.commitment_of(cid).status == "released"
    return pid, cid, amend(world, pid, 1)


@pytest.mark.parametrize("how", ["withdrawn", "declined", "removed"])
def test_invariant_3_a_member_that_left_can_no_longer_act(world: World, how: str) -> None:
    # Given c is withdrawn, declined or removed
    pid, cid, text = leave(world, how)
    app, c = world.app, world.as_("c")
    assert world.partnership_of(pid).members[world.orgs["c"]].status == how
    # When c signs, pledges or withdraws, Then each is refused and nothing recorded
    attempts: list[Callable[[], Outcome]] = [
        lambda: app.execute(c, SignAgreement(pid, text_hash=text)),
        lambda: pledge(world, c, pid),
        lambda: app.execute(c, WithdrawMembership(pid)),
    ]
    if cid is not None:  # And its former commitment can be neither confirmed nor reported
        attempts += [lambda: app.execute(c, ConfirmCommitment(cid)), lambda: report(world, c, cid)]
    for attempt in attempts:
        world.refused(RuleViolationError, attempt)


# -- 4. CLLD balance -------------------------------------------------------------------

GROUPS = {"pub": "public_authority", "civ": "civil_society", "eco": "economic"}


def clld(world: World, *, sign_all: bool = False, **weights: int) -> str:
    """A clld_lag partnership of pub, civ, eco (the first leads), in force if `sign_all`."""
    members = {k: {"interest_group": GROUPS[k], "weight": w} for k, w in weights.items()}
    members["pub"]["roles"] = ["lead"]
    pid = world.partnership("clld_lag", **members)
    if sign_all:
        text = world.draft_and_open(pid)
        for key in weights:
            sign(world, key, pid, text)
    return pid


def newcomer(world: World, pid: str, key: str, weight: int, *, join: bool = True) -> str:
    org = world.org(key)
    world.app.execute(
        world.as_broker(),
        InviteMember(
            pid,
            organisation_id=org,
            roles=["knowledge"],
            weight=weight,
            interest_group="environmental",
            signatory=False,
        ),
    )
    if join:
        world.app.execute(world.as_(key), JoinPartnership(pid))
    return org


def test_invariant_4_clld_balance_when_opened_for_signature(world: World) -> None:
    # Given public authorities hold 2 of 4 votes (50%)
    pid = clld(world, pub=2, civ=1, eco=1)
    draft = world.app.execute(world.as_broker(), DraftVersion(pid, terms=terms())).result

    def open_() -> Outcome:
        return world.app.execute(
            world.as_broker(), OpenForSignature(pid, agreement_version=draft["agreement_version"])
        )

    # When the version is opened for signature, Then it is refused
    assert "public_authority" in str(world.refused(RuleViolationError, open_))
    # And once an environmental member joins (2 of 5 = 40%), it opens
    newcomer(world, pid, "env", 1)
    open_()
    assert world.partnership_of(pid).status == "awaiting_signatures"


def test_invariant_4_a_public_body_counts_as_public_whatever_group_it_declares(
    world: World,
) -> None:
    # Given a local action group (2 : 2 : 2) joined by a parish council, a public body that
    # declared itself "environmental" (weight 2): by declared group no one holds over 25%
    pid = clld(world, pub=2, civ=2, eco=2)
    parish = world.org("parish", "public")
    invite = InviteMember(
        pid, organisation_id=parish, roles=["implementer"], weight=2, interest_group="environmental"
    )
    world.app.execute(world.as_broker(), invite)
    world.app.execute(world.as_("parish"), JoinPartnership(pid))
    draft = world.app.execute(world.as_broker(), DraftVersion(pid, terms=terms())).result
    opening = OpenForSignature(pid, agreement_version=draft["agreement_version"])
    # When the version is opened for signature, Then public bodies hold 4 of 8: refused
    refused = world.refused(
        RuleViolationError, lambda: world.app.execute(world.as_broker(), opening)
    )
    assert "public_authority interest group holds 50.0%" in str(refused)
    # And the group it declared is kept as recorded
    member = world.partnership_of(pid).members[parish]
    assert (member.interest_group, member.balance_group) == ("environmental", "public_authority")


def test_invariant_4_clld_balance_at_entry_into_force(world: World) -> None:
    # Given a balanced text open for signature, then civil society withdraws (public 4 of 7)
    pid = clld(world, pub=4, civ=3, eco=3)
    text = world.draft_and_open(pid)
    world.app.execute(world.as_("civ"), WithdrawMembership(pid))
    sign(world, "pub", pid, text)
    # When the last required signature would bring it into force, Then it is refused
    world.refused(RuleViolationError, lambda: sign(world, "eco", pid, text))
    assert world.partnership_of(pid).status == "awaiting_signatures"


def test_invariant_4_clld_balance_at_each_admission(world: World) -> None:
    # Given a balanced partnership in force (1 : 1 : 1) and a passed admission decision
    pid = clld(world, sign_all=True, pub=1, civ=1, eco=1)
    new = world.org("pub2", "public")
    did = world.decide(pid, "admit_member", dict.fromkeys(GROUPS, "for"), new)

    def admit(weight: int) -> Outcome:
        return world.app.execute(
            world.as_broker(),
            AdmitMember(pid, decision_id=did, organisation_id=new, roles=["funder"], weight=weight),
        )

    # When a public authority of weight 2 is admitted (3 of 5), Then it is refused
    world.refused(RuleViolationError, lambda: admit(2))
    # And with weight 0 it is admitted under the same decision
    admit(0)
    assert world.partnership_of(pid).members[new].status == "invited"


def test_invariant_4_a_withdrawal_is_never_refused_its_imbalance_blocks_decisions(
    world: World,
) -> None:
    # Given a balanced partnership in force (2 : 2 : 2), an environmental invitee (2)
    pid = clld(world, pub=2, civ=2, eco=2)
    newcomer(world, pid, "env", 2, join=False)
    text = world.draft_and_open(pid)
    for key in GROUPS:
        sign(world, key, pid, text)
    # When only two groups attend a meeting (50% each), Then its decision is refused
    two = {"pub": "for", "civ": "for"}
    world.refused(RuleViolationError, lambda: world.decide(pid, "other", two))
    # When the economic member withdraws (public 2 of 4), Then the withdrawal is recorded
    world.app.execute(world.as_("eco"), WithdrawMembership(pid))
    assert world.events(pid)[-1] == "MemberWithdrew"
    # And a decision with everyone present is refused until the balance is restored
    world.refused(RuleViolationError, lambda: world.decide(pid, "other", two))
    world.app.execute(world.as_("env"), JoinPartnership(pid))
    world.decide(pid, "other", {**two, "env": "against"})
    assert world.events(pid)[-1] == "DecisionRecorded"


def test_invariant_4_pending_admissions_count_at_each_admission(world: World) -> None:
    # Given a balanced partnership in force (2 : 2 : 2) that admitted a public authority (1)
    pid = clld(world, sign_all=True, pub=2, civ=2, eco=2)
    voters = dict.fromkeys(GROUPS, "for")

    def decided(key: str) -> tuple[str, str]:
        org = world.org(key, "public")
        return org, world.decide(pid, "admit_member", voters, org)

    def admit(org: str, did: str) -> Outcome:
        return world.app.execute(
            world.as_broker(),
            AdmitMember(pid, decision_id=did, organisation_id=org, roles=["funder"], weight=1),
        )

    admit(*decided("px"))  # public 3 of 7
    # When a second one is admitted before the first joined (public 4 of 8 once both join),
    # Then it is refused: admissions are checked with the invitations they add up to
    second = decided("py")
    world.refused(RuleViolationError, lambda: admit(*second))


def test_invariant_4_an_invitee_joining_after_entry_into_force_keeps_the_balance(
    world: World,
) -> None:
    # Given a public authority (weight 3) invited before entry into force, never joined
    pid = clld(world, pub=1, civ=1, eco=1)
    org = world.org("pub2", "public")
    world.app.execute(
        world.as_broker(),
        InviteMember(pid, organisation_id=org, roles=["funder"], weight=3, signatory=False),
    )
    text = world.draft_and_open(pid)
    for key in GROUPS:
        sign(world, key, pid, text)
    # When it joins the partnership in force (public 4 of 6), Then the join is refused
    world.refused(
        RuleViolationError, lambda: world.app.execute(world.as_("pub2"), JoinPartnership(pid))
    )


# -- 5. confirmation only by an active member under an agreement in force ----------------


def test_invariant_5_a_commitment_is_confirmed_only_under_an_agreement_in_force(
    world: World,
) -> None:
    # Given b pledged while the text awaits signatures
    pid = world.partnership(a={"roles": ["lead"]}, b={}, i={"join": False})
    text = world.draft_and_open(pid)
    cid = world.pledge("b", pid, confirm=False)

    def confirm() -> Outcome:
        return world.app.execute(world.as_("b"), ConfirmCommitment(cid))

    # When b confirms, Then it is refused; an invitee cannot even pledge
    world.refused(RuleViolationError, confirm)
    world.refused(RuleViolationError, lambda: pledge(world, world.as_("i"), pid))
    # And once in force, the confirmation and its partnership marker commit together
    sign(world, "a", pid, text)
    sign(world, "b", pid, text)
    assert len(confirm().positions) == 2
    assert world.events(pid)[-1] == "CommitmentConfirmationNoted"
    assert world.events(cid) == ["Pledged", "Confirmed"]
    # When the partnership is suspended, Then a confirmation is refused again
    other = world.pledge("b", pid, confirm=False)
    did = world.decide(pid, "suspend", {"a": "for", "b": "for"})
    world.app.execute(world.as_broker(), ApplyDecision(pid, action="suspend", decision_id=did))
    world.refused(
        RuleViolationError, lambda: world.app.execute(world.as_("b"), ConfirmCommitment(other))
    )


# -- 6. corrections name the event they correct ----------------------------------------


def test_invariant_6_organisation_and_partnership_corrections_name_the_corrected_event(
    world: World,
) -> None:
    # Given an organisation and a partnership, each with one event
    org, pid, app = world.org("a"), world.partnership(), world.app

    def fix_org(version: int) -> Outcome:
        return app.execute(
            world.as_("a"),
            CorrectOrganisation(org, changes={"legal_name": "A"}, corrects_version=version),
        )

    def fix_partnership(version: int) -> Outcome:
        return app.execute(
            world.as_broker(),
            CorrectPartnership(pid, changes={"title": "T"}, corrects_version=version),
        )

    # When a correction names an event that does not exist, Then it is refused
    world.refused(RuleViolationError, lambda: fix_org(2))
    world.refused(RuleViolationError, lambda: fix_partnership(2))
    # When each names its first event, Then both the original and the correction stay
    fix_org(1)
    fix_partnership(1)
    for stream, name, before in ((org, "legal_name", "a org"), (pid, "title", "Care rounds")):
        first, correction = stored(world, stream)
        assert getattr(first, name) == before
        assert correction.corrects == {"stream": stream, "version": 1}
        assert correction.changes == {name: "A" if stream == org else "T"}
    assert app.get_organisation(org).legal_name == "A"
    assert world.partnership_of(pid).title == "T"


def test_invariant_6_a_delivery_correction_names_the_report_it_corrects(world: World) -> None:
    # Given b reported 60 hours of its pledge and the lead disputed them
    pid, app = world.in_force(), world.app
    cid = world.pledge("b", pid)
    reported = report(world, world.as_("b"), cid, "60").result
    delivery = reported["delivery_id"]
    app.execute(world.as_("a", reason="only 50 hours"), DisputeDelivery(cid, delivery_id=delivery))

    def correct(quantity: str) -> Outcome:
        return app.execute(
            world.as_("b"),
            CorrectDelivery(
                cid, delivery_id=delivery, quantity=quantity, delivered_on="2027-02-01"
            ),
        )

    # When b corrects it to 50, Then the correction names the report, which stays in history
    correct("50")
    events = stored(world, cid)
    assert events[-1].corrects == {"stream": cid, "version": reported["version"]}
    assert str(events[reported["version"] - 1].quantity) == "60"
    # And once confirmed, a correction names the confirmed report and changes nothing
    # until the lead confirms it (DESIGN §2 invariant 6, as updated)
    confirmed = app.execute(world.as_("a"), ConfirmDelivery(cid, delivery_id=delivery))
    correct("40")
    events = stored(world, cid)
    assert type(events[-1]).__name__ == "ConfirmedDeliveryCorrected"
    assert events[-1].corrects == {"stream": cid, "version": confirmed.result["version"] - 1}
    assert world.commitment_of(cid).confirmed_total() == 50


# -- 7. decimals and accepted input ------------------------------------------------------

BAD_DECIMALS = [
    1.5,
    100,
    "1e3",
    "1234567890123456789",
    "1.1234567",
    " 1",
    "1,5",
    "NaN",
    "1\n",
    "1\r\n",
]


@pytest.mark.parametrize("value", BAD_DECIMALS, ids=repr)
@pytest.mark.parametrize("field", ["quantity.value", "valuation.amount", "quantity"])
def test_invariant_7_decimals_are_canonical_strings(world: World, field: str, value: Any) -> None:
    # Given a member with a confirmed commitment
    pid = world.in_force()
    cid = world.pledge("b", pid)
    quantity: dict[str, Any] = {
        "value": value if field == "quantity.value" else "10",
        "unit": "EUR",
    }
    valuation = {"method": "market_value", "amount": "10", "currency": "EUR"}
    valuation["amount"] = value if field == "valuation.amount" else "10"

    def when() -> Outcome:  # field "quantity": a delivery's quantity
        if field == "quantity":
            return report(world, world.as_("b"), cid, value)
        return world.app.execute(
            world.as_("b"),
            Pledge(pid, contribution_type="cash", quantity=quantity, valuation=valuation),
        )

    # When a decimal arrives as a number or a non-canonical string, Then it is refused
    err = world.refused(InvalidInputError, when)
    assert isinstance(err, InvalidInputError) and err.field == field


FIX, MILESTONE = CorrectPartnership, SetMilestone
KICK_OFF = {"title": "Kick-off", "due_date": "2027-03-01"}
ACCEPTED_INPUT: dict[str, tuple[str, type[Command], dict[str, Any], dict[str, Any]]] = {
    # case: (field refused, command, its arguments, context options)
    "lone surrogate": ("changes.title", FIX, {"changes": {"title": "Care \ud800"}}, {}),
    "nul": ("changes.need_statement", FIX, {"changes": {"need_statement": "a\x00b"}}, {}),
    "over-long": ("changes.title", FIX, {"changes": {"title": "x" * 201}}, {}),
    "over 2^53-1": ("terms.exit_notice_days", DraftVersion, {"terms": terms(notice=2**53)}, {}),
    "bad date": ("effective_date", MILESTONE, KICK_OFF, {"effective_date": "2027-02-30"}),
    "bad due date": ("due_date", MILESTONE, {**KICK_OFF, "due_date": "2027-3-1"}, {}),
    "nul in reason": ("reason", MILESTONE, KICK_OFF, {"reason": "\x00"}),
    "upper-case hash": ("text_hash", SignAgreement, {}, {}),
}


@pytest.mark.parametrize("case", list(ACCEPTED_INPUT))
def test_invariant_7_accepted_input(world: World, case: str) -> None:
    # Given a text open for signature
    pid = world.partnership(a={"roles": ["lead"]}, b={})
    text = world.draft_and_open(pid)
    field, command, kwargs, options = ACCEPTED_INPUT[case]
    cmd = world.as_("a", **options) if command is SignAgreement else world.as_broker(**options)
    if command is SignAgreement:
        kwargs = {"text_hash": text.upper()}
    # When input outside the accepted domain arrives, Then it is refused before any event
    err = world.refused(InvalidInputError, lambda: world.runs(command)(cmd, pid, **kwargs))
    assert isinstance(err, InvalidInputError) and err.field == field


def test_invariant_7_accepted_input_is_stored_exactly(world: World) -> None:
    # Given the largest canonical decimal and text that normalisation would change
    pid = world.in_force()
    largest, title = "999999999999999999.999999", "Cafe\u0301 \U0001f600 \u00e9"
    # When they are recorded and read back from the store
    cid = world.pledge("b", pid, value=largest, unit="EUR", kind="cash")
    world.app.execute(world.as_broker(), CorrectPartnership(pid, changes={"title": title}))
    # Then they come back exactly: no rounding, no exponent, no Unicode normalisation
    value = world.commitment_of(cid).quantity["value"]
    assert (str(value), world.partnership_of(pid).title) == (largest, title)


@pytest.mark.parametrize("command", ["withdraw_membership", "notify_breach"])
def test_invariant_7_a_date_computed_past_9999_is_refused(world: World, command: str) -> None:
    # Given a partnership in force with 30 days' notice; When c acts on 9999-12-31
    pid = world.in_force()
    late = {"effective_date": "9999-12-31"}

    def when() -> Outcome:
        if command == "withdraw_membership":
            return world.app.execute(world.as_("c", **late), WithdrawMembership(pid))
        c = world.orgs["c"]
        return world.app.execute(
            world.as_broker(**late), NotifyBreach(pid, organisation_id=c, remedy_days=5)
        )

    # Then the exit or remedy date cannot be represented: refused as input, not a crash
    world.refused(CollabError, when)

"""The write-side issue's scenarios, told as a partner or broker would live them."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import pytest

from collab.agreements.commands import (
    DraftVersion,
    OpenForSignature,
    ProposeAmendment,
    RejectAmendment,
    SignAgreement,
)
from collab.application import Context, Outcome
from collab.commitments.commands import (
    ConfirmCommitment,
    ConfirmDelivery,
    CorrectDelivery,
    DisputeDelivery,
    Pledge,
    ReportDelivery,
)
from collab.domain.errors import ForbiddenError, NotFoundError, RuleViolationError
from collab.governance.commands import ApplyDecision
from collab.organisations import contacts
from collab.organisations.commands import GrantMandate, RevokeMandate
from collab.partnerships.commands import (
    InitiatePartnership,
    InviteMember,
    JoinPartnership,
    TransferPractice,
    WithdrawMembership,
)
from collab.visibility import Ties
from tests.application.world import OTHER_TERRITORY, TERRITORY, World, terms


def sign(world: World, cmd: Context, pid: str, text_hash: str) -> Outcome:
    return world.app.execute(cmd, SignAgreement(pid, text_hash=text_hash))


def amend(world: World, pid: str, base: int) -> str:
    out = world.app.execute(
        world.as_broker(),
        ProposeAmendment(pid, base_version=base, terms=terms(f"Amended {uuid4()}")),
    )
    text_hash: str = out.result["text_hash"]
    return text_hash


def last_meta(world: World, aggregate_id: str) -> dict[str, Any]:
    events: list[Any] = list(world.app.events.get(UUID(aggregate_id)))
    meta: dict[str, Any] = events[-1].meta
    return meta


def test_binding_needs_every_signature_on_the_same_hash(world: World) -> None:
    # Given a text open for signature by a, b and c
    pid = world.partnership(a={"roles": ["lead"]}, b={}, c={})
    text = world.draft_and_open(pid)
    # When a and b sign, Then the partnership is not bound yet
    for key in "ab":
        assert not sign(world, world.as_(key), pid, text).result["entered_into_force"]
    assert world.partnership_of(pid).in_force is None
    # When c signs the same hash, Then it enters into force in the same command
    out = sign(world, world.as_("c"), pid, text)
    assert out.result["status"] == "active"
    assert world.events(pid)[-2:] == ["AgreementSigned", "AgreementEnteredIntoForce"]


def test_signing_for_another_organisation_is_refused(world: World) -> None:
    pid = world.partnership(a={"roles": ["lead"]}, b={})
    text = world.draft_and_open(pid)
    # When a's partner signs on behalf of b, Then it is forbidden and nothing recorded
    cmd = world.as_("a", on_behalf_of=world.orgs["b"])
    world.refused(ForbiddenError, lambda: sign(world, cmd, pid, text))
    assert world.partnership_of(pid).signatures == {}


def test_a_broker_acts_for_a_partner_only_under_its_mandate(world: World) -> None:
    # Given a text open for signature; an agent broker outside the partnership
    pid = world.partnership(a={"roles": ["lead"]}, b={})
    text = world.draft_and_open(pid)
    b, agent = world.orgs["b"], world.another_broker()
    # When brokers sign for b without b's mandate, Then they are refused
    world.refused(ForbiddenError, lambda: sign(world, world.as_broker(on_behalf_of=b), pid, text))
    world.refused(NotFoundError, lambda: sign(world, Context(agent, on_behalf_of=b), pid, text))
    # When b's partner grants the agent a mandate for this partnership
    granted = world.app.execute(
        world.as_("b"), GrantMandate(b, broker_id=agent.id, partnership_id=pid)
    )
    mandate = granted.result["mandate_id"]
    # Then the agent signs for b, and the event names actor, organisation and mandate
    sign(world, Context(agent, on_behalf_of=b), pid, text)
    meta = last_meta(world, pid)
    assert (meta["actor"], meta["on_behalf_of"], meta["mandate"]) == (agent.id, b, mandate)
    assert world.partnership_of(pid).signatures[text][b].mandate == mandate
    # And the mandate does not let the agent act for a
    cmd = Context(agent, on_behalf_of=world.orgs["a"])
    world.refused(ForbiddenError, lambda: sign(world, cmd, pid, text))


@pytest.mark.parametrize("why", ["revoked", "other partnership", "expired"])
def test_a_mandate_that_does_not_apply_does_not_work(world: World, why: str) -> None:
    # Given b's mandate to the broker is revoked, scoped to another partnership b is in,
    # or expired
    pid = world.partnership(a={"roles": ["lead"]}, b={})
    text = world.draft_and_open(pid)
    b = world.orgs["b"]
    scope = world.partnership(b={}) if why == "other partnership" else pid
    until = "2000-01-01" if why == "expired" else None
    grant = world.runs(GrantMandate)
    out = grant(world.as_("b"), b, broker_id=world.broker.id, partnership_id=scope, until=until)
    if why == "revoked":
        world.app.execute(world.as_("b"), RevokeMandate(b, out.result["mandate_id"]))
    # When the broker signs for b, Then it is refused and nothing recorded
    world.refused(ForbiddenError, lambda: sign(world, world.as_broker(on_behalf_of=b), pid, text))


def test_a_signature_on_h1_never_counts_for_h2(world: World) -> None:
    # Given a signed h1, then the text was re-drafted as h2
    pid = world.partnership(a={"roles": ["lead"]}, b={})
    h1 = world.draft_and_open(pid)
    sign(world, world.as_("a"), pid, h1)
    h2 = world.draft_and_open(pid, vision="Second draft")
    # When b signs h2, Then h2 is not in force: a's signature was on h1
    assert not sign(world, world.as_("b"), pid, h2).result["entered_into_force"]
    p = world.partnership_of(pid)
    assert set(p.signatures[h1]) == {world.orgs["a"]}
    assert set(p.signatures[h2]) == {world.orgs["b"]}


def test_an_amendment_lacking_a_signature_leaves_the_earlier_version_in_force(
    world: World,
) -> None:
    # Given an amendment signed by a and b but not c
    pid = world.in_force()
    h2 = amend(world, pid, 1)
    for key in "ab":
        sign(world, world.as_(key), pid, h2)
    # Then v1 is still the version in force
    p = world.partnership_of(pid)
    assert (p.in_force, p.text(1).status, p.status) == (1, "in_force", "in_modification")
    # When c rejects it, Then the partnership is active on v1 and v2 is rejected
    world.app.execute(world.as_("c"), RejectAmendment(pid))
    p = world.partnership_of(pid)
    assert (p.in_force, p.status, p.text(2).status) == (1, "active", "rejected")
    # And a later amendment still needs c
    world.refused(RuleViolationError, lambda: sign(world, world.as_("c"), pid, h2))


def test_an_amendment_on_a_stale_base_is_refused(world: World) -> None:
    pid = world.in_force()
    h2 = amend(world, pid, 1)
    for key in "abc":
        sign(world, world.as_(key), pid, h2)
    world.refused(RuleViolationError, lambda: amend(world, pid, 1))
    assert amend(world, pid, 2)


def test_a_withdrawn_member_can_no_longer_act(world: World) -> None:
    # Given c confirmed one commitment and pledged another
    pid = world.in_force()
    confirmed, pledged = world.pledge("c", pid), world.pledge("c", pid, confirm=False)
    # When c withdraws, Then both commitments are released in the same command
    out = world.app.execute(world.as_("c", effective_date="2027-03-01"), WithdrawMembership(pid))
    assert sorted(out.result["released_commitments"]) == sorted([confirmed, pledged])
    assert out.result["exit_date"] == "2027-03-01"  # the world's terms give no notice
    for cid in (confirmed, pledged):
        assert world.events(cid)[-1] == "Released"
    # And c can no longer act
    world.refused(RuleViolationError, lambda: world.pledge("c", pid, confirm=False))
    # And a later amendment needs only a and b
    h2 = amend(world, pid, 1)
    world.refused(RuleViolationError, lambda: sign(world, world.as_("c"), pid, h2))
    sign(world, world.as_("a"), pid, h2)
    assert sign(world, world.as_("b"), pid, h2).result["entered_into_force"]


def deliver(world: World, key: str, cid: str, quantity: str) -> str:
    out = world.app.execute(
        world.as_(key), ReportDelivery(cid, quantity=quantity, delivered_on="2027-02-01")
    )
    delivery_id: str = out.result["delivery_id"]
    return delivery_id


def test_only_the_committing_organisation_reports_its_deliveries(world: World) -> None:
    pid = world.in_force()
    cid = world.pledge("b", pid)
    world.refused(ForbiddenError, lambda: deliver(world, "c", cid, "10"))
    world.refused(ForbiddenError, lambda: deliver(world, "a", cid, "10"))
    deliver(world, "b", cid, "10")
    assert world.events(cid)[-1] == "DeliveryReported"


def test_a_disputed_delivery_counts_only_once_corrected_and_confirmed(world: World) -> None:
    # Given b committed 100 hours to the pool (confirmed by the lead, a) and reported 60
    pid, app = world.in_force(), world.app
    cid = world.pledge("b", pid)
    first = deliver(world, "b", cid, "60")
    # When the lead disputes it, Then it does not count
    app.execute(world.as_("a", reason="we counted 50"), DisputeDelivery(cid, delivery_id=first))
    assert world.commitment_of(cid).confirmed_total() == 0
    # When b corrects it to 50 and the lead confirms, Then 50 count
    app.execute(
        world.as_("b"),
        CorrectDelivery(cid, delivery_id=first, quantity="50", delivered_on="2027-02-01"),
    )
    app.execute(world.as_("a"), ConfirmDelivery(cid, delivery_id=first))
    assert world.commitment_of(cid).confirmed_total() == 50
    assert world.commitment_of(cid).status == "in_delivery"
    # When another 50 are reported and confirmed, Then fulfilment follows automatically
    second = deliver(world, "b", cid, "50")
    out = app.execute(world.as_("a"), ConfirmDelivery(cid, delivery_id=second))
    assert out.result["status"] == "fulfilled"
    assert world.events(cid)[-2:] == ["DeliveryConfirmed", "Fulfilled"]


def test_a_delivery_to_a_member_is_confirmed_by_that_member(world: World) -> None:
    pid = world.in_force()
    out = world.app.execute(
        world.as_("b"),
        Pledge(
            pid,
            contribution_type="expertise",
            quantity={"value": "2", "unit": "day"},
            valuation={"method": "not_valued"},
            recipient=world.orgs["c"],
        ),
    )
    cid = out.result["commitment_id"]
    world.app.execute(world.as_("b"), ConfirmCommitment(cid))
    delivery = deliver(world, "b", cid, "2")
    world.refused(
        ForbiddenError,
        lambda: world.app.execute(world.as_("a"), ConfirmDelivery(cid, delivery_id=delivery)),
    )
    world.app.execute(world.as_("c"), ConfirmDelivery(cid, delivery_id=delivery))
    assert world.commitment_of(cid).status == "fulfilled"


def test_the_clld_49_percent_rule(world: World) -> None:
    # Given a LAG where public authorities hold 2 of 4 votes
    pid = world.partnership(
        "clld_lag",
        p={"sector": "public", "roles": ["lead"], "weight": 2},
        c={},
        e={"sector": "private"},
    )
    draft = world.app.execute(world.as_broker(), DraftVersion(pid, terms=terms()))
    number = draft.result["agreement_version"]

    def open_() -> Outcome:
        return world.app.execute(world.as_broker(), OpenForSignature(pid, agreement_version=number))

    # When it is opened for signature, Then it is refused
    world.refused(RuleViolationError, open_)
    # When a second civil-society member joins (2 of 5 = 40%), Then it opens and binds
    world.org("c2")
    world.app.execute(
        world.as_broker(),
        InviteMember(pid, organisation_id=world.orgs["c2"], roles=["implementer"], weight=1),
    )
    world.app.execute(world.as_("c2"), JoinPartnership(pid))
    open_()
    for key in ("p", "c", "e", "c2"):
        sign(world, world.as_(key), pid, draft.result["text_hash"])
    assert world.partnership_of(pid).status == "active"


def test_a_practice_is_transferred_to_another_territory_with_lineage(world: World) -> None:
    # Given a partnership moving on
    pid = world.in_force()
    did = world.decide(pid, "start_moving_on", dict.fromkeys("abc", "for"))
    world.app.execute(
        world.as_broker(), ApplyDecision(pid, action="start_moving_on", decision_id=did)
    )
    transfer = world.runs(TransferPractice)
    # When the practice is "transferred" to the same territory, Then it is refused
    world.refused(
        RuleViolationError,
        lambda: transfer(
            world.as_broker(), pid, title="Care", need_statement="Elders", territory=TERRITORY
        ),
    )
    # When it is transferred to another territory
    out = transfer(
        world.as_broker(),
        pid,
        title="Care rounds ES",
        need_statement="Isolated elders",
        territory=OTHER_TERRITORY,
    )
    new = out.result["new_partnership_id"]
    # Then a new partnership replicates the source, which records the transfer
    replica = world.partnership_of(new)
    assert replica.related[0].partnership == pid
    assert replica.related[0].relation == "replicates"
    assert (replica.status, replica.territory["country"]) == ("scoping", "ES")
    assert world.events(pid)[-1] == "PracticeTransferred"
    assert world.partnership_of(pid).related[-1].partnership == new
    assert len(out.positions) == 2  # one event on each partnership, one transaction


def test_a_partner_initiated_partnership_is_led_by_its_organisation(world: World) -> None:
    # Given a community organisation's partner
    org = world.org("community")
    # When it initiates a partnership
    out = world.app.execute(
        world.as_("community"),
        InitiatePartnership(
            title="Village kitchen",
            need_statement="No hot meals",
            territory=TERRITORY,
            partnership_type="social_innovation",
        ),
    )
    pid = out.result["partnership_id"]
    # Then its organisation is the active lead, and no broker is attached
    p = world.partnership_of(pid)
    assert p.lead_organisation() == org
    assert (p.members[org].roles, p.members[org].status, p.brokers) == (
        ("lead",),
        "active",
        [],
    )
    # And as lead it invites others
    world.app.execute(
        world.as_("community"),
        InviteMember(pid, organisation_id=world.org("b"), roles=["funder"], weight=1),
    )
    assert world.partnership_of(pid).status == "negotiating"


def test_contact_details_are_erasable_and_never_in_events(world: World) -> None:
    # Given an organisation in a partnership, with contacts recorded by its partner and a broker
    pid = world.in_force()
    org, before = world.orgs["a"], world.head()
    name, email = f"Maria {uuid4().hex}", f"{uuid4().hex}@example.org"
    mine = contacts.set_contact(
        world.app, world.as_("a").actor, org, Ties(), name=name, email=email, role="coordinator"
    )
    # (the broker registered a and brokers its partnership: the views' ties say so)
    brokers_it = Ties(brokers_it=True)
    contacts.set_contact(
        world.app,
        world.as_broker().actor,
        org,
        brokers_it,
        name=f"{name} II",
        email=f"2{email}",
        role="cfo",
    )
    assert {c.name for c in world.app.side.list_contacts(org)} == {name, f"{name} II"}
    # Then no event was recorded, and no stored event holds the name or the email
    assert world.head() == before
    for n in world.app.recorder.select_notifications(1, 10000):
        assert name.encode() not in n.state and email.encode() not in n.state
    # When the partner's contact is erased, Then it is gone and the log is unchanged
    assert contacts.erase_contact(world.app, world.as_("a").actor, org, mine.contact_id, Ties())
    assert [c.name for c in world.app.side.list_contacts(org)] == [f"{name} II"]
    assert world.head() == before
    assert world.events(pid)[0] == "Initiated"
    # And a fellow member's partner, which sees a's contacts, can neither record nor erase
    # them: it may not amend a
    b, fellow = world.as_("b"), Ties(fellow=True)
    assert contacts.list_contacts(world.app, b.actor, org, fellow)
    world.refused(
        ForbiddenError,
        lambda: contacts.erase_contact(world.app, b.actor, org, mine.contact_id, fellow),
    )
    world.refused(
        ForbiddenError,
        lambda: contacts.set_contact(
            world.app, b.actor, org, fellow, name="Eve", email="e@example.org", role="spy"
        ),
    )
    # And without that tie it does not see them either
    world.refused(ForbiddenError, lambda: contacts.list_contacts(world.app, b.actor, org, Ties()))
    assert len(world.app.side.list_contacts(org)) == 1

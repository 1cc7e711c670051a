"""Lists, ledger, inbox, map and partnership views follow visibility (DESIGN §3)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from api.wiring import follow_commands, open_read_side
from collab.agreements.commands import SignAgreement
from collab.application import Actor, Collab
from collab.commitments.commands import ConfirmDelivery, DisputeDelivery, ReportDelivery
from collab.domain.errors import NotFoundError
from collab.governance.commands import SetMilestone
from collab.organisations.commands import GrantMandate
from collab.partnerships.commands import WithdrawMembership
from collab.stores import StoreConfig
from projections.asof import view_as_of
from projections.collaboration_map import collaboration_map
from projections.ledger import ledger
from projections.queries import inbox, list_partnerships, organisation_partnerships
from projections.readside import ReadSide
from projections.views import partnership_view, view_for
from projections.visibility import Viewer
from tests.application.conftest import fixed_clock
from tests.application.world import World

TODAY = "2030-06-01"


@dataclass
class Reads:
    world: World
    read: ReadSide

    def viewer(self, actor: Actor) -> Viewer:
        return Viewer(actor, TODAY)

    def partner(self, key: str) -> Viewer:
        return self.viewer(self.world.partners[key])

    def call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        with self.read.reader() as conn:
            return fn(conn, self.read.tables, *args, **kwargs)

    def at_cut(self, pid: str, position: int) -> dict[str, Any]:
        return view_as_of(self.world.app, pid, position)

    def view(self, viewer: Viewer, pid: str) -> dict[str, Any]:
        return self.call(view_for, viewer, pid, self.at_cut)

    def listed(self, viewer: Viewer) -> list[dict[str, Any]]:
        return list(self.call(list_partnerships, viewer, self.at_cut))

    def ledger(self, viewer: Viewer, org: str) -> dict[str, Any]:
        return dict(self.call(ledger, viewer, self.at_cut, org))

    def memberships(self, viewer: Viewer, org: str) -> list[dict[str, Any]]:
        return list(self.call(organisation_partnerships, viewer, self.at_cut, org))

    def inbox(self, org: str) -> dict[str, list[dict[str, Any]]]:
        """What awaits the organisation, as an admin sees it (every partnership)."""
        return dict(self.call(inbox, self.viewer(self.world.admin), org))


@pytest.fixture
def reads(store_config: StoreConfig) -> Iterator[Reads]:
    app = Collab(store_config, clock=fixed_clock)
    read = open_read_side(app, store_config)
    follow_commands(app, read)  # embedded mode: every command returns with the views caught up
    yield Reads(World(app), read)
    read.close()
    app.close()


def test_a_caller_reads_its_own_writes_without_an_explicit_catch_up(reads: Reads) -> None:
    pid = reads.world.in_force()
    view = reads.call(partnership_view, pid)
    assert view["status"] == "active" and view["in_force_version"] == 1
    assert {m["status"] for m in view["members"]} == {"active"}


def test_a_partner_sees_only_partnerships_its_organisation_is_in(reads: Reads) -> None:
    w = reads.world
    mine = w.in_force(keys=("a", "b"))
    other = w.in_force(keys=("c", "d"))
    listed = {p["partnership_id"] for p in reads.listed(reads.partner("a"))}
    assert mine in listed and other not in listed
    with pytest.raises(NotFoundError):
        reads.view(reads.partner("a"), other)
    assert reads.view(reads.partner("a"), mine)["partnership_id"] == mine
    # The ledger of another organisation shows nothing of partnerships a cannot see
    w.pledge("c", other)
    assert reads.ledger(reads.partner("a"), w.orgs["c"])["commitments"] == []
    assert len(reads.ledger(reads.viewer(w.admin), w.orgs["c"])["commitments"]) == 1
    assert reads.memberships(reads.partner("a"), w.orgs["c"]) == []


def test_an_invited_organisation_sees_its_invitation_only(reads: Reads) -> None:
    w = reads.world
    pid = w.partnership(a={"roles": ["lead"]}, b={"join": False})
    view = reads.view(reads.partner("b"), pid)
    assert set(view) == {"partnership_id", "title", "need_statement", "invitation"}
    assert view["invitation"]["status"] == "invited"
    assert pid not in {p["partnership_id"] for p in reads.listed(reads.partner("b"))}
    assert [i["partnership_id"] for i in reads.inbox(w.orgs["b"])["invitations"]] == [pid]


def test_a_former_member_sees_the_partnership_as_it_was_when_it_left(reads: Reads) -> None:
    w = reads.world
    pid = w.in_force(keys=("a", "b", "c"))
    w.app.execute(w.as_("c"), WithdrawMembership(pid))
    w.app.execute(w.as_broker(), SetMilestone(pid, title="After c left", due_date="2027-05-01"))
    seen = reads.view(reads.partner("c"), pid)
    assert seen["milestones"] == []
    assert [m["status"] for m in seen["members"] if m["organisation_id"] == w.orgs["c"]] == [
        "withdrawn"
    ]
    assert len(reads.view(reads.partner("a"), pid)["milestones"]) == 1


def test_a_broker_sees_its_partnerships_and_those_it_holds_a_mandate_for(reads: Reads) -> None:
    w = reads.world
    pid = w.in_force(keys=("a", "b"))
    outsider = w.another_broker()
    assert reads.listed(reads.viewer(outsider)) == []
    w.app.execute(w.as_("a"), GrantMandate(w.orgs["a"], broker_id=outsider.id, partnership_id=pid))
    assert [p["partnership_id"] for p in reads.listed(reads.viewer(outsider))] == [pid]
    assert pid in {p["partnership_id"] for p in reads.listed(reads.viewer(w.broker))}


def test_the_inbox_lists_what_awaits_each_organisation(reads: Reads) -> None:
    w = reads.world
    pid = w.partnership(a={"roles": ["lead"]}, b={})
    text_hash = w.draft_and_open(pid)
    assert [s["text_hash"] for s in reads.inbox(w.orgs["b"])["to_sign"]] == [text_hash]
    w.app.execute(w.as_("a"), SignAgreement(pid, text_hash=text_hash))
    assert reads.inbox(w.orgs["a"])["to_sign"] == []
    w.app.execute(w.as_("b"), SignAgreement(pid, text_hash=text_hash))
    cid = w.pledge("b", pid)  # to the pool: the lead (a) confirms deliveries
    delivery = w.app.execute(
        w.as_("b"), ReportDelivery(cid, quantity="10", delivered_on="2027-02-01")
    )
    did = delivery.result["delivery_id"]
    assert [d["delivery_id"] for d in reads.inbox(w.orgs["a"])["deliveries_to_confirm"]] == [did]
    w.app.execute(w.as_("a", reason="not seen"), DisputeDelivery(cid, delivery_id=did))
    assert [d["delivery_id"] for d in reads.inbox(w.orgs["b"])["deliveries_to_correct"]] == [did]
    assert reads.inbox(w.orgs["a"])["deliveries_to_confirm"] == []


def test_the_ledger_totals_per_unit_with_a_fulfilment_ratio(reads: Reads) -> None:
    w = reads.world
    pid = w.in_force(keys=("a", "b"))
    cid = w.pledge("b", pid, value="40", unit="hour")
    w.pledge("b", pid, value="2", unit="day")
    d = w.app.execute(w.as_("b"), ReportDelivery(cid, quantity="10", delivered_on="2027-02-01"))
    w.app.execute(w.as_("a"), ConfirmDelivery(cid, delivery_id=d.result["delivery_id"]))
    totals = reads.ledger(reads.partner("b"), w.orgs["b"])["totals_by_unit"]
    assert totals == [
        {
            "unit": "day",
            "committed": "2",
            "delivered": "0",
            "confirmed": "0",
            "fulfilment_ratio": "0.0000",
            "surplus": "0",
        },
        {
            "unit": "hour",
            "committed": "40",
            "delivered": "10",
            "confirmed": "10",
            "fulfilment_ratio": "0.2500",
            "surplus": "0",
        },
    ]


def test_the_map_counts_for_everyone_and_names_only_what_the_caller_sees(reads: Reads) -> None:
    w = reads.world
    w.org("pub", "public")
    w.org("biz", "private")
    pid = w.in_force(keys=("pub", "biz"))
    stranger = Actor(str(uuid.uuid4()), "partner", w.org("x"))
    for viewer, named in ((reads.partner("pub"), True), (Viewer(stranger, TODAY), False)):
        m = reads.call(collaboration_map, viewer)
        assert {
            "sectors": ["private", "public"],
            "country": "PT",
            "nuts": "PT1C2",
            "partnerships": 1,
        } in m["sector_pairs"]
        assert bool([p for p in m["organisation_pairs"] if p["partnership_id"] == pid]) is named

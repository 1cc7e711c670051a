"""The one visibility rule (collab/visibility.py, DESIGN §3), row by row, on plain facts."""

from __future__ import annotations

import uuid

import pytest

from collab import visibility as rule
from collab.domain.envelope import Actor
from collab.domain.organisation import Mandate
from collab.visibility import ALL, NONE, Facts, Membership, Viewer, Window

TODAY = "2030-06-01"
P = str(uuid.uuid4())
ORG, OTHER = str(uuid.uuid4()), str(uuid.uuid4())
BROKER = str(uuid.uuid4())


def viewer(role: str, org: str | None = None, grants: frozenset[str] | None = None) -> Viewer:
    return Viewer(
        Actor(BROKER if role == "broker" else str(uuid.uuid4()), role, org), TODAY, grants
    )  # type: ignore[arg-type]


def mandate(
    org: str = ORG, scope: str | None = P, until: str | None = None, revoked: bool = False
) -> Mandate:
    return Mandate(str(uuid.uuid4()), org, BROKER, scope, until, revoked)


@pytest.mark.parametrize(
    ("status", "exit", "expected"),
    [
        ("active", None, ALL),
        ("defaulting", None, ALL),
        ("withdrawn", 17, Window(content=True, until=17)),
        ("removed", 23, Window(content=True, until=23)),
        ("invited", None, Window(invitations=frozenset({ORG}))),
        ("declined", None, Window(invitations=frozenset({ORG}))),
        # A former member whose exit the facts do not place sees nothing (fails closed).
        ("withdrawn", None, NONE),
    ],
)
def test_a_partner_sees_through_its_organisations_membership(
    status: str, exit: int | None, expected: Window
) -> None:
    facts = Facts(P, members={ORG: Membership(status, exit)})
    assert rule.window(viewer("partner", ORG), facts) == expected


def test_a_partner_of_an_organisation_outside_sees_nothing() -> None:
    facts = Facts(P, members={OTHER: Membership("active")})
    assert rule.window(viewer("partner", ORG), facts) == NONE


def test_admins_see_everything_auditors_what_they_were_granted() -> None:
    facts = Facts(P)
    assert rule.window(viewer("admin"), facts) == ALL
    assert rule.window(viewer("auditor", grants=None), facts) == ALL
    assert rule.window(viewer("auditor", grants=frozenset({P})), facts) == ALL
    assert rule.window(viewer("auditor", grants=frozenset({OTHER})), facts) == NONE


def test_a_partnership_broker_sees_everything() -> None:
    assert rule.window(viewer("broker"), Facts(P, brokers=frozenset({BROKER}))) == ALL


@pytest.mark.parametrize(
    ("status", "exit", "expected"),
    [
        ("active", None, ALL),
        ("invited", None, Window(invitations=frozenset({ORG}))),
        ("declined", None, Window(invitations=frozenset({ORG}))),
        ("withdrawn", 9, Window(content=True, until=9)),
        ("removed", 11, Window(content=True, until=11)),
    ],
)
def test_a_broker_under_a_mandate_sees_exactly_the_organisations_window(
    status: str, exit: int | None, expected: Window
) -> None:
    for scope in (P, None):  # for this partnership, or for all the organisation's
        facts = Facts(P, members={ORG: Membership(status, exit)}, mandates=(mandate(scope=scope),))
        assert rule.window(viewer("broker"), facts) == expected


@pytest.mark.parametrize(
    "given",
    [
        mandate(revoked=True),
        mandate(until="2030-05-31"),  # expired yesterday
        mandate(scope=str(uuid.uuid4())),  # for another partnership
        mandate(org=OTHER),  # from an organisation that is not in P
    ],
)
def test_a_mandate_that_does_not_apply_opens_nothing(given: Mandate) -> None:
    facts = Facts(P, members={ORG: Membership("active")}, mandates=(given,))
    assert rule.window(viewer("broker"), facts) == NONE


def test_a_mandate_until_today_still_applies() -> None:
    facts = Facts(P, members={ORG: Membership("active")}, mandates=(mandate(until=TODAY),))
    assert rule.window(viewer("broker"), facts) == ALL


def test_several_mandates_give_the_union_of_the_organisations_windows() -> None:
    members = {ORG: Membership("withdrawn", 5), OTHER: Membership("invited")}
    facts = Facts(P, members=members, mandates=(mandate(ORG), mandate(OTHER)))
    assert rule.window(viewer("broker"), facts) == Window(
        content=True, until=5, invitations=frozenset({OTHER})
    )
    later = Facts(
        P,
        members={ORG: Membership("withdrawn", 5), OTHER: Membership("removed", 8)},
        mandates=(mandate(ORG), mandate(OTHER)),
    )
    assert rule.window(viewer("broker"), later).until == 8
    current = Facts(
        P,
        members={ORG: Membership("withdrawn", 5), OTHER: Membership("active")},
        mandates=(mandate(ORG), mandate(OTHER)),
    )
    assert rule.window(viewer("broker"), current) == ALL


def test_a_window_sees_events_up_to_its_cut_and_its_own_invitations() -> None:
    cut = Window(content=True, until=10)
    assert cut.sees(10, {}) and not cut.sees(11, {})
    invited = Window(invitations=frozenset({ORG}))
    assert invited.sees(99, {"org_id": ORG})
    assert invited.sees(99, {"membership": {"organisation": ORG}})
    assert not invited.sees(99, {"org_id": OTHER}) and not invited.sees(1, {})
    assert invited.visible and not invited.content and not invited.current
    assert not NONE.visible and ALL.current and not cut.current


def test_a_commitment_is_seen_through_a_cut_only_if_it_existed_at_the_cut() -> None:
    cut = Window(content=True, until=10)
    assert rule.sees_commitment(cut, lambda until: until >= 7)
    assert not rule.sees_commitment(cut, lambda until: until >= 12)
    assert rule.sees_commitment(ALL, lambda until: False)
    assert not rule.sees_commitment(Window(invitations=frozenset({ORG})), lambda until: True)


def test_a_mandate_for_one_partnership_needs_the_organisation_to_stand_in_it() -> None:
    allowed = [
        s
        for s in ("invited", "active", "defaulting", "declined", "withdrawn", "removed")
        if rule.may_scope_mandate(Membership(s))
    ]
    assert allowed == ["invited", "active", "defaulting"]
    assert not rule.may_scope_mandate(None)


def test_mandates_are_seen_by_the_design_row() -> None:
    given = mandate()

    def content(pid: str) -> Window:
        return ALL if pid == P else NONE

    def invitation_only(pid: str) -> Window:
        return Window(invitations=frozenset({OTHER}))

    assert rule.sees_mandate(viewer("admin"), given, content)
    assert rule.sees_mandate(viewer("broker"), given, content)  # its own
    other_broker = Viewer(Actor(str(uuid.uuid4()), "broker"), TODAY)
    assert not rule.sees_mandate(other_broker, given, content)
    assert rule.sees_mandate(viewer("partner", ORG), given, invitation_only)  # its organisation's
    assert rule.sees_mandate(viewer("partner", OTHER), given, content)  # in its partnership
    assert not rule.sees_mandate(viewer("partner", OTHER), given, invitation_only)
    assert not rule.sees_mandate(viewer("partner", OTHER), mandate(scope=None), content)
    assert rule.sees_mandate(viewer("auditor", grants=frozenset({P})), given, content)
    assert not rule.sees_mandate(viewer("auditor", grants=frozenset({OTHER})), given, content)


def test_actors_and_contacts() -> None:
    me = Actor(str(uuid.uuid4()), "partner", ORG)
    assert rule.sees_actor(me, me.id) and not rule.sees_actor(me, str(uuid.uuid4()))
    assert rule.sees_actor(Actor("x", "admin"), me.id)
    none, fellow = rule.Ties(), rule.Ties(fellow=True)
    # A partner: its own organisation's contacts, and its fellow members'
    assert rule.sees_contacts(me, ORG, none) and not rule.sees_contacts(me, OTHER, none)
    assert rule.sees_contacts(me, OTHER, fellow)
    # A broker: under a mandate from O, or as a broker of O's partnerships; no other
    broker = Actor("b", "broker")
    assert not rule.sees_contacts(broker, OTHER, none)
    assert not rule.sees_contacts(broker, OTHER, fellow)
    assert rule.sees_contacts(broker, OTHER, rule.Ties(mandated=True))
    assert rule.sees_contacts(broker, OTHER, rule.Ties(brokers_it=True))
    # Admins all; auditors none, whatever the ties
    assert rule.sees_contacts(Actor("x", "admin"), OTHER, none)
    every = rule.Ties(mandated=True, brokers_it=True, fellow=True)
    assert not rule.sees_contacts(Actor("a", "auditor"), OTHER, every)

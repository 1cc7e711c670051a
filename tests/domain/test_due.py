"""Invariant 8 on the aggregates alone: what is due (`collab.due.due_of`), a mandate's end,
and a leaving member's window. Given events, When the processor's method, Then events."""

from __future__ import annotations

import uuid
from typing import Any

from eventsourcing.utils import get_topic

from collab.domain.envelope import Acting, Actor
from collab.domain.errors import RuleViolationError
from collab.domain.organisation import Organisation
from collab.due import EXIT, MANDATE, REMEDY, DueItem, due_of
from collab.visibility import ALL, Membership, membership_window
from tests.domain.test_partnership import PID, A, B, C, agreed, broker, given, meta

OID = uuid.uuid4()
BROKER = str(uuid.uuid4())


def organisation(*events: tuple[str, dict[str, Any]]) -> Organisation:
    registered = (
        "Registered",
        {
            "identifiers": [{"scheme": "PT-NIPPC", "id": "500000000"}],
            "legal_name": "Casa do Povo",
            "org_type": 22,
            "sector": "civil_society",
            "territory": {"country": "PT", "nuts": "PT1C2", "lau": None},
        },
    )
    org: Any = None
    for version, (name, fields) in enumerate([registered, *events], start=1):
        cls = getattr(Organisation, name)
        extra = {"originator_topic": get_topic(Organisation)} if name == "Registered" else {}
        event = cls(
            originator_id=OID,
            originator_version=version,
            timestamp=cls.create_timestamp(),
            meta=meta(),
            **fields,
            **extra,
        )
        org = event.mutate(org)
    assert isinstance(org, Organisation)
    return org


def granted(mandate_id: str, until: str | None) -> tuple[str, dict[str, Any]]:
    fields = {"broker_id": BROKER, "partnership_id": None, "until": until}
    return "MandateGranted", {"mandate_id": mandate_id, **fields}


def test_8_a_mandates_end_is_recorded_once_the_day_after_its_last_day() -> None:
    org = organisation(granted("m1", "2027-06-30"), granted("m2", None))
    assert due_of(org) == [DueItem(MANDATE, str(OID), "m1", "2027-07-01")]  # m2 never ends
    assert org.end_mandate("m1", "2027-06-30", meta(day="2027-06-30")) is False
    assert org.end_mandate("m1", "2027-07-01", meta(day="2027-07-01")) is True
    [event] = org.collect_events()
    until = event.until  # type: ignore[attr-defined]
    assert (type(event).__name__, until) == ("MandateEnded", "2027-06-30")
    assert org.end_mandate("m1", "2027-07-02", meta(day="2027-07-02")) is False
    assert org.end_mandate("m2", "2099-01-01", meta(day="2099-01-01")) is False
    assert due_of(org) == []


def test_8_a_revoked_mandate_has_no_end_to_record() -> None:
    org = organisation(granted("m1", "2027-06-30"), ("MandateRevoked", {"mandate_id": "m1"}))
    assert due_of(org) == []
    assert org.end_mandate("m1", "2027-07-01", meta(day="2027-07-01")) is False


def test_8_what_is_due_in_a_partnership_follows_its_state() -> None:
    notice = ("MemberGaveNotice", {"org_id": C, "exit_date": "2027-07-01"})
    breach = ("BreachNotified", {"org_id": B, "remedy_until": "2027-06-30"})
    p = given(*agreed(A, B, C), notice, breach)
    assert sorted(due_of(p), key=lambda i: i.kind) == [
        DueItem(EXIT, str(PID), C, "2027-07-01"),
        DueItem(REMEDY, str(PID), B, "2027-07-01"),
    ]
    exited = ("MemberExited", {"org_id": C, "exit_date": "2027-07-01"})
    ended = ("RemedyPeriodEnded", {"org_id": B, "remedy_until": "2027-06-30"})
    assert due_of(given(*agreed(A, B, C), notice, breach, exited, ended)) == []


def test_8_a_leaving_member_sees_the_whole_partnership_until_its_exit() -> None:
    assert membership_window(C, Membership("leaving")) == ALL
    p = given(*agreed(A, B, C), ("MemberGaveNotice", {"org_id": C, "exit_date": "2027-07-01"}))
    acting = Acting(Actor(str(uuid.uuid4()), "partner", C), C)
    assert p.check_active_member(acting).status == "leaving"


def test_8_a_leaving_member_acts_only_before_its_exit_date_even_if_not_yet_recorded() -> None:
    # Given C gave notice running out on 2027-07-01, and the processor has not run
    notice = ("MemberGaveNotice", {"org_id": C, "exit_date": "2027-07-01"})
    p = given(*agreed(A, B, C), notice)
    c = Acting(Actor("c-partner", "partner", C), C)
    # When C pledges or votes on the day before, Then it still may
    p.note_pledge("c1", c, meta("2027-06-30"))
    p.collect_events()
    votes = {A: "for", B: "for", C: "for"}
    subject = {"action": "other", "organisation": None, "summary": None}
    p.record_decision("d1", "AG", subject, votes, broker(), meta("2027-06-30"))
    p.collect_events()
    # When it acts on its exit date, Then it is refused, whether or not the exit is recorded
    for act in (
        lambda: p.note_pledge("c2", c, meta("2027-07-01")),
        lambda: p.record_decision("d2", "AG", subject, votes, broker(), meta("2027-07-01")),
    ):
        try:
            act()
        except RuleViolationError:
            pass
        else:
            raise AssertionError("a member whose notice ran out acted")
        assert p.collect_events() == []
    # And the others decide without it: its weight no longer counts
    result = p.record_decision(
        "d3", "AG", subject, {A: "for", B: "for"}, broker(), meta("2027-07-01")
    )
    assert (result["total_weight"], result["present_weight"]) == (2, 2)

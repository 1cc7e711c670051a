"""The event feed over HTTP: the log in its public, versioned representation, filtered by
visibility (DESIGN §3, §4), in bounded pages."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from api import events
from collab.governance.commands import SetMilestone
from collab.organisations.commands import GrantMandate
from collab.partnerships.commands import WithdrawMembership
from tests.api.conftest import Caller, head
from tests.api.test_views import PROBLEM, Scene, scene

__all__ = ["scene"]


def feed(s: Scene, caller: Caller, **query: Any) -> list[dict[str, Any]]:
    """Every event the caller sees, page after page, checking each page's bookkeeping."""
    seen: list[dict[str, Any]] = []
    after = 0
    while True:
        page = s.ok(caller, "/events", after=after, **query)
        assert page["head"] == head(s.client.application)
        assert all(after < e["position"] <= page["next_after"] for e in page["items"])
        seen += page["items"]
        if page["next_after"] == after:
            return seen
        after = page["next_after"]


def streams(items: list[dict[str, Any]]) -> set[str]:
    return {e["stream"] for e in items}


def test_the_feed_renders_each_event_publicly_in_log_order(scene: Scene) -> None:
    # Given a partnership in force and a pledge of 12.5 hours
    w = scene.world
    pid = w.in_force(keys=("a", "b"))
    cid = w.pledge("a", pid, value="12.5")
    # When an admin reads the whole feed, three events a page
    items = feed(scene, scene.auth.admin, limit=3)
    # Then it holds every event once, in log order
    positions = [e["position"] for e in items]
    assert positions == sorted(set(positions)) and positions[-1] == head(scene.client.application)
    assert [e["type"] for e in items if e["stream"] == pid] == w.events(pid)
    # And each is the public representation: class name, schema version, envelope, data
    joined = next(e for e in items if e["type"] == "MemberJoined")
    assert set(joined) == {
        "position",
        "type",
        "version",
        "stream",
        "stream_type",
        "stream_version",
        "envelope",
        "data",
    }
    assert joined["version"] == 1 and joined["stream_type"] == "partnership"
    assert joined["data"] == {"org_id": w.orgs["a"]}
    assert joined["envelope"]["actor"] == w.partners["a"].id
    assert joined["envelope"]["recorded_at"] == "2030-06-01T12:00:00.000000Z"
    assert set(joined["envelope"]) == set(events.ENVELOPE)
    pledged = next(e for e in items if e["stream"] == cid)
    assert pledged["type"] == "Pledged" and pledged["stream_type"] == "commitment"
    assert pledged["data"]["quantity"] == {"unit": "hour", "value": "12.5"}
    assert all("topic" not in str(e) for e in items)


def test_a_partner_never_sees_another_partnership_in_the_feed(scene: Scene) -> None:
    # Given a partnership of a and b with a commitment, and another of c and d
    w = scene.world
    pid = w.in_force(keys=("a", "b"))
    cid = w.pledge("a", pid)
    theirs = w.in_force(keys=("c", "d"))
    c = scene.partner("c")
    # When a partner of c reads the feed
    items = feed(scene, c)
    # Then it sees its own partnership and the register, nothing of the other partnership
    assert pid not in streams(items) and cid not in streams(items)
    assert theirs in streams(items)
    assert {w.orgs["a"], w.orgs["c"]} <= streams(items)
    # And of the actors, only its own binding
    actors = {e["stream"] for e in items if e["stream_type"] == "actor"}
    assert actors == {c.actor_id}


def test_an_invited_partner_sees_only_its_invitation(scene: Scene) -> None:
    w = scene.world
    pid = w.partnership(a={"roles": ["lead"]}, b={}, c={"join": False})
    w.draft_and_open(pid)
    mine = [e for e in feed(scene, scene.partner("c")) if e["stream"] == pid]
    assert [e["type"] for e in mine] == ["MemberInvited"]
    assert mine[0]["data"]["membership"]["organisation"] == w.orgs["c"]


def test_a_former_member_sees_the_feed_up_to_its_exit(scene: Scene) -> None:
    w = scene.world
    pid = w.in_force(keys=("a", "b", "c"))
    left = w.app.execute(w.as_("c"), WithdrawMembership(pid)).position
    w.app.execute(w.as_broker(), SetMilestone(pid, title="After c left", due_date="2027-05-01"))
    mine = [e for e in feed(scene, scene.partner("c")) if e["stream"] == pid]
    assert mine[-1]["type"] == "MemberWithdrew" and mine[-1]["position"] == left
    assert "MilestoneSet" in [e["type"] for e in feed(scene, scene.partner("a"))]


def test_mandates_are_seen_as_the_mandate_list_shows_them(scene: Scene) -> None:
    # Given org a lets a broker act for it
    w = scene.world
    pid = w.in_force(keys=("a", "b"))
    mandated = scene.auth.actor("broker")
    w.app.execute(
        w.as_("a"), GrantMandate(w.orgs["a"], broker_id=mandated.actor_id, partnership_id=pid)
    )

    def grants(caller: Caller) -> int:
        return sum(e["type"] == "MandateGranted" for e in feed(scene, caller))

    # Then a, the broker, admins and b (a member of the mandate's partnership: DESIGN §3
    # mandates row) see the grant; an organisation outside it and other brokers do not
    seers = (scene.partner("a"), mandated, scene.auth.admin, scene.partner("b"))
    assert [grants(x) for x in seers] == [1, 1, 1, 1]
    assert [grants(x) for x in (scene.partner("c"), scene.auth.broker)] == [0, 0]
    # And the mandated broker now sees the partnership's events
    assert pid in streams(feed(scene, mandated))


def test_a_page_examines_a_bounded_stretch_of_the_log(
    scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a log where a newcomer's actor sees almost nothing
    scene.world.in_force(keys=("a", "b"))
    newcomer = scene.auth.actor("broker")
    monkeypatch.setattr(events, "STRETCH", 5)
    # When it reads from the start
    page = scene.ok(newcomer, "/events", after=0, limit=1000)
    # Then one page examines at most the stretch, and says where to go on
    assert page["next_after"] == 5 and page["head"] == head(scene.client.application)
    assert all(e["position"] <= 5 for e in page["items"])


def test_after_past_the_head_is_422_naming_after(scene: Scene) -> None:
    # Given a partnership in force, an admin and a member (enrolled before the head is read)
    scene.world.in_force(keys=("a", "b"))
    callers = (scene.auth.admin, scene.partner("a"))
    top = head(scene.client.application)
    for caller in callers:
        for after in (top + 1, top + 10, 2**53 - 1):
            # When a caller asks for the events after a position past the head
            body = scene.refused(caller, "/events", 422, after=after)
            # Then the problem names `after` and hands out no position to store
            assert body["type"] == "urn:collab:problem:invalid-input"
            assert body["title"] == "Invalid input"
            assert body["detail"] == f"after: is beyond the head of the log ({top})"
            assert body["errors"] == {"after": [f"is beyond the head of the log ({top})"]}
            assert "next_after" not in body and "items" not in body
    # And nothing was recorded
    assert head(scene.client.application) == top


def test_after_the_head_itself_is_an_empty_page_that_misses_nothing(scene: Scene) -> None:
    # Given a partnership in force, an admin and a member, the head read after all three
    w = scene.world
    pid = w.in_force(keys=("a", "b"))
    callers = (scene.auth.admin, scene.partner("a"))
    top = head(scene.client.application)
    for caller in callers:
        # When a caller reads after the head, Then the page is empty and stays at the head
        assert scene.ok(caller, "/events", after=top) == {
            "items": [],
            "next_after": top,
            "head": top,
        }
    # And an event written later is on the next page after that position
    w.app.execute(w.as_broker(), SetMilestone(pid, title="Later", due_date="2027-05-01"))
    for caller in callers:
        later = scene.ok(caller, "/events", after=top)
        assert [e["type"] for e in later["items"]] == ["MilestoneSet"]
        assert later["items"][0]["position"] > top and later["next_after"] == later["head"]


@pytest.mark.parametrize(
    "query",
    [
        {"limit": 0},
        {"after": -1},
        {"limit": 1001},
        {"after": "first"},
        {"limit": "1e3"},
        {"after": 2**53},
        {"cursor": str(uuid.uuid4())},
    ],
)
def test_bad_feed_queries_are_422(scene: Scene, query: dict[str, Any]) -> None:
    response = scene.get(scene.auth.admin, "/events", **query)
    assert response.status_code == 422 and response.mimetype == PROBLEM
    assert response.json is not None
    assert response.json["type"] == "urn:collab:problem:invalid-input"

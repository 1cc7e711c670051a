"""Reads over HTTP: views, histories, lists, ledger, inbox and the map follow the events and
visibility (DESIGN §3, §4); as-of reads equal the live view captured at that position."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from api import create_app
from api.service import Service, Settings
from collab.application import Actor
from collab.commitments.commands import ReportDelivery
from collab.governance.commands import SetMilestone
from collab.organisations.commands import GrantMandate
from collab.partnerships.commands import InitiatePartnership, WithdrawMembership
from collab.stores import StoreConfig
from tests.api.conftest import Auth, Caller, head
from tests.application.world import World

PROBLEM = "application/problem+json"


@dataclass
class Scene:
    """The application tests' world on the HTTP app's service; callers hold real tokens."""

    world: World
    client: FlaskClient
    auth: Auth

    def partner(self, key: str) -> Caller:
        return self.auth.named(key, "partner", self.world.org(key))

    def get(self, caller: Caller, path: str, **query: Any) -> TestResponse:
        return self.client.get(f"/v1{path}", query_string=query, headers=caller.headers())

    def ok(self, caller: Caller, path: str, **query: Any) -> Any:
        response = self.get(caller, path, **query)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.json

    def refused(self, caller: Caller, path: str, expected: int, **query: Any) -> dict[str, Any]:
        response = self.get(caller, path, **query)
        assert response.status_code == expected, response.get_data(as_text=True)
        assert response.mimetype == PROBLEM
        body: dict[str, Any] = response.json  # type: ignore[assignment]
        return body


def scene_of(flask_app: Flask, client: FlaskClient, auth: Auth) -> Scene:
    # The world's broker is the HTTP broker, so its partnerships are the broker's own.
    world = World(auth.service.app)
    world.broker = Actor(auth.broker.actor_id, "broker")
    return Scene(world, client, auth)


@pytest.fixture
def scene(flask_app: Flask, client: FlaskClient, auth: Auth) -> Scene:
    return scene_of(flask_app, client, auth)


def ids(items: list[dict[str, Any]], key: str = "partnership_id") -> list[str]:
    return [i[key] for i in items]


def test_the_view_shows_what_the_events_say(scene: Scene) -> None:
    # Given a partnership in force between a (lead) and b, and a pledge of 12.5 hours by a
    w = scene.world
    pid = w.in_force(keys=("a", "b"))
    cid = w.pledge("a", pid, value="12.5")
    # When a partner of a reads the view
    view = scene.ok(scene.partner("a"), f"/partnerships/{pid}/view")
    # Then it shows the state the events built
    assert view["status"] == "active" and view["in_force_version"] == 1
    assert sorted(ids(view["members"], "organisation_id")) == sorted([w.orgs["a"], w.orgs["b"]])
    assert {m["status"] for m in view["members"]} == {"active"}
    (lead,) = [m for m in view["members"] if m["organisation_id"] == w.orgs["a"]]
    assert lead["roles"] == ["lead"]
    assert [(c["commitment_id"], c["quantity"], c["status"]) for c in lead["commitments"]] == [
        (cid, "12.5", "confirmed")
    ]
    assert {s["organisation_id"] for s in view["signatures"]} == {w.orgs["a"], w.orgs["b"]}
    assert view["versions"][0]["text_hash"] == view["in_force_hash"]


def test_histories_list_every_event_in_log_order(scene: Scene) -> None:
    # Given a partnership in force and a confirmed commitment
    w = scene.world
    pid = w.in_force(keys=("a", "b"))
    cid = w.pledge("b", pid)
    broker = scene.auth.broker
    # When the broker reads the partnership's history, page by page
    first = scene.ok(broker, f"/partnerships/{pid}/history", limit=5)
    rest = scene.ok(broker, f"/partnerships/{pid}/history", cursor=first["next_cursor"])
    entries = first["items"] + rest["items"]
    # Then it holds every event of the partnership and of its commitment, in log order
    assert [e["event_type"] for e in entries if e["stream_id"] == pid] == w.events(pid)
    assert [e["event_type"] for e in entries if e["stream_id"] == cid] == w.events(cid)
    positions = [e["position"] for e in entries]
    assert positions == sorted(positions) and rest["next_cursor"] is None
    # And the commitment's own history holds its events only
    own = scene.ok(broker, f"/commitments/{cid}/history")
    assert [e["event_type"] for e in own["items"]] == ["Pledged", "Confirmed"]
    assert own["items"][0]["data"]["quantity"] == {"unit": "hour", "value": "100"}


def test_field_histories_give_each_value_with_the_event_that_set_it(scene: Scene) -> None:
    # Given a partnership in force and a confirmed commitment
    w = scene.world
    pid = w.in_force(keys=("a", "b"))
    cid = w.pledge("a", pid)
    broker = scene.auth.broker
    # When the broker reads the partnership's field history
    fields = scene.ok(broker, f"/partnerships/{pid}/field-history")["fields"]
    # Then each status it went through is there, with the event that set it
    assert [x["value"] for x in fields["status"]] == [
        "scoping",
        "negotiating",
        "awaiting_signatures",
        "active",
    ]
    assert fields["status"][-1]["event_type"] == "AgreementEnteredIntoForce"
    # And so for the commitment, and for an organisation (the register is public)
    commitment = scene.ok(broker, f"/commitments/{cid}/field-history")["fields"]
    assert [x["value"] for x in commitment["status"]] == ["pledged", "confirmed"]
    org = scene.ok(scene.partner("b"), f"/organisations/{w.orgs['a']}/field-history")
    assert [x["value"] for x in org["fields"]["legal_name"]] == ["a org"]


def test_an_as_of_view_equals_the_live_view_captured_then(scene: Scene) -> None:
    # Given the live view captured right after the agreement entered into force
    w = scene.world
    pid = w.in_force(keys=("a", "b"))
    position = head(scene.client.application)
    captured = scene.ok(scene.auth.broker, f"/partnerships/{pid}/view")
    # When more happens, and the view is read as of that position
    w.pledge("a", pid)
    w.app.execute(w.as_broker(), SetMilestone(pid, title="Kick-off", due_date="2027-01-15"))
    as_of = scene.ok(scene.auth.broker, f"/partnerships/{pid}/view", as_of_position=position)
    # Then it is the captured view, and the live one has moved on
    assert as_of == captured
    assert scene.ok(scene.auth.broker, f"/partnerships/{pid}/view") != captured
    # And before the partnership existed there is nothing to see
    scene.refused(scene.auth.broker, f"/partnerships/{pid}/view", 404, as_of_position=1)


class Clock:
    """A test clock moved by hand: times order the log (never a sleep)."""

    def __init__(self) -> None:
        self.now = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def test_as_of_a_time_is_the_log_prefix_recorded_by_then(memory_config: StoreConfig) -> None:
    # Given a service whose clock moves on between two commands
    clock = Clock()
    flask_app = create_app(Settings(store=memory_config, mode="embedded", clock=clock))
    try:
        auth, client = Auth(flask_app), flask_app.test_client()
        s = scene_of(flask_app, client, auth)
        pid = s.world.in_force(keys=("a", "b"))
        captured = s.ok(auth.broker, f"/partnerships/{pid}/view")
        clock.now += timedelta(hours=1)
        s.world.pledge("a", pid)
        # When the view is read as of a time between them, and as of a time before any
        between = s.ok(auth.broker, f"/partnerships/{pid}/view", as_of="2030-06-01T12:30:00Z")
        before = "2030-06-01T11:59:59.999999+00:00"
        s.refused(auth.broker, f"/partnerships/{pid}/view", 404, as_of=before)
        # Then the first is the view captured at that time
        assert between == captured
    finally:
        service: Service = flask_app.extensions["collab"]
        service.close()


@pytest.mark.parametrize(
    "query",
    [
        {"as_of_position": 10_000},
        {"as_of_position": 1, "as_of": "2030-06-01T12:00:00Z"},
        {"as_of": "2030-06-01T12:00:00"},
        {"as_of": "2030-02-30T12:00:00Z"},
        {"as_of_position": -1},
        {"min_position": 10_000},
        {"colour": "blue"},
    ],
)
def test_bad_read_options_are_422(scene: Scene, query: dict[str, Any]) -> None:
    pid = scene.world.partnership()
    body = scene.refused(scene.auth.broker, f"/partnerships/{pid}/view", 422, **query)
    assert body["type"] == "urn:collab:problem:invalid-input"


def test_min_position_waits_for_the_views_then_answers(
    scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a command whose events the views have not followed yet
    w = scene.world
    pid = w.in_force(keys=("a", "b"))
    monkeypatch.setattr(w.app, "after_commit", [])
    written = w.app.execute(
        w.as_broker(), SetMilestone(pid, title="Kick-off", due_date="2027-01-15")
    )
    assert scene.ok(scene.auth.broker, f"/partnerships/{pid}/view")["milestones"] == []
    # When a read asks for the command's position
    path = f"/partnerships/{pid}/history"
    page = scene.ok(scene.auth.broker, path, min_position=written.position)
    # Then it answers once the views include it
    assert page["position"] >= written.position
    assert page["items"][-1]["event_type"] == "MilestoneSet"


def test_a_partner_of_another_organisation_sees_nothing_of_a_partnership(scene: Scene) -> None:
    # Given a partnership of a and b with a commitment, and another of c and d
    w = scene.world
    pid = w.in_force(keys=("a", "b"))
    cid = w.pledge("a", pid)
    theirs = w.in_force(keys=("c", "d"))
    w.pledge("c", theirs)
    c = scene.partner("c")
    # When a partner of c reads it, its history, its commitment: 404, as if absent
    for path in (
        f"/partnerships/{pid}/view",
        f"/partnerships/{pid}/history",
        f"/partnerships/{pid}/field-history",
        f"/commitments/{cid}/history",
        f"/commitments/{cid}/field-history",
    ):
        assert scene.refused(c, path, 404)["type"] == "urn:collab:problem:not-found"
    scene.refused(
        c, f"/partnerships/{pid}/view", 404, as_of_position=head(scene.client.application)
    )
    # And it never appears in its lists, its map detail, or another organisation's books
    assert ids(scene.ok(c, "/partnerships")["items"]) == [theirs]
    assert ids(scene.ok(c, f"/organisations/{w.orgs['a']}/partnerships")["items"]) == []
    assert ids(scene.ok(c, f"/organisations/{w.orgs['c']}/partnerships")["items"]) == [theirs]
    assert scene.ok(c, f"/organisations/{w.orgs['a']}/ledger")["commitments"] == []
    other_inbox = scene.ok(c, f"/organisations/{w.orgs['a']}/inbox")
    assert all(items == [] for k, items in other_inbox.items() if isinstance(items, list))
    own = scene.ok(c, f"/organisations/{w.orgs['c']}/ledger")
    assert {x["partnership_id"] for x in own["commitments"]} == {theirs}
    seen = scene.ok(c, "/collaboration-map")
    assert ids(seen["organisation_pairs"]) == [theirs]
    # While the aggregates count both partnerships for everyone
    everything = scene.ok(scene.auth.admin, "/collaboration-map")
    assert seen["sector_pairs"] == everything["sector_pairs"]
    assert [pair["partnerships"] for pair in seen["sector_pairs"]] == [2]
    assert sorted(ids(everything["organisation_pairs"])) == sorted([pid, theirs])


def test_an_auditor_sees_the_partnerships_it_was_granted(scene: Scene) -> None:
    # Given an auditor granted one of two partnerships, each with a commitment
    w = scene.world
    granted, other = w.in_force(keys=("a", "b")), w.in_force(keys=("c", "d"))
    mine, theirs = w.pledge("a", granted), w.pledge("c", other)
    auditor = scene.auth.auditor(granted)
    # Then it lists and reads the granted one only
    assert ids(scene.ok(auditor, "/partnerships")["items"]) == [granted]
    assert scene.ok(auditor, f"/partnerships/{granted}/view")["status"] == "active"
    scene.refused(auditor, f"/partnerships/{other}/view", 404)
    scene.refused(auditor, f"/commitments/{theirs}/history", 404)
    # And the organisations' ledgers show only the granted partnership's commitments
    ledger = scene.ok(auditor, f"/organisations/{w.orgs['a']}/ledger")
    assert ids(ledger["commitments"], "commitment_id") == [mine]
    assert scene.ok(auditor, f"/organisations/{w.orgs['c']}/ledger")["commitments"] == []


def test_an_invited_organisation_sees_its_invitation_only(scene: Scene) -> None:
    # Given b invited to a partnership it has not joined
    w = scene.world
    pid = w.partnership(a={"roles": ["lead"]}, b={"join": False, "roles": ["funder"]})
    b = scene.partner("b")
    # Then its view is the invitation, its history the invitation's events, and no more
    view = scene.ok(b, f"/partnerships/{pid}/view")
    assert set(view) == {"partnership_id", "title", "need_statement", "invitation"}
    assert view["invitation"]["roles"] == ["funder"]
    history = scene.ok(b, f"/partnerships/{pid}/history")["items"]
    assert [e["event_type"] for e in history] == ["MemberInvited"]
    scene.refused(b, f"/partnerships/{pid}/field-history", 404)
    scene.refused(
        b, f"/partnerships/{pid}/view", 404, as_of_position=head(scene.client.application)
    )
    # And its inbox holds the invitation
    box = scene.ok(b, f"/organisations/{w.orgs['b']}/inbox")
    assert ids(box["invitations"]) == [pid]


def test_a_broker_for_two_invited_organisations_sees_both_invitations(scene: Scene) -> None:
    # Given b and c invited and not answering, d a member; a broker holding mandates from b
    # and c (for all their partnerships) and from d for another partnership
    w = scene.world
    pid = w.partnership(
        a={"roles": ["lead"]}, b={"join": False}, c={"join": False, "roles": ["funder"]}
    )
    other = w.partnership(d={})
    agent = scene.auth.actor("broker")
    for key, scope in (("b", None), ("c", None), ("d", other)):
        w.app.execute(
            w.as_(key), GrantMandate(w.orgs[key], broker_id=agent.actor_id, partnership_id=scope)
        )
    # Then the broker's view of the partnership is the two invitations and no more
    view = scene.ok(agent, f"/partnerships/{pid}/view")
    assert set(view) == {"partnership_id", "title", "need_statement", "invitations"}
    invited = [(i["organisation_id"], i["roles"]) for i in view["invitations"]]
    assert invited == sorted([(w.orgs["b"], ["implementer"]), (w.orgs["c"], ["funder"])])
    history = scene.ok(agent, f"/partnerships/{pid}/history")["items"]
    assert [e["event_type"] for e in history] == ["MemberInvited", "MemberInvited"]
    scene.refused(agent, f"/partnerships/{pid}/field-history", 404)


def test_a_former_member_sees_the_history_up_to_its_exit(scene: Scene) -> None:
    # Given c withdrew from a partnership, which went on without it
    w = scene.world
    pid = w.in_force(keys=("a", "b", "c"))
    left = w.app.execute(w.as_("c"), WithdrawMembership(pid)).position
    w.app.execute(w.as_broker(), SetMilestone(pid, title="After c left", due_date="2027-05-01"))
    c = scene.partner("c")
    # Then c's history ends with its exit, and an as-of view never goes past it
    history = scene.ok(c, f"/partnerships/{pid}/history")["items"]
    assert history[-1]["event_type"] == "MemberWithdrew"
    assert max(e["position"] for e in history) == left
    as_of_now = scene.ok(
        c, f"/partnerships/{pid}/view", as_of_position=head(scene.client.application)
    )
    assert as_of_now == scene.ok(c, f"/partnerships/{pid}/view")
    assert as_of_now["milestones"] == []


def test_a_former_member_sees_every_record_as_it_stood_at_its_exit(scene: Scene) -> None:
    # Given b's confirmed commitment of 10 hours; then c withdrew; then b reported 4 hours
    # delivered, and the partnership was suspended
    w = scene.world
    pid = w.in_force(keys=("a", "b", "c"))
    cid = w.pledge("b", pid, value="10")
    w.app.execute(w.as_("c"), WithdrawMembership(pid))
    w.app.execute(w.as_("b"), ReportDelivery(cid, quantity="4", delivered_on="2027-02-01"))
    w.transition(pid, "suspend")
    a, c = scene.partner("a"), scene.partner("c")
    # Then c reads the commitment as it stood when c left: confirmed, nothing delivered
    seen = scene.ok(c, f"/commitments/{cid}")
    assert (seen["status"], seen["deliveries"], seen["delivered"]) == ("confirmed", [], "0")
    assert scene.ok(a, f"/commitments/{cid}")["status"] == "in_delivery"
    history = scene.ok(c, f"/commitments/{cid}/history")["items"]
    assert [e["event_type"] for e in history] == ["Pledged", "Confirmed"]
    fields = scene.ok(c, f"/commitments/{cid}/field-history")["fields"]
    assert [x["value"] for x in fields["status"]] == ["pledged", "confirmed"]
    # And b's ledger, as c sees it, totals nothing delivered; as a sees it, 4 hours
    books = f"/organisations/{w.orgs['b']}/ledger"
    assert scene.ok(c, books)["totals_by_unit"][0]["delivered"] == "0"
    assert scene.ok(a, books)["totals_by_unit"][0]["delivered"] == "4"
    # And the lists show the partnership as it was: active, not suspended
    assert [(p["partnership_id"], p["status"]) for p in scene.ok(c, "/partnerships")["items"]] == [
        (pid, "active")
    ]
    assert scene.ok(c, "/partnerships", status="suspended")["items"] == []
    mine = scene.ok(c, f"/organisations/{w.orgs['c']}/partnerships")["items"]
    assert [(p["status"], p["membership_status"]) for p in mine] == [("active", "withdrawn")]
    # And nothing that now awaits a's action shows through c's window
    inbox = f"/organisations/{w.orgs['a']}/inbox"
    assert ids(scene.ok(a, inbox)["deliveries_to_confirm"], "commitment_id") == [cid]
    assert scene.ok(c, inbox)["deliveries_to_confirm"] == []


def test_lists_filter_and_page_with_opaque_cursors(scene: Scene) -> None:
    # Given three partnerships of the broker: two in force, one classified SDG 3
    w = scene.world
    active = {w.in_force(keys=("a", "b")), w.in_force(keys=("c", "d"))}
    out = w.app.execute(
        w.as_broker(),
        InitiatePartnership(
            title="Health walks",
            need_statement="Elders walk alone",
            territory={"country": "ES", "nuts": "ES43"},
            partnership_type="consortium",
            classifications=[{"vocabulary": "sdg_goal", "code": "3"}],
        ),
    )
    scoping = out.result["partnership_id"]
    broker = scene.auth.broker
    # When it pages through them two at a time
    first = scene.ok(broker, "/partnerships", limit=2)
    second = scene.ok(broker, "/partnerships", limit=2, cursor=first["next_cursor"])
    assert set(ids(first["items"] + second["items"])) == active | {scoping}
    assert second["next_cursor"] is None
    # Then filters narrow the list
    assert set(ids(scene.ok(broker, "/partnerships", status="active")["items"])) == active
    assert ids(scene.ok(broker, "/partnerships", classification="sdg_goal:3")["items"]) == [scoping]
    assert ids(scene.ok(broker, "/partnerships", country="ES", nuts="ES4")["items"]) == [scoping]
    assert ids(scene.ok(broker, "/partnerships", partnership_type="clld_lag")["items"]) == []


@pytest.mark.parametrize(
    "query",
    [{"limit": 0}, {"limit": 501}, {"status": "asleep"}, {"classification": "sdg_goal"}],
)
def test_bad_list_queries_are_422(scene: Scene, query: dict[str, Any]) -> None:
    body = scene.refused(scene.auth.broker, "/partnerships", 422, **query)
    assert body["type"] == "urn:collab:problem:invalid-input"


def test_the_ledger_and_the_inbox_follow_commitments_and_deliveries(scene: Scene) -> None:
    # Given b pledged 10 hours to the pool and reported 4 delivered (a, the lead, confirms)
    w = scene.world
    pid = w.in_force(keys=("a", "b"))
    cid = w.pledge("b", pid, value="10")
    w.app.execute(w.as_("b"), ReportDelivery(cid, quantity="4", delivered_on="2027-02-01"))
    # Then b's ledger totals it, and a's inbox asks a to confirm the delivery
    ledger = scene.ok(scene.partner("b"), f"/organisations/{w.orgs['b']}/ledger")
    assert ids(ledger["commitments"], "commitment_id") == [cid]
    assert ledger["totals_by_unit"] == [
        {
            "unit": "hour",
            "committed": "10",
            "delivered": "4",
            "confirmed": "0",
            "fulfilment_ratio": "0.0000",
            "surplus": "0",
        }
    ]
    box = scene.ok(scene.partner("a"), f"/organisations/{w.orgs['a']}/inbox")
    assert ids(box["deliveries_to_confirm"], "commitment_id") == [cid]
    # And the broker sees the same, another broker nothing of it
    assert scene.ok(scene.auth.broker, f"/organisations/{w.orgs['a']}/inbox") == box
    stranger = scene.auth.actor("broker")
    assert scene.ok(stranger, f"/organisations/{w.orgs['a']}/inbox")["deliveries_to_confirm"] == []
    assert scene.ok(stranger, f"/organisations/{w.orgs['b']}/ledger")["commitments"] == []
    scene.refused(stranger, f"/organisations/{w.orgs['b']}/partnerships", 422, limit=0)


def test_views_that_do_not_catch_up_in_time_answer_503(memory_config: StoreConfig) -> None:
    # Given a server-mode service (no follower runs in the request) with a short wait
    settings = Settings(store=memory_config, mode="server", read_wait_seconds=0.05)
    flask_app = create_app(settings)
    try:
        auth, client = Auth(flask_app), flask_app.test_client()
        pid = scene_of(flask_app, client, auth).world.partnership()
        # When a read asks for a position its views have not reached
        response = client.get(
            f"/v1/partnerships/{pid}/view",
            query_string={"min_position": head(flask_app)},
            headers=auth.broker.headers(),
        )
        # Then it is refused for now, with a hint when to retry
        assert response.status_code == 503 and response.mimetype == PROBLEM
        assert response.headers["Retry-After"] == "1"
    finally:
        service: Service = flask_app.extensions["collab"]
        service.close()

"""The write-side issue's scenarios again, end to end over HTTP against a real gunicorn.

The same Given/When/Then as tests/application/test_scenarios.py, but every step is an
HTTP request to `collab serve` (SQLite in embedded mode; PostgreSQL in server mode with a
follower process), every Then is read back over HTTP at the last command's position, and
every refusal is checked by its status, its problem type and an unchanged head of the log
(the feed's `head`, read as an admin). A server start costs seconds, so related scenarios
share one; each keeps its own Given/When/Then.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from tests.integration.conftest import Http, Served, run_collab
from tests.integration.test_http_scenario import TERRITORY, actor, register, terms

OTHER_TERRITORY = {"country": "ES", "nuts": "ES43"}
PROBLEMS = {403: "forbidden", 404: "not-found", 409: "rule-violation", 422: "invalid-input"}
DAY = "2026-11-02"  # business dates may not be later than the server's (real) today


@dataclass
class Scene:
    """Given-helpers over HTTP: an admin, a broker, organisations and their partners."""

    admin: Http
    broker: Http
    orgs: dict[str, str] = field(default_factory=dict)
    partners: dict[str, Http] = field(default_factory=dict)
    position: int = 0  # the last command's log position: reads wait for it
    outcome: dict[str, Any] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)  # the served COLLAB_* settings

    @classmethod
    def on(cls, served: Served) -> Scene:
        admin = served.http.as_(served.admin_token())
        return cls(admin, actor(admin, "broker"), env=served.env)

    def record_due(self) -> None:
        """Record what is due now (`collab due run`, once), so that the server's own due
        processor, which runs on its interval, has nothing left to record while a step
        counts the events."""
        done = run_collab("due", "run", env=self.env)
        assert done.returncode == 0, done.stderr

    # -- commands --------------------------------------------------------------------------

    def do(self, who: Http, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """A command that succeeds: its result (the whole outcome kept in `outcome`)."""
        reply = who.post(path, body)
        assert reply.status in (200, 201), (path, reply.body)
        assert reply.headers["Collab-Position"] == str(reply.body["position"])
        self.outcome, self.position = reply.body, max(self.position, reply.body["position"])
        result: dict[str, Any] = reply.body["result"]
        return result

    def refused(
        self, status: int, who: Http, path: str, body: Any = None, method: str = "POST"
    ) -> None:
        """Then: refused with `status` and its problem type, and nothing at all recorded."""
        before = self.head()
        reply = who.request(method, path, body)
        assert reply.status == status, (path, reply.body)
        assert reply.headers["Content-Type"] == "application/problem+json"
        assert reply.body["type"] == f"urn:collab:problem:{PROBLEMS[status]}"
        assert self.head() == before, "a refused command recorded events"

    def head(self) -> int:
        reply = self.admin.get("/v1/events?limit=1")  # every page reports the head
        assert reply.status == 200, reply.body
        head: int = reply.body["head"]
        return head

    # -- givens ----------------------------------------------------------------------------

    def org(self, key: str, sector: str = "civil_society") -> str:
        """Register organisation `key` (once) and a partner actor bound to it."""
        if key not in self.orgs:
            self.orgs[key] = register(self.broker, sector)
            self.partners[key] = actor(self.admin, "partner", self.orgs[key])
        return self.orgs[key]

    def partnership(self, ptype: str = "social_innovation", **members: dict[str, Any]) -> str:
        """Initiated by the broker; each member (sector, roles, weight) invited and joined."""
        body = {
            "title": "Care rounds",
            "need_statement": "Isolated elders lack care",
            "territory": TERRITORY,
            "partnership_type": ptype,
        }
        pid: str = self.do(self.broker, "/v1/partnerships", body)["partnership_id"]
        for key, spec in members.items():
            invite = {
                "organisation_id": self.org(key, spec.get("sector", "civil_society")),
                "roles": spec.get("roles", ["implementer"]),
                "weight": spec.get("weight", 1),
            }
            self.do(self.broker, f"/v1/partnerships/{pid}/members", invite)
            self.do(self.partners[key], f"/v1/partnerships/{pid}/join")
        return pid

    def draft_and_open(self, pid: str, vision: str = "A shared vision") -> str:
        draft = self.do(self.broker, f"/v1/partnerships/{pid}/versions", {"terms": terms(vision)})
        number = {"agreement_version": draft["agreement_version"]}
        self.do(self.broker, f"/v1/partnerships/{pid}/open-for-signature", number)
        text_hash: str = draft["text_hash"]
        return text_hash

    def sign(self, who: Http, pid: str, text_hash: str, **envelope: str) -> dict[str, Any]:
        body = {"text_hash": text_hash, **envelope}
        return self.do(who, f"/v1/partnerships/{pid}/signatures", body)

    def in_force(self, keys: tuple[str, ...] = ("a", "b", "c")) -> str:
        """Members `keys` (the first leads), version 1 signed by all: active."""
        roles = {k: {"roles": ["lead"] if i == 0 else ["implementer"]} for i, k in enumerate(keys)}
        pid = self.partnership("social_innovation", **roles)
        text_hash = self.draft_and_open(pid)
        for key in keys:
            self.sign(self.partners[key], pid, text_hash)
        assert self.versions(pid)["partnership_status"] == "active"
        return pid

    def amend(self, pid: str, base: int) -> str:
        body = {"base_version": base, "terms": terms(f"Amended {uuid.uuid4()}")}
        text_hash: str = self.do(self.broker, f"/v1/partnerships/{pid}/amendments", body)[
            "text_hash"
        ]
        return text_hash

    def pledge(self, key: str, pid: str, *, confirm: bool = True, **overrides: Any) -> str:
        partner, body = self.partners[key], pledge_body(**overrides)
        cid: str = self.do(partner, f"/v1/partnerships/{pid}/commitments", body)["commitment_id"]
        if confirm:
            self.do(partner, f"/v1/commitments/{cid}/confirm")
        return cid

    def deliver(self, key: str, cid: str, quantity: str) -> str:
        body = {"quantity": quantity, "delivered_on": DAY}
        delivery_id: str = self.do(self.partners[key], f"/v1/commitments/{cid}/deliveries", body)[
            "delivery_id"
        ]
        return delivery_id

    # -- then: reads over HTTP, as an admin ------------------------------------------------

    def read(self, path: str) -> dict[str, Any]:
        """A view at the last command's position (read-your-writes across workers)."""
        join = "&" if "?" in path else "?"
        reply = self.admin.get(f"{path}{join}min_position={self.position}")
        assert reply.status == 200, (path, reply.body)
        body: dict[str, Any] = reply.body
        return body

    def versions(self, pid: str) -> dict[str, Any]:
        """The agreement texts, read from the recorded partnership itself."""
        reply = self.admin.get(f"/v1/partnerships/{pid}/versions")
        assert reply.status == 200, reply.body
        body: dict[str, Any] = reply.body
        return body

    def version(self, pid: str, number: int) -> dict[str, Any]:
        found: dict[str, Any] = next(
            v for v in self.versions(pid)["items"] if v["agreement_version"] == number
        )
        return found

    def history(self, kind: str, stream_id: str) -> list[dict[str, Any]]:
        """The events of one stream (a partnership's history also holds its commitments')."""
        items = self.read(f"/v1/{kind}/{stream_id}/history?limit=500")["items"]
        return [e for e in items if e["stream_id"] == stream_id]

    def events(self, kind: str, stream_id: str) -> list[str]:
        return [e["event_type"] for e in self.history(kind, stream_id)]

    def commitment(self, cid: str) -> dict[str, Any]:
        return self.read(f"/v1/commitments/{cid}")


def pledge_body(**overrides: Any) -> dict[str, Any]:
    """100 hours of staff time to the pool, unless overridden."""
    return {
        "contribution_type": "staff_time",
        "quantity": {"value": "100", "unit": "hour"},
        "valuation": {"method": "not_valued"},
        "recipient": "pool",
        **overrides,
    }


def actor_id(who: Http) -> str:
    reply = who.get("/v1/actors/me")
    assert reply.status == 200, reply.body
    found: str = reply.body["actor_id"]
    return found


# -- who signs, for whom, and what binds -----------------------------------------------------


def test_signatures_bind_only_on_one_hash_by_each_member_or_its_mandated_broker(
    served: Served,
) -> None:
    w = Scene.on(served)

    # -- Binding needs every signature on the same hash.
    # Given a text open for signature by a, b and c
    pid = w.partnership(a={"roles": ["lead"]}, b={}, c={})
    text = w.draft_and_open(pid)
    # When a and b sign, Then the partnership is not bound yet
    for key in "ab":
        assert w.sign(w.partners[key], pid, text)["entered_into_force"] is False
    assert w.versions(pid)["agreement_in_force"] is None
    # When c signs the same hash, Then it enters into force in the same command
    assert w.sign(w.partners["c"], pid, text)["status"] == "active"
    assert w.events("partnerships", pid)[-2:] == ["AgreementSigned", "AgreementEnteredIntoForce"]

    # -- Signing for another organisation is refused.
    # Given a text open for signature by a (lead) and b
    pid = w.partnership(a={"roles": ["lead"]}, b={})
    text = w.draft_and_open(pid)
    signatures = f"/v1/partnerships/{pid}/signatures"
    # When a's partner signs on behalf of b, Then it is forbidden and nothing recorded
    w.refused(403, w.partners["a"], signatures, {"text_hash": text, "on_behalf_of": w.orgs["b"]})
    assert w.version(pid, 1)["signed_by"] == []

    # -- A broker acts for a partner only under its mandate.
    # Given a text open for signature; an agent broker outside the partnership
    pid = w.partnership(a={"roles": ["lead"]}, b={})
    text = w.draft_and_open(pid)
    b, agent = w.orgs["b"], actor(w.admin, "broker")
    agent_id, signatures = actor_id(agent), f"/v1/partnerships/{pid}/signatures"
    # When brokers sign for b without b's mandate, Then they are refused
    w.refused(403, w.broker, signatures, {"text_hash": text, "on_behalf_of": b})
    w.refused(404, agent, signatures, {"text_hash": text, "on_behalf_of": b})
    # When b's partner grants the agent a mandate for this partnership
    grant = {"broker_id": agent_id, "partnership_id": pid}
    mandate = w.do(w.partners["b"], f"/v1/organisations/{b}/mandates", grant)["mandate_id"]
    # Then the agent signs for b, and the event names actor, organisation and mandate
    w.sign(agent, pid, text, on_behalf_of=b)
    last = w.history("partnerships", pid)[-1]
    assert last["event_type"] == "AgreementSigned"
    assert (last["actor"], last["on_behalf_of"], last["mandate"]) == (agent_id, b, mandate)
    signed = w.read(f"/v1/partnerships/{pid}/view")["signatures"]
    assert [(s["text_hash"], s["organisation_id"], s["mandate"]) for s in signed] == [
        (text, b, mandate)
    ]
    # And the mandate does not let the agent act for a
    w.refused(403, agent, signatures, {"text_hash": text, "on_behalf_of": w.orgs["a"]})

    # -- A mandate that does not apply does not work (each case on organisations of its own).
    broker_id = actor_id(w.broker)
    for why in ("revoked", "other partnership", "expired"):
        # Given x's mandate to the broker is revoked, scoped to another partnership x is
        # in, or expired
        pid = w.partnership(
            "social_innovation", **{f"lead {why}": {"roles": ["lead"]}, f"x {why}": {}}
        )
        text = w.draft_and_open(pid)
        x, partner = w.orgs[f"x {why}"], w.partners[f"x {why}"]
        grant = {"broker_id": broker_id}
        other = w.partnership(**{f"x {why}": {}}) if why == "other partnership" else pid
        grant["partnership_id"] = other
        if why == "expired":
            grant["until"] = "2000-01-01"
        mandate = w.do(partner, f"/v1/organisations/{x}/mandates", grant)["mandate_id"]
        if why == "revoked":
            w.do(partner, f"/v1/organisations/{x}/mandates/{mandate}/revocation")
        # When the broker signs for x, Then it is refused and nothing recorded
        body = {"text_hash": text, "on_behalf_of": x}
        w.refused(403, w.broker, f"/v1/partnerships/{pid}/signatures", body)

    # -- A signature on h1 never counts for h2.
    # Given a signed h1, then the text was re-drafted as h2
    pid = w.partnership(a={"roles": ["lead"]}, b={})
    h1 = w.draft_and_open(pid)
    w.sign(w.partners["a"], pid, h1)
    h2 = w.draft_and_open(pid, vision="Second draft")
    # When b signs h2, Then h2 is not in force: a's signature was on h1
    assert w.sign(w.partners["b"], pid, h2)["entered_into_force"] is False
    v1, v2 = w.version(pid, 1), w.version(pid, 2)
    assert (v1["text_hash"], v1["signed_by"]) == (h1, [w.orgs["a"]])
    assert (v2["text_hash"], v2["signed_by"]) == (h2, [w.orgs["b"]])
    assert w.versions(pid)["agreement_in_force"] is None

    # -- The CLLD 49 % rule.
    # Given a LAG where public authorities hold 2 of 4 votes
    pid = w.partnership(
        "clld_lag",
        p={"sector": "public", "roles": ["lead"], "weight": 2},
        c={},
        e={"sector": "private"},
    )
    draft = w.do(w.broker, f"/v1/partnerships/{pid}/versions", {"terms": terms("A LAG")})
    opening = {"agreement_version": draft["agreement_version"]}
    # When it is opened for signature, Then it is refused and nothing recorded
    w.refused(409, w.broker, f"/v1/partnerships/{pid}/open-for-signature", opening)
    # When a second civil-society member joins (2 of 5 = 40%), Then it opens and binds
    invite = {"organisation_id": w.org("c2"), "roles": ["implementer"], "weight": 1}
    w.do(w.broker, f"/v1/partnerships/{pid}/members", invite)
    w.do(w.partners["c2"], f"/v1/partnerships/{pid}/join")
    w.do(w.broker, f"/v1/partnerships/{pid}/open-for-signature", opening)
    for key in ("p", "c", "e", "c2"):
        w.sign(w.partners[key], pid, draft["text_hash"])
    assert w.versions(pid)["partnership_status"] == "active"
    assert w.read(f"/v1/partnerships/{pid}/view")["status"] == "active"


# -- amendments and withdrawal -----------------------------------------------------------------


def test_amendments_and_a_withdrawal_leave_the_right_version_in_force(served: Served) -> None:
    w = Scene.on(served)

    # -- An amendment lacking a signature leaves the earlier version in force.
    # Given an amendment signed by a and b but not c
    pid = w.in_force()
    h2 = w.amend(pid, 1)
    for key in "ab":
        w.sign(w.partners[key], pid, h2)
    # Then v1 is still the version in force
    texts = w.versions(pid)
    assert (texts["agreement_in_force"], texts["partnership_status"]) == (1, "in_modification")
    assert w.version(pid, 1)["status"] == "in_force"
    # When c rejects it, Then the partnership is active on v1 and v2 is rejected
    w.do(w.partners["c"], f"/v1/partnerships/{pid}/reject-amendment")
    texts = w.versions(pid)
    assert (texts["agreement_in_force"], texts["partnership_status"]) == (1, "active")
    assert w.version(pid, 2)["status"] == "rejected"
    view = w.read(f"/v1/partnerships/{pid}/view")
    assert (view["status"], view["in_force_version"]) == ("active", 1)
    # And c's signature on the rejected text is refused
    w.refused(409, w.partners["c"], f"/v1/partnerships/{pid}/signatures", {"text_hash": h2})

    # -- An amendment on a stale base is refused.
    # Given version 2 in force
    pid = w.in_force()
    h2 = w.amend(pid, 1)
    for key in "abc":
        w.sign(w.partners[key], pid, h2)
    # When an amendment names version 1 as its base, Then it is refused; on 2 it is proposed
    stale = {"base_version": 1, "terms": terms("Stale")}
    w.refused(409, w.broker, f"/v1/partnerships/{pid}/amendments", stale)
    assert w.amend(pid, 2)

    # -- A withdrawn member can no longer act.
    # Given c confirmed one commitment and pledged another
    pid = w.in_force()
    confirmed, pledged = w.pledge("c", pid), w.pledge("c", pid, confirm=False)
    # When c withdraws, Then both commitments are released in the same command
    withdrawal = {"effective_date": "2026-11-01"}
    out = w.do(w.partners["c"], f"/v1/partnerships/{pid}/withdraw", withdrawal)
    assert sorted(out["released_commitments"]) == sorted([confirmed, pledged])
    assert out["exit_date"] == "2026-12-01"  # 30 days' notice in the terms
    for cid in (confirmed, pledged):
        assert w.events("commitments", cid)[-1] == "Released"
        assert w.commitment(cid)["status"] == "released"
    # And c can no longer act
    w.refused(409, w.partners["c"], f"/v1/partnerships/{pid}/commitments", pledge_body())
    # And a later amendment needs only a and b
    h2 = w.amend(pid, 1)
    w.refused(409, w.partners["c"], f"/v1/partnerships/{pid}/signatures", {"text_hash": h2})
    w.sign(w.partners["a"], pid, h2)
    assert w.sign(w.partners["b"], pid, h2)["entered_into_force"] is True


# -- commitments and deliveries ----------------------------------------------------------------


def test_deliveries_are_reported_by_the_committer_and_count_once_confirmed(
    served: Served,
) -> None:
    w = Scene.on(served)
    for key in "abc":
        w.org(key)
    a, b, c = (w.partners[key] for key in "abc")

    # -- Only the committing organisation reports its deliveries.
    # Given b's confirmed commitment
    pid = w.in_force()
    cid = w.pledge("b", pid)
    # When c or a report a delivery on it, Then they are refused; b's report is recorded
    for other in (c, a):
        body = {"quantity": "10", "delivered_on": DAY}
        w.refused(403, other, f"/v1/commitments/{cid}/deliveries", body)
    w.deliver("b", cid, "10")
    assert w.events("commitments", cid)[-1] == "DeliveryReported"

    # -- A disputed delivery counts only once corrected and confirmed.
    # Given b committed 100 hours to the pool (confirmed by b) and reported 60
    pid = w.in_force()
    cid = w.pledge("b", pid)
    first = w.deliver("b", cid, "60")
    deliveries = f"/v1/commitments/{cid}/deliveries"
    # When the lead (a) disputes it, Then it does not count
    w.do(a, f"{deliveries}/{first}/dispute", {"reason": "we counted 50"})
    assert w.commitment(cid)["delivered"] == "0"
    # When b corrects it to 50 and the lead confirms, Then 50 count
    w.do(b, f"{deliveries}/{first}/corrections", {"quantity": "50", "delivered_on": DAY})
    w.do(a, f"{deliveries}/{first}/confirm")
    commitment = w.commitment(cid)
    assert (commitment["delivered"], commitment["status"]) == ("50", "in_delivery")
    # When another 50 are reported and confirmed, Then fulfilment follows automatically
    second = w.deliver("b", cid, "50")
    assert w.do(a, f"{deliveries}/{second}/confirm")["status"] == "fulfilled"
    assert w.events("commitments", cid)[-2:] == ["DeliveryConfirmed", "Fulfilled"]

    # -- A delivery to a member is confirmed by that member.
    # Given b's expertise pledged to c, confirmed, and a delivery reported
    pid = w.in_force()
    expertise = {"value": "2", "unit": "day"}
    to_c: dict[str, Any] = {
        "contribution_type": "expertise",
        "quantity": expertise,
        "recipient": w.orgs["c"],
    }
    cid = w.pledge("b", pid, **to_c)
    delivery = w.deliver("b", cid, "2")
    confirm = f"/v1/commitments/{cid}/deliveries/{delivery}/confirm"
    # When the lead (a) confirms it, Then it is refused; when c does, it is fulfilled
    w.refused(403, a, confirm)
    w.do(c, confirm)
    assert w.commitment(cid)["status"] == "fulfilled"


# -- lineage, community-led partnerships, personal data ----------------------------------------


def test_transfers_partner_led_partnerships_and_erasable_contacts(served: Served) -> None:
    w = Scene.on(served)

    # -- A practice is transferred to another territory with lineage.
    # Given a partnership moving on
    pid = w.in_force()
    votes = {w.orgs[key]: "for" for key in "abc"}
    decision = {"body": "General assembly", "subject": {"action": "start_moving_on"}}
    decided = w.do(w.broker, f"/v1/partnerships/{pid}/decisions", {**decision, "votes": votes})
    w.do(
        w.broker, f"/v1/partnerships/{pid}/start-moving-on", {"decision_id": decided["decision_id"]}
    )
    transfers = f"/v1/partnerships/{pid}/transfers"
    # When the practice is "transferred" to the same territory, Then it is refused
    same = {"title": "Care", "need_statement": "Elders", "territory": TERRITORY}
    w.refused(409, w.broker, transfers, same)
    # When it is transferred to another territory
    there = {"title": "Care rounds ES", "need_statement": "Isolated elders"}
    new = w.do(w.broker, transfers, {**there, "territory": OTHER_TERRITORY})["new_partnership_id"]
    assert len(w.outcome["positions"]) == 2  # one event on each partnership, one transaction
    # Then a new partnership replicates the source, which records the transfer
    replica = w.read(f"/v1/partnerships/{new}/view")
    assert (replica["related"][0]["related_id"], replica["related"][0]["relation"]) == (
        pid,
        "replicates",
    )
    assert (replica["status"], replica["country"]) == ("scoping", "ES")
    assert w.events("partnerships", pid)[-1] == "PracticeTransferred"
    assert w.read(f"/v1/partnerships/{pid}/view")["related"][-1]["related_id"] == new

    # -- A partner-initiated partnership is led by its organisation.
    # Given a community organisation's partner
    org, community = w.org("community"), w.partners["community"]
    # When it initiates a partnership
    body = {
        "title": "Village kitchen",
        "need_statement": "No hot meals",
        "territory": TERRITORY,
        "partnership_type": "social_innovation",
    }
    pid = w.do(community, "/v1/partnerships", body)["partnership_id"]
    # Then its organisation is the active lead, and no broker is attached
    view = w.read(f"/v1/partnerships/{pid}/view")
    [member] = [m for m in view["members"] if m["organisation_id"] == org]
    assert view["lead_organisation"] == org
    assert (member["roles"], member["status"], view["brokers"]) == (["lead"], "active", [])
    # And as lead it invites others
    invite = {"organisation_id": w.org("b"), "roles": ["funder"], "weight": 1}
    w.do(community, f"/v1/partnerships/{pid}/members", invite)
    assert w.read(f"/v1/partnerships/{pid}/view")["status"] == "negotiating"

    # -- Contact details are erasable and never in events.
    # Given an organisation in a partnership, with contacts recorded by its partner and a broker
    pid = w.in_force()
    org, before = w.orgs["a"], w.head()
    contacts = f"/v1/organisations/{org}/contacts"
    name, email = f"Maria {uuid.uuid4().hex}", f"{uuid.uuid4().hex}@example.org"
    mine = w.partners["a"].post(contacts, {"name": name, "email": email, "role": "coordinator"})
    theirs = {"name": f"{name} II", "email": f"2{email}", "role": "cfo"}
    assert (mine.status, w.broker.post(contacts, theirs).status) == (201, 201)
    assert contact_names(w.partners["a"], contacts) == [name, f"{name} II"]
    # Then no event was recorded, and no event in the feed holds the name or the email
    assert w.head() == before
    feed = everything(w.admin)
    assert name not in feed and email not in feed
    # When the partner's contact is erased, Then it is gone and the log is unchanged
    erase = f"{contacts}/{mine.body['contact_id']}"
    assert w.partners["a"].request("DELETE", erase).status == 204
    assert contact_names(w.admin, contacts) == [f"{name} II"]
    assert w.head() == before
    assert w.events("partnerships", pid)[0] == "Initiated"
    # And another organisation's partner can neither record nor erase a's contacts
    w.refused(403, w.partners["b"], erase, method="DELETE")
    spy = {"name": "Eve", "email": "e@example.org", "role": "spy"}
    w.refused(403, w.partners["b"], contacts, spy)
    assert contact_names(w.admin, contacts) == [f"{name} II"]


def contact_names(who: Http, contacts: str) -> list[str]:
    reply = who.get(contacts)
    assert reply.status == 200, reply.body
    return sorted(c["name"] for c in reply.body["items"])


def everything(admin: Http) -> str:
    """The whole feed as an admin sees it, as JSON text."""
    pages: list[Any] = []
    after, head = 0, None
    while head is None or after < head:
        page = admin.get(f"/v1/events?after={after}&limit=1000").body
        pages.append(page["items"])
        after, head = page["next_after"], page["head"]
    return json.dumps(pages)

"""The world of the authorization matrix: one partnership P seen by every kind of caller.

Built through the application service, as tests/api/setup_partnership.py does. A cast of
actors and organisations is made once per app; on it, P is staged in one of a few variants
that put it in the state an operation needs (an amendment is rejected while one is
pending, a suspended partnership resumes...). Every variant has the same relations:

| key   | who                                                                  |
|-------|----------------------------------------------------------------------|
| anon  | no token                                                             |
| admin | an admin                                                             |
| brk   | P's partnership broker (it initiated P)                              |
| mnd   | a broker holding mandate M from b for P (acts with on_behalf_of b)   |
| brk0  | a broker holding no mandate (tries on_behalf_of b)                   |
| aud   | an auditor granted P (the target of the actor operations)            |
| aud0  | an auditor granted nothing                                           |
| a b c | partners of P's members: a leads; b pledged commitment C             |
| x     | a partner of organisation X, outside P (X leads partnership Q)       |
| w     | a partner of organisation W, a member that withdrew from P           |
| i     | a partner of organisation I, invited to P and not yet answering      |
| d     | a partner of organisation D, invited to P, which declined            |
| r     | a partner of organisation R, a member removed from P by decision     |
| mi    | a broker holding mandate MI from I for P (acts with on_behalf_of I)  |
| md    | a broker holding mandate MD from D for all of D's partnerships       |
| mw    | a broker holding mandate MW from W for P, granted before W left      |
| mr    | a broker holding mandate MR from R for P, granted before R's removal |

M, MW, MR and the auditor's grant come before W's exit; C (b's, to the pool, its period
ended), its reported delivery D, the decisions and the plans come after it. R is removed
once P is in force (the variants before entry into force have R still an active member),
after C and D: R sees C as it stood then, W does not see C at all.
"""

from __future__ import annotations

import io
import itertools
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask import Flask
from werkzeug.test import TestResponse

from api.service import Service
from collab.actors.commands import EnrolActor, GrantAudit
from collab.agreements.commands import (
    DraftVersion,
    OpenForSignature,
    ProposeAmendment,
    SignAgreement,
)
from collab.application import Collab
from collab.commands import Context
from collab.commitments.commands import (
    ConfirmCommitment,
    DisputeDelivery,
    Pledge,
    ProposeRevision,
    ReportDelivery,
)
from collab.documents.commands import AttachDocument
from collab.governance.commands import (
    AdmitMember,
    ApplyDecision,
    DecideMember,
    NotifyBreach,
    RecordDecision,
    SetIndicator,
    SetMilestone,
)
from collab.indicators.commands import ReportIndicator
from collab.organisations import contacts
from collab.organisations.commands import GrantMandate, RegisterOrganisation
from collab.partnerships.commands import (
    AssignBroker,
    DeclineInvitation,
    InitiatePartnership,
    InviteMember,
    JoinPartnership,
    WithdrawMembership,
)
from collab.practices.commands import AskPractice, PublishPractice
from collab.stores import StoreConfig
from collab.visibility import Ties
from projections.practices import practice_view
from tests.api.conftest import SECTOR_TYPES, TERRITORY, Auth, Caller, make_app, organisation_body
from tests.api.setup_partnership import command
from tests.application.budgets import plan as budget_plan
from tests.application.world import terms

CALLERS = (
    *("anon", "admin", "brk", "mnd", "brk0", "aud", "aud0", "a", "b", "c", "x", "w", "i"),
    *("d", "r", "mi", "md", "mw", "mr"),
)
# The organisation each broker names in `on_behalf_of` on a partnership's things.
ACTS_FOR = {"mnd": "b", "brk0": "b", "mi": "i", "md": "d", "mw": "w", "mr": "r"}
ENDED = {"start": "2029-01-01", "end": "2030-01-31"}  # before the test clock's today


@dataclass
class World:
    """One Flask app over a memory store, its callers and the ids of P's things."""

    app: Flask
    callers: dict[str, Caller] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)

    @property
    def service(self) -> Service:
        svc: Service = self.app.extensions["collab"]
        return svc

    @property
    def collab(self) -> Collab:
        return self.service.app

    def head(self) -> int:
        return self.collab.recorder.max_notification_id() or 0

    def as_(self, key: str, **options: Any) -> Context:
        return command(self.callers[key], **options)

    def register(self) -> str:
        out = self.collab.execute(
            self.as_("brk"),
            RegisterOrganisation(
                identifiers=[{"scheme": "PT-NIPPC", "id": uuid.uuid4().hex[:12]}],
                legal_name="An organisation",
                org_type=SECTOR_TYPES["civil_society"],
                sector="civil_society",
                territory=TERRITORY,
            ),
        )
        return str(out.result["organisation_id"])

    def initiate(self, by: str) -> str:
        out = self.collab.execute(
            self.as_(by),
            InitiatePartnership(
                title="Care rounds",
                need_statement="Isolated elders lack care",
                territory=TERRITORY,
                partnership_type="social_innovation",
            ),
        )
        return str(out.result["partnership_id"])

    def invite(self, key: str) -> None:
        roles = ["lead"] if key == "a" else ["implementer"]
        org, pid = self.ids[f"org:{key}"], self.ids["P"]
        self.collab.execute(
            self.as_("brk"), InviteMember(pid, organisation_id=org, roles=roles, weight=1)
        )

    def mandate(self, org: str, broker: str, *, scoped: bool = True) -> str:
        """Organisation `org` lets broker `broker` act for it, in P (or everywhere)."""
        out = self.collab.execute(
            self.as_(org),
            GrantMandate(
                self.ids[f"org:{org}"],
                broker_id=self.callers[broker].actor_id,
                partnership_id=self.ids["P"] if scoped else None,
            ),
        )
        return str(out.result["mandate_id"])

    def decide(self, action: str, organisation: str | None = None) -> str:
        """A passed decision of P's assembly (a, b and c vote for), recorded by the broker."""
        subject = {"action": action, "organisation_id": organisation}
        votes = {self.ids[f"org:{k}"]: "for" for k in ("a", "b", "c")}
        out = self.collab.execute(
            self.as_("brk"),
            RecordDecision(self.ids["P"], body="General assembly", subject=subject, votes=votes),
        )
        self.ids[f"decision:{action}"] = out.result["decision_id"]
        return str(out.result["decision_id"])

    def apply(self, action: str) -> None:
        did = self.decide(action)
        self.collab.execute(
            self.as_("brk"), ApplyDecision(self.ids["P"], action=action, decision_id=did)
        )

    def pledge(self, *, confirm: bool = True) -> str:
        """A commitment of b to the pool: 100 hours over a period that has ended."""
        quantity, valuation = {"value": "100", "unit": "hour"}, {"method": "not_valued"}
        out = self.collab.execute(
            self.as_("b"),
            Pledge(
                self.ids["P"],
                contribution_type="staff_time",
                quantity=quantity,
                valuation=valuation,
                period=ENDED,
            ),
        )
        if confirm:
            self.collab.execute(self.as_("b"), ConfirmCommitment(out.result["commitment_id"]))
        return str(out.result["commitment_id"])

    def deliver(self) -> str:
        out = self.collab.execute(
            self.as_("b"), ReportDelivery(self.ids["C"], quantity="10", delivered_on="2030-01-15")
        )
        return str(out.result["delivery_id"])


# -- building --------------------------------------------------------------------------


def cast() -> World:
    """A new app with the actors and organisations every variant shares."""
    world = World(make_app(StoreConfig("memory://")))
    auth = Auth(world.app)
    roles = ("admin", "broker", "broker", "broker", "auditor", "auditor")
    for key, role in zip(("admin", "brk", "mnd", "brk0", "aud", "aud0"), roles, strict=True):
        world.callers[key] = auth.actor(role)
    for key in ("mi", "md", "mw", "mr"):
        world.callers[key] = auth.actor("broker")
    for key in ("a", "b", "c", "x", "w", "i", "d", "r"):
        world.ids[f"org:{key}"] = world.register()
        world.callers[key] = auth.actor("partner", world.ids[f"org:{key}"])
    world.ids["Q"] = world.initiate("x")
    return world


def stage(shared: World, variant: str) -> World:
    """P, in the state `variant` names, on the shared app and cast."""
    world = World(shared.app, shared.callers, dict(shared.ids))
    VARIANTS[variant](world)
    return world


def staffed(world: World) -> None:
    """P negotiating v1: a (lead), b, c, w and r joined, d declined; M, MW, MR, MD; the
    auditor's grant."""
    world.ids["P"] = pid = world.initiate("brk")
    for key in ("a", "b", "c", "w", "r"):
        world.invite(key)
        world.collab.execute(world.as_(key), JoinPartnership(pid))
    world.invite("d")
    world.collab.execute(world.as_("d"), DeclineInvitation(pid))
    world.ids["M"] = world.mandate("b", "mnd")
    world.ids["MW"] = world.mandate("w", "mw")
    world.ids["MR"] = world.mandate("r", "mr")
    # A declined organisation may not open P through a broker; a mandate for all of its
    # partnerships shows the broker what D sees of P: its invitation.
    world.ids["MD"] = world.mandate("d", "md", scoped=False)
    auditor = world.callers["aud"].actor_id
    world.collab.execute(world.as_("admin"), GrantAudit(auditor, partnership_id=pid))
    drafted = world.collab.execute(world.as_("brk"), DraftVersion(pid, terms=terms()))
    world.ids["hash"] = drafted.result["text_hash"]


def negotiating(world: World) -> None:
    """P negotiating v1; i invited (MI); w withdrew."""
    staffed(world)
    world.invite("i")
    world.ids["MI"] = world.mandate("i", "mi")
    world.collab.execute(world.as_("w"), WithdrawMembership(world.ids["P"]))


def awaiting(world: World) -> None:
    negotiating(world)
    world.collab.execute(world.as_("brk"), OpenForSignature(world.ids["P"], agreement_version=1))


def active(world: World) -> None:
    """P active on v1; i admitted (invited, MI); w withdrew; then C and D; r removed; then
    decisions and plans."""
    staffed(world)
    pid, c = world.ids["P"], world.ids["org:c"]
    world.collab.execute(world.as_("brk"), OpenForSignature(pid, agreement_version=1))
    for key in ("a", "b", "c", "w", "r"):
        world.collab.execute(world.as_(key), SignAgreement(pid, text_hash=world.ids["hash"]))
    admit, org = world.decide("admit_member", world.ids["org:i"]), world.ids["org:i"]
    brk = world.as_("brk")
    world.collab.execute(
        brk, AdmitMember(pid, decision_id=admit, organisation_id=org, roles=["funder"], weight=1)
    )
    world.ids["MI"] = world.mandate("i", "mi")
    world.collab.execute(world.as_("w"), WithdrawMembership(pid))
    world.ids["C"] = world.pledge()
    world.ids["D"] = world.deliver()
    remove(world, "r")
    world.collab.execute(brk, SetMilestone(pid, title="First round", due_date="2030-09-01"))
    world.ids["I"] = world.collab.execute(
        brk,
        SetIndicator(pid, kind="output", name="Visits", unit="visit", baseline="0", target="12"),
    ).result["indicator_id"]
    first = {"start": "2024-10-01", "end": "2024-12-31"}  # report R of I (issue 15 part 5)
    world.ids["R"] = str(
        world.collab.execute(brk, ReportIndicator(pid, world.ids["I"], first, actual="3")).result[
            "report"
        ]
    )
    for action in ("suspend", "start_moving_on", "terminate"):
        world.decide(action)
    early = world.as_("brk", effective_date="2030-01-01")
    world.collab.execute(early, NotifyBreach(pid, organisation_id=c, remedy_days=30))
    world.decide("declare_defaulting", c)


def remove(world: World, key: str) -> None:
    """A member removed by decision: breach, remedy period passed, defaulting, removal."""
    pid, org, brk = world.ids["P"], world.ids[f"org:{key}"], world.as_("brk")
    early = world.as_("brk", effective_date="2030-01-01")
    world.collab.execute(early, NotifyBreach(pid, organisation_id=org, remedy_days=30))
    for action in ("declare_defaulting", "remove_member"):
        did = world.decide(action, org)
        world.collab.execute(
            brk, DecideMember(pid, action=action, organisation_id=org, decision_id=did)
        )


def amending(world: World) -> None:
    active(world)
    world.collab.execute(
        world.as_("brk"), ProposeAmendment(world.ids["P"], base_version=1, terms=terms("Amended"))
    )


def suspended(world: World) -> None:
    active(world)
    world.apply("suspend")
    world.decide("resume")


def moving_on(world: World) -> None:
    active(world)
    world.apply("start_moving_on")
    world.decide("conclude")


def defaulting(world: World) -> None:
    """c declared defaulting after its remedy period; decisions to remedy or remove it."""
    active(world)
    c, did = world.ids["org:c"], world.ids["decision:declare_defaulting"]
    world.collab.execute(
        world.as_("brk"),
        DecideMember(
            world.ids["P"], action="declare_defaulting", organisation_id=c, decision_id=did
        ),
    )
    world.decide("remedied", c)
    world.decide("remove_member", c)


VARIANTS: dict[str, Callable[[World], None]] = {
    "negotiating": negotiating,
    "awaiting": awaiting,
    "active": active,
    "amending": amending,
    "suspended": suspended,
    "moving_on": moving_on,
    "defaulting": defaulting,
}


# -- fresh targets: a success on them leaves P's things as they were ----------------------

Ids = dict[str, str]
Fresh = Callable[[World], Ids]


def fresh_org(world: World) -> Ids:
    return {"organisation_id": world.register()}


def fresh_broker(world: World) -> Ids:
    out = world.collab.execute(world.as_("admin"), EnrolActor(role="broker"))
    return {"broker": out.result["actor_id"]}


def fresh_assigned_broker(world: World) -> Ids:
    """A broker assigned to P by brk: the one a call unassigns."""
    broker = fresh_broker(world)["broker"]
    world.collab.execute(world.as_("brk"), AssignBroker(world.ids["P"], broker_id=broker))
    return {"broker_id": broker}


def fresh_budget_decision(world: World) -> Ids:
    """P's passed decision to set its budget: the one a call adopts a budget under."""
    return {"decision": world.decide("set_budget")}


def a_report(world: World) -> Ids:
    """A report of P whose bytes need nothing P may lack (an IATI activity needs a sector)."""
    return {"report": "commitments"}


def fresh_terms_decision(world: World) -> Ids:
    """P's passed decision to change c's terms of membership."""
    org = world.ids["org:c"]
    return {"organisation_id": org, "decision": world.decide("change_membership", org)}


WEIGHTS = itertools.count(2)  # each change of c's weight changes it


def partner_b(world: World) -> Ids:
    """The actor is b's partner (b was registered by brk): the target of a sign-in link."""
    return {"actor_id": world.callers["b"].actor_id}


def fresh_partnership(world: World) -> Ids:
    return {"other": world.initiate("brk0")}


def fresh_related(world: World) -> Ids:
    """A partnership P's stewards both see (brk brokers it; a is invited to it): a relation
    names only a partnership its author sees."""
    other = world.initiate("brk")
    invite = InviteMember(other, organisation_id=world.ids["org:a"], roles=["lead"], weight=1)
    world.collab.execute(world.as_("brk"), invite)
    return {"other": other}


def fresh_contact(world: World) -> Ids:
    admin, org = world.as_("admin"), world.ids["org:b"]
    contact = contacts.set_contact(
        world.collab, admin.actor, org, Ties(), name="Bo", email="bo@b.example", role="clerk"
    )
    return {"contact_id": contact.contact_id}


def fresh_token(world: World) -> Ids:
    svc = world.service
    _, info = svc.credentials.issue(world.callers["aud"].actor_id, "spare", svc.now(), 30)
    return {"token_id": info.token_id}


def fresh_admission(world: World) -> Ids:
    org = world.register()
    return {"admitted": org, "decision": world.decide("admit_member", org)}


def fresh_pledge(world: World) -> Ids:
    return {"commitment_id": world.pledge(confirm=False)}


def fresh_commitment(world: World) -> Ids:
    return {"commitment_id": world.pledge()}


def fresh_delivery(world: World) -> Ids:
    return {"delivery_id": world.deliver()}


def fresh_settlement(world: World) -> Ids:
    """A delivery of C that the lead disputes, and P's decision accepting it."""
    delivery_id = world.deliver()
    world.collab.execute(
        world.as_("a", reason="not seen"),
        DisputeDelivery(world.ids["C"], delivery_id=delivery_id),
    )
    subject = {"action": "accept_delivery", "commitment_id": world.ids["C"]}
    votes = {world.ids[f"org:{k}"]: "for" for k in ("a", "b", "c")}
    out = world.collab.execute(
        world.as_("brk"),
        RecordDecision(
            world.ids["P"],
            body="General assembly",
            subject={**subject, "delivery_id": delivery_id},
            votes=votes,
        ),
    )
    return {"delivery_id": delivery_id, "settlement": str(out.result["decision_id"])}


def fresh_revision(world: World) -> Ids:
    """A fresh commitment of b whose revision to 120 hours awaits the lead's answer."""
    commitment_id = world.pledge()
    out = world.collab.execute(
        world.as_("b", reason="more sessions"), ProposeRevision(commitment_id, quantity="120")
    )
    return {"commitment_id": commitment_id, "revision_id": str(out.result["revision_id"])}


def member(key: str) -> Fresh:
    return lambda world: {"organisation_id": world.ids[f"org:{key}"]}


def sealed(world: World) -> Ids:
    """A checkpoint signed now; `position`: P's first event (visible as P's content is)."""
    world.service.audit.sealer.seal()
    pid = uuid.UUID(world.ids["P"])
    stored = world.collab.recorder.select_notifications(1, world.head())
    return {"position": str(next(n.id for n in stored if n.originator_id == pid))}


# -- practices: P's and Q's, published by their decisions (DESIGN §8) ---------------------

FIGURES = ["sector_mix", "resources", "outcomes"]


def practice_fields(contact: str) -> dict[str, Any]:
    """A practice record whose contact is a role at organisation `contact`'s id ("{org:a}")."""
    return {
        "title": "Care rounds by the parish",
        "need": {"statement": "Elders alone miss care", "assessment": "A survey of 212 homes"},
        "territory": {"country": "PT", "nuts": "PT1C2", "kind": "rural"},
        "target_group": "People over 75 living alone",
        "themes": ["ageing"],
        "approach": "Weekly visits",
        "languages": ["pt"],
        "licence": "CC-BY-4.0",
        "contact": {"role": "Care coordinator", "organisation_id": contact},
        "evidence": {"level": 2, "basis": "Visits before and after"},
    }


def publishing(world: World, pid: str, by: str) -> str:
    """A passed decision of `pid` to publish a practice (every figure, to signed-in readers),
    every member in standing voting for."""
    subject = {"action": "publish_practice", "publishes": FIGURES, "audience": "signed_in"}
    members = world.collab.get_partnership(world.as_("admin").actor, pid).members
    votes = {org: "for" for org, m in members.items() if m.standing}
    out = world.collab.execute(
        world.as_(by), RecordDecision(pid, body="General assembly", subject=subject, votes=votes)
    )
    return str(out.result["decision_id"])


def fresh_publishing(world: World) -> Ids:
    """P's passed decision to publish a practice: the one a call publishes under."""
    return {"decision": publishing(world, world.ids["P"], "brk")}


def fresh_practice(world: World) -> Ids:
    """A practice P's broker published, a checkpoint over it, and a position it cites."""
    pid = world.ids["P"]
    decision = publishing(world, pid, "brk")
    fields = practice_fields(world.ids["org:a"])
    out = world.collab.execute(world.as_("brk"), PublishPractice(pid, decision, fields))
    world.service.audit.sealer.seal()
    practice_id = str(out.result["practice_id"])
    return {"practice_id": practice_id, "position": cited_by(world, practice_id)}


def fresh_version(world: World) -> Ids:
    return {**fresh_practice(world), **fresh_publishing(world)}


def cited_by(world: World, practice_id: str) -> str:
    """The position of the first event of P a practice's figures cite."""
    read = world.service.read
    with read.reader() as conn:
        view = practice_view(conn, read.tables, practice_id)
    assert view is not None
    return str(view["figures"]["sector_mix"]["rests_on"][0]["position"])


def foreign_in_force(world: World) -> str:
    """Q (x's partnership: X its lead, and Y) in force, once per cast."""
    q = world.ids["Q"]
    if world.collab.get_partnership(world.as_("admin").actor, q).status == "scoping":
        y = world.register()
        world.callers["y"] = Auth(world.app).actor("partner", y)
        invite = InviteMember(q, organisation_id=y, roles=["implementer"], weight=1)
        world.collab.execute(world.as_("x"), invite)
        world.collab.execute(world.as_("y"), JoinPartnership(q))
        drafted = world.collab.execute(world.as_("x"), DraftVersion(q, terms=terms()))
        world.collab.execute(world.as_("x"), OpenForSignature(q, agreement_version=1))
        for key in ("x", "y"):
            sign = SignAgreement(q, text_hash=drafted.result["text_hash"])
            world.collab.execute(world.as_(key), sign)
    return q


def fresh_foreign_practice(world: World) -> Ids:
    """A practice of Q (X its lead): one P may adopt or ask about."""
    q = foreign_in_force(world)
    decision = publishing(world, q, "x")
    fields = practice_fields(world.ids["org:x"])
    out = world.collab.execute(world.as_("x"), PublishPractice(q, decision, fields))
    return {"practice_id": str(out.result["practice_id"])}


def fresh_exchange(world: World) -> Ids:
    """P (its broker) asks a question about Q's practice: P's and Q's exchange."""
    practice = fresh_foreign_practice(world)
    out = world.collab.execute(
        world.as_("brk"), AskPractice(world.ids["P"], practice["practice_id"], "How?")
    )
    return {**practice, "exchange_id": str(out.result["exchange_id"])}


# -- the operations: how each documented endpoint is called --------------------------------


def report_r(world: World) -> Ids:
    """Indicator I and its report R (P's plans): no new target, the path's names."""
    return {"indicator_id": world.ids["I"], "report": world.ids["R"]}


def fresh_document(world: World) -> Ids:
    """A file in P's store, attached by the lead now (after every exit in the world)."""
    store = world.service.documents
    received = store.receive(io.BytesIO(b"%PDF-1.4 minutes " + uuid.uuid4().bytes))
    store.commit(received)
    world.collab.execute(
        world.as_("a"),
        AttachDocument(
            world.ids["P"],
            received.sha256,
            "minutes.pdf",
            "application/pdf",
            received.size,
            "need_assessment",
        ),
    )
    return {"sha256": received.sha256}


DAYS: list[str] = []


def next_day() -> str:
    """A day after every one reported before (and before the test clock's today): reports
    of an indicator follow each other, each once its period has ended."""
    DAYS.append((date(2025, 1, 1) + timedelta(days=len(DAYS))).isoformat())  # before today
    return DAYS[-1]


Body = dict[str, Any] | Callable[[], dict[str, Any]]


@dataclass(frozen=True)
class Op:
    """One documented endpoint, called well-formed on P's things.

    Path ids default to P, C, D, organisation b and mandate M; the actor is aud. In a body
    or a `query`, a string "{name}" stands for an id. `fresh` makes a new target for each
    call (a pledge to confirm, a token to revoke, a checkpoint to prove against): a success
    on it `keeps` the world for the other rows.
    """

    method: str
    path: str
    body: Body | None = None
    variant: str = "active"
    fresh: Fresh | None = None
    keeps: bool = False
    query: dict[str, str] | None = None
    # The partnership that acts is named in the body, not the path (publish, adopt, ask):
    # its visibility and authority are asked when the command is built, after the schema.
    body_target: bool = False
    # The body is multipart/form-data with a `file` part (a document upload), not JSON.
    multipart: bool = False

    @property
    def on_partnership(self) -> bool:
        return "{partnership_id}" in self.path or "{commitment_id}" in self.path

    @property
    def keeps_world(self) -> bool:
        return self.keeps or self.method == "GET"


def filled(value: Any, ids: Ids) -> Any:
    if isinstance(value, dict):
        return {filled(k, ids): filled(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [filled(v, ids) for v in value]
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    return value


GET, POST, DELETE = "GET", "POST", "DELETE"
P, C = "/v1/partnerships/{partnership_id}", "/v1/commitments/{commitment_id}"
ORG, ACTOR = "/v1/organisations/{organisation_id}", "/v1/actors/{actor_id}"
MEMBER, DELIVERY = P + "/members/{organisation_id}", C + "/deliveries/{delivery_id}"
NEW = {
    "title": "Care rounds",
    "need_statement": "Isolated elders lack care",
    "territory": TERRITORY,
    "partnership_type": "social_innovation",
}
VOTES = {"{org:a}": "for", "{org:b}": "for", "{org:c}": "for"}
PLEDGE = {
    "contribution_type": "staff_time",
    "quantity": {"value": "10", "unit": "hour"},
    "valuation": {"method": "not_valued"},
}
INDICATOR = {"kind": "outcome", "name": "Elders", "unit": "person", "baseline": "0", "target": "9"}
ADMISSION = {"decision_id": "{decision}", "organisation_id": "{admitted}", "roles": ["funder"]}
DELIVERED = {"quantity": "12", "delivered_on": "2030-01-15"}


PR, EX = "/v1/practices/{practice_id}", "/v1/exchanges/{exchange_id}"
ADOPTION = {
    "partnership_id": "{P}",
    "relation": "adapts",
    "territory": {"country": "ES", "kind": "rural"},
    "why": "Our elders too",
    "changes": "A cooperative runs it",
}


def decided(action: str) -> dict[str, Any]:
    return {"decision_id": f"{{decision:{action}}}"}


# fmt: off
OPERATIONS: dict[str, Op] = {
    "org.register": Op(POST, "/v1/organisations", organisation_body, keeps=True),
    "org.list": Op(GET, "/v1/organisations"),
    "org.show": Op(GET, ORG),
    "org.correct": Op(POST, ORG + "/corrections", {"changes": {"legal_name": "B2"}}, keeps=True),
    "org.classify": Op(POST, ORG + "/classification", {"org_type": 23, "sector": "civil_society"},
                       fresh=fresh_org, keeps=True),
    "org.deactivate": Op(POST, ORG + "/deactivation", {}, fresh=fresh_org, keeps=True),
    "org.grant_mandate": Op(POST, ORG + "/mandates",
                            {"broker_id": "{broker}", "partnership_id": "{P}"},
                            fresh=fresh_broker, keeps=True),
    "org.mandates": Op(GET, ORG + "/mandates"),
    "org.revoke_mandate": Op(POST, ORG + "/mandates/{mandate_id}/revocation", {}),
    "org.contacts": Op(GET, ORG + "/contacts"),
    "org.add_contact": Op(POST, ORG + "/contacts",
                          {"name": "Bea", "email": "bea@b.example", "role": "chair"}, keeps=True),
    "org.erase_contact": Op(DELETE, ORG + "/contacts/{contact_id}", fresh=fresh_contact,
                            keeps=True),
    "actor.create": Op(POST, "/v1/actors", {"name": "Bo", "role": "broker"}, keeps=True),
    "actor.me": Op(GET, "/v1/actors/me"),
    "actor.show": Op(GET, ACTOR),
    "actor.disable": Op(POST, ACTOR + "/disable", {}),
    "actor.grant": Op(POST, ACTOR + "/grants", {"partnership_id": "{other}"},
                      fresh=fresh_partnership, keeps=True),
    "actor.remove_grant": Op(POST, ACTOR + "/grants/removal", {"partnership_id": "{P}"}),
    "actor.issue_token": Op(POST, ACTOR + "/tokens", {"label": "cli"}, keeps=True),
    "actor.tokens": Op(GET, ACTOR + "/tokens"),
    "actor.signin_link": Op(POST, ACTOR + "/signin-links", {}, fresh=partner_b, keeps=True),
    "actor.revoke_token": Op(DELETE, ACTOR + "/tokens/{token_id}", fresh=fresh_token, keeps=True),
    "p.initiate": Op(POST, "/v1/partnerships", NEW, keeps=True),
    "p.list": Op(GET, "/v1/partnerships"),
    "p.assign_broker": Op(POST, P + "/brokers", {"broker_id": "{broker}"}, fresh=fresh_broker,
                          keeps=True),
    "p.unassign_broker": Op(POST, P + "/brokers/{broker_id}/unassign", {},
                            fresh=fresh_assigned_broker, keeps=True),
    "p.invite": Op(POST, P + "/members", {"organisation_id": "{organisation_id}",
                                          "roles": ["funder"], "weight": 1},
                   "negotiating", fresh_org, keeps=True),
    "p.join": Op(POST, P + "/join", {}),
    "p.decline": Op(POST, P + "/decline", {}),
    "p.withdraw": Op(POST, P + "/withdraw", {}),
    "p.correct": Op(POST, P + "/corrections", {"changes": {"title": "Care walks"}}, keeps=True),
    "p.cancel": Op(POST, P + "/cancel", {}, "negotiating"),
    "p.relate": Op(POST, P + "/relations", {"other_id": "{other}", "relation": "scales"},
                   fresh=fresh_related, keeps=True),
    "p.transfer": Op(POST, P + "/transfers", {**NEW, "territory": {"country": "ES"}},
                     "moving_on", keeps=True),
    "p.draft": Op(POST, P + "/versions", {"terms": terms("v2")}, "negotiating"),
    "p.versions": Op(GET, P + "/versions"),
    "p.open": Op(POST, P + "/open-for-signature", {"agreement_version": 1}, "negotiating"),
    "p.sign": Op(POST, P + "/signatures", {"text_hash": "{hash}"}, "awaiting"),
    "p.amend": Op(POST, P + "/amendments", {"base_version": 1, "terms": terms("v2")}),
    "p.reject_amendment": Op(POST, P + "/reject-amendment", {}, "amending"),
    "g.decide": Op(POST, P + "/decisions",
                   {"body": "Assembly", "subject": {"action": "other"}, "votes": VOTES},
                   keeps=True),
    "g.suspend": Op(POST, P + "/suspend", decided("suspend")),
    "g.resume": Op(POST, P + "/resume", decided("resume"), "suspended"),
    "g.start_moving_on": Op(POST, P + "/start-moving-on", decided("start_moving_on")),
    "g.conclude": Op(POST, P + "/conclude", decided("conclude"), "moving_on"),
    "g.terminate": Op(POST, P + "/terminate", decided("terminate")),
    "g.admit": Op(POST, P + "/admissions", {**ADMISSION, "weight": 1}, fresh=fresh_admission,
                  keeps=True),
    "g.breach": Op(POST, MEMBER + "/breaches", {"remedy_days": 30}, fresh=member("b"),
                   keeps=True),
    "g.change_membership": Op(POST, MEMBER + "/terms",
                              lambda: {"decision_id": "{decision}", "weight": next(WEIGHTS)},
                              fresh=fresh_terms_decision, keeps=True),
    "g.declare_defaulting": Op(POST, MEMBER + "/declare-defaulting",
                               decided("declare_defaulting"), fresh=member("c")),
    "g.remedied": Op(POST, MEMBER + "/remedied", decided("remedied"), "defaulting",
                     member("c")),
    "g.remove_member": Op(POST, MEMBER + "/remove-member", decided("remove_member"),
                          "defaulting", member("c")),
    "g.milestone": Op(POST, P + "/milestones", {"title": "Next", "due_date": "2030-12-01"},
                      keeps=True),
    "g.indicator": Op(POST, P + "/indicators", INDICATOR, keeps=True),
    "g.result": Op(POST, P + "/results",
                   lambda: {"indicator_id": "{I}", "actual": "7", "as_of": next_day()}, keeps=True),
    "g.report": Op(POST, P + "/indicators/{indicator_id}/reports",
                   lambda: {"period": {"start": next_day(), "end": next_day()}, "actual": "7"},
                   fresh=report_r, keeps=True),
    "g.correct_report": Op(POST, P + "/indicators/{indicator_id}/reports/{report}/corrections",
                           {"actual": "4", "reason": "recounted"}, fresh=report_r, keeps=True),
    "d.upload": Op(POST, P + "/documents", {"documents": "need_assessment"}, multipart=True,
                   keeps=True),
    "d.list": Op(GET, P + "/documents"),
    "d.download": Op(GET, P + "/documents/{sha256}", fresh=fresh_document, keeps=True),
    "b.adopt": Op(POST, P + "/budget", {"decision_id": "{decision}", "budget": budget_plan()},
                  fresh=fresh_budget_decision, keeps=True),
    "b.show": Op(GET, P + "/budget"),
    "b.rules": Op(GET, "/v1/budget-rules"),
    "rep.kinds": Op(GET, "/v1/reports"),
    "rep.export": Op(GET, P + "/reports/{report}", fresh=a_report),
    "c.pledge": Op(POST, P + "/commitments", PLEDGE, keeps=True),
    "c.show": Op(GET, C),
    "c.confirm": Op(POST, C + "/confirm", {}, fresh=fresh_pledge, keeps=True),
    "c.deliver": Op(POST, C + "/deliveries", DELIVERED, keeps=True),
    "c.confirm_delivery": Op(POST, DELIVERY + "/confirm", {}, fresh=fresh_delivery, keeps=True),
    "c.dispute_delivery": Op(POST, DELIVERY + "/dispute", {"reason": "not seen"},
                             fresh=fresh_delivery, keeps=True),
    "c.correct_delivery": Op(POST, DELIVERY + "/corrections", DELIVERED, keeps=True),
    "c.withdraw": Op(POST, C + "/withdraw", {"reason": "cannot"}, fresh=fresh_commitment,
                     keeps=True),
    "c.lapse": Op(POST, C + "/lapse", {}, fresh=fresh_commitment, keeps=True),
    "c.settle_delivery": Op(POST, DELIVERY + "/settle",
                            {"action": "accept_delivery", "decision_id": "{settlement}"},
                            fresh=fresh_settlement, keeps=True),
    "c.propose_revision": Op(POST, C + "/revisions", {"quantity": "120", "reason": "more"},
                             fresh=fresh_commitment, keeps=True),
    "c.agree_revision": Op(POST, C + "/revisions/{revision_id}/agree", {},
                           fresh=fresh_revision, keeps=True),
    "c.decline_revision": Op(POST, C + "/revisions/{revision_id}/decline", {},
                             fresh=fresh_revision, keeps=True),
    "v.view": Op(GET, P + "/view"),
    "v.history": Op(GET, P + "/history"),
    "v.fields": Op(GET, P + "/field-history"),
    "v.c_history": Op(GET, C + "/history"),
    "v.c_fields": Op(GET, C + "/field-history"),
    "v.org_fields": Op(GET, ORG + "/field-history"),
    "v.ledger": Op(GET, ORG + "/ledger"),
    "v.inbox": Op(GET, ORG + "/inbox"),
    "v.org_partnerships": Op(GET, ORG + "/partnerships"),
    "v.map": Op(GET, "/v1/collaboration-map"),
    "v.events": Op(GET, "/v1/events"),
    "audit.checkpoint": Op(GET, "/v1/audit/checkpoint", fresh=sealed),
    "audit.receipt": Op(GET, "/v1/audit/receipts/{position}", fresh=sealed),
    "audit.inclusion": Op(GET, "/v1/audit/proofs/inclusion", fresh=sealed,
                          query={"position": "{position}", "from_size": "1"}),
    "audit.consistency": Op(GET, "/v1/audit/proofs/consistency", fresh=sealed,
                            query={"from_size": "1"}),
    "audit.export": Op(GET, "/v1/audit/export", fresh=sealed),
    "pr.list": Op(GET, "/v1/practices"),
    "pr.vocabularies": Op(GET, "/v1/practices/vocabularies"),
    "pr.publish": Op(POST, "/v1/practices", {"partnership_id": "{P}", "decision_id": "{decision}",
                                             "practice": practice_fields("{org:a}")},
                     fresh=fresh_publishing, keeps=True, body_target=True),
    "pr.show": Op(GET, PR, fresh=fresh_practice),
    "pr.proof": Op(GET, PR + "/proofs/{position}", fresh=fresh_practice),
    "pr.lineage": Op(GET, PR + "/lineage", fresh=fresh_practice),
    "pr.similar": Op(GET, PR + "/similar", fresh=fresh_practice),
    "pr.version": Op(POST, PR + "/versions", {"decision_id": "{decision}",
                                              "practice": practice_fields("{org:a}")},
                     fresh=fresh_version, keeps=True),
    "pr.withdraw": Op(POST, PR + "/withdraw", {"reason": "outdated"}, fresh=fresh_practice,
                      keeps=True),
    "pr.adopt": Op(POST, PR + "/adoptions", ADOPTION, fresh=fresh_foreign_practice, keeps=True,
                   body_target=True),
    "pr.exchanges": Op(GET, PR + "/exchanges", fresh=fresh_exchange),
    "pr.ask": Op(POST, PR + "/exchanges", {"partnership_id": "{P}", "question": "How?"},
                 fresh=fresh_foreign_practice, keeps=True, body_target=True),
    "ex.show": Op(GET, EX, fresh=fresh_exchange),
    "ex.answer": Op(POST, EX + "/answer", {"answer": "Thus"}, fresh=fresh_exchange, keeps=True),
    "ex.decline": Op(POST, EX + "/decline", {"reason": "busy"}, fresh=fresh_exchange,
                     keeps=True),
    "p.exchanges": Op(GET, P + "/exchanges", fresh=fresh_exchange),
}
# fmt: on


def prepared(world: World, op: Op) -> Ids:
    """Every id a call may name: P's things, then the fresh targets of this call."""
    defaults = {
        "partnership_id": world.ids["P"],
        "commitment_id": world.ids.get("C", ""),
        "delivery_id": world.ids.get("D", ""),
        "organisation_id": world.ids["org:b"],
        "mandate_id": world.ids["M"],
        "actor_id": world.callers["aud"].actor_id,
    }
    return {**world.ids, **defaults, **(op.fresh(world) if op.fresh else {})}


def send(world: World, op: Op, caller: str, ids: Ids, *, malformed: bool = False) -> TestResponse:
    """Call `op` as `caller` with `ids`; `malformed`: with a body or query no schema takes.
    Brokers on a partnership's things name the organisation they act for (ACTS_FOR)."""
    path = op.path.format(**ids)
    headers = {} if caller == "anon" else world.callers[caller].headers()
    client = world.app.test_client()
    if op.body is None:
        query = {**filled(op.query or {}, ids), **({"unexpected": "1"} if malformed else {})}
        return client.open(path, method=op.method, query_string=query, headers=headers)
    body = filled(op.body() if callable(op.body) else op.body, ids)
    if caller in ACTS_FOR and (op.on_partnership or op.body_target):
        body["on_behalf_of"] = ids[f"org:{ACTS_FOR[caller]}"]
    if op.multipart:
        form = {"unexpected": "1"} if malformed else body
        form = {**form, "file": (io.BytesIO(b"%PDF-1.4 evidence"), "evidence.pdf")}
        return client.open(
            path, method=op.method, data=form, content_type="multipart/form-data", headers=headers
        )
    payload = {"unexpected": True} if malformed else body
    return client.open(path, method=op.method, json=payload, headers=headers)

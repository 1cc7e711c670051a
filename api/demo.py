"""`collab demo`: a CLLD local action group in a rural territory, seeded through the service."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from api.demo_learning import SEVILLA, share
from api.demo_money import adopt_budget, annex, evidence, grant
from collab.actors.commands import EnrolActor
from collab.actors.handlers import OPERATOR
from collab.agreements.commands import (
    DraftVersion,
    OpenForSignature,
    ProposeAmendment,
    SignAgreement,
)
from collab.application import Actor, Collab, Context
from collab.commitments.commands import (
    ConfirmCommitment,
    ConfirmDelivery,
    CorrectDelivery,
    DisputeDelivery,
    Pledge,
    ReportDelivery,
)
from collab.domain.commitment_rules import confirmed_total
from collab.domain.envelope import Role
from collab.domain.terms import Period, Quantity, Territory, Valuation
from collab.governance.commands import ApplyDecision, DecisionSubject, RecordDecision
from collab.organisations.commands import RegisterOrganisation
from collab.partnerships.commands import (
    InitiatePartnership,
    InviteMember,
    JoinPartnership,
    TransferPractice,
    WithdrawMembership,
)

ORGANISATIONS = [
    # key, legal name, IATI type, sector, identifier scheme, weight, roles
    (
        "municipality",
        "Câmara Municipal de Mértola",
        11,
        "public",
        "PT-NIPPC",
        2,
        ["lead", "funder"],
    ),
    (
        "health",
        "Unidade Local de Saúde do Baixo Alentejo",
        15,
        "public",
        "PT-NIPPC",
        1,
        ["implementer"],
    ),
    (
        "association",
        "Associação de Defesa do Património de Mértola",
        22,
        "civil_society",
        "PT-NIPPC",
        2,
        ["implementer"],
    ),
    (
        "cooperative",
        "Cooperativa Agrícola do Guadiana",
        90,
        "civil_society",
        "PT-NIPPC",
        1,
        ["implementer"],
    ),
    ("olive_mill", "Lagar do Vale do Guadiana, Lda.", 70, "private", "PT-NIPPC", 2, ["funder"]),
    (
        "transport",
        "Transportes Solidários do Sul, Lda.",
        70,
        "private",
        "PT-NIPPC",
        1,
        ["implementer"],
    ),
]
TERRITORY = Territory(country="PT", nuts="PT1C2", lau="0209")
SECOND_TERRITORY = Territory(country="PT", nuts="PT192", lau="0601")


def terms(
    vision: str, notice: int = 30, documents: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    listed = {"documents": documents} if documents else {}  # an annex, bound by signing
    return {
        **listed,
        "vision": vision,
        "shared_objectives": [
            "Weekly mobile care and grocery rounds to every village over 15 km from Mértola",
            "Train 12 local residents as community care assistants",
        ],
        "member_objectives": {},
        "governance": {"rule": "majority", "quorum": "50"},
        "review_schedule": "every six months",
        "exit_notice_days": notice,
        "moving_on_strategy": "replicate",
        "period": {"start": "2026-01-01", "end": "2028-12-31"},
    }


@dataclass
class Demo:
    app: Collab
    broker: Actor = field(default_factory=lambda: Actor(str(uuid.uuid4()), "broker"))
    orgs: dict[str, str] = field(default_factory=dict)
    partners: dict[str, Actor] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.broker = self.enrol("broker")

    def enrol(self, role: str, organisation_id: str | None = None) -> Actor:
        """An actor whose role is a recorded binding (as `collab actors create` makes)."""
        out = self.app.execute(
            Context(OPERATOR), EnrolActor(role=cast(Role, role), organisation_id=organisation_id)
        )
        return Actor(out.text("actor_id"), cast(Role, role), organisation_id)

    def by(self, key: str, **options: Any) -> Context:
        return Context(self.partners[key], **options)

    def register(self) -> None:
        for i, (key, name, kind, sector, scheme, _w, _r) in enumerate(ORGANISATIONS):
            out = self.app.execute(
                Context(self.broker),
                RegisterOrganisation(
                    identifiers=[{"scheme": scheme, "id": f"5{i}{uuid.uuid4().int % 10**10:010d}"}],
                    legal_name=name,
                    org_type=kind,
                    sector=sector,
                    territory=TERRITORY,
                ),
            )
            self.orgs[key] = out.text("organisation_id")
            self.partners[key] = self.enrol("partner", self.orgs[key])

    def found(self) -> str:
        out = self.app.execute(
            Context(self.broker),
            InitiatePartnership(
                title="Baixo Alentejo Mobile Care LAG",
                need_statement=(
                    "Older residents of scattered villages in Mértola lack regular access "
                    "to care and food shops."
                ),
                territory=TERRITORY,
                partnership_type="clld_lag",
                classifications=[
                    {"vocabulary": "sdg_goal", "code": "3"},
                    {"vocabulary": "nace", "code": "Q88.1"},
                    # OECD DAC 16010 Social protection: IATI asks for a DAC sector beside
                    # any other vocabulary (ruleset 102.1.1).
                    {"vocabulary": "dac5", "code": "16010"},
                ],
            ),
        )
        pid: str = out.text("partnership_id")
        for key, _n, _k, _s, _sc, weight, roles in ORGANISATIONS:
            self.app.execute(
                Context(self.broker),
                InviteMember(pid, organisation_id=self.orgs[key], roles=roles, weight=weight),
            )
            self.app.execute(self.by(key), JoinPartnership(pid))
        draft = self.app.execute(
            Context(self.broker), DraftVersion(pid, terms=terms("Nobody in Mértola ages alone."))
        )
        self.app.execute(Context(self.broker), OpenForSignature(pid, agreement_version=1))
        for key in self.orgs:
            self.app.execute(self.by(key), SignAgreement(pid, text_hash=draft.text("text_hash")))
        return pid

    def pledge(
        self, pid: str, key: str, kind: str, value: str, unit: str, recipient: str = "pool"
    ) -> str:
        out = self.app.execute(
            self.by(key),
            Pledge(
                pid,
                contribution_type=kind,
                quantity=Quantity(value=Decimal(value), unit=unit),
                valuation=Valuation(amount=None, currency=None, method="not_valued")
                if kind != "cash"
                else Valuation(amount=Decimal(value), currency=unit, method="actual_cost"),
                recipient=recipient,
                period=Period(start="2026-01-01", end="2026-12-31"),
            ),
        )
        cid: str = out.text("commitment_id")
        self.app.execute(self.by(key), ConfirmCommitment(cid))
        return cid

    def deliver(self, pid: str) -> str:
        """Pledges, deliveries, a dispute and its correction; the municipality's cash."""
        cash = self.pledge(pid, "municipality", "cash", "20000.00", "EUR")
        hours = self.pledge(pid, "association", "staff_time", "200", "hour")
        van = self.pledge(
            pid, "transport", "services", "48", "session", recipient=self.orgs["health"]
        )
        self.pledge(pid, "olive_mill", "premises", "120", "m2", recipient=self.orgs["association"])
        d = self.app.execute(
            self.by("association"),
            ReportDelivery(hours, quantity=Decimal("80"), delivered_on="2026-03-31"),
        )
        self.app.execute(
            self.by("municipality"), ConfirmDelivery(hours, delivery_id=d.text("delivery_id"))
        )
        d = self.app.execute(
            self.by("transport"),
            ReportDelivery(van, quantity=Decimal("48"), delivered_on="2026-06-30"),
        )
        self.app.execute(
            self.by("health", reason="only 40 rounds took place"),
            DisputeDelivery(van, delivery_id=d.text("delivery_id")),
        )
        self.app.execute(
            self.by("transport"),
            CorrectDelivery(
                van,
                delivery_id=d.text("delivery_id"),
                quantity=Decimal("40"),
                delivered_on="2026-06-30",
            ),
        )
        self.app.execute(self.by("health"), ConfirmDelivery(van, delivery_id=d.text("delivery_id")))
        d = self.app.execute(
            self.by("municipality"),
            ReportDelivery(cash, quantity=Decimal("20000.00"), delivered_on="2026-02-01"),
        )
        # The lead's own cash to the pool: a partnership broker confirms it, never the lead
        self.app.execute(
            Context(self.broker), ConfirmDelivery(cash, delivery_id=d.text("delivery_id"))
        )
        return cash

    def amend_and_withdraw(self, pid: str, annexes: list[dict[str, str]] | None = None) -> None:
        vision = "Nobody in Mértola ages alone."
        amendment = self.app.execute(
            Context(self.broker),
            ProposeAmendment(pid, base_version=1, terms=terms(vision, 60, annexes)),
        )
        for key in self.orgs:
            self.app.execute(
                self.by(key), SignAgreement(pid, text_hash=amendment.text("text_hash"))
            )
        self.pledge(pid, "cooperative", "volunteer_time", "300", "hour")
        self.app.execute(
            self.by("cooperative", reason="the cooperative is merging"), WithdrawMembership(pid)
        )

    def move_on(self, pid: str) -> str:
        voters = {
            self.orgs[k]: "for"
            for k in ("municipality", "health", "association", "olive_mill", "transport")
        }
        decision = self.app.execute(
            Context(self.broker),
            RecordDecision(
                pid,
                body="General assembly",
                subject=DecisionSubject("start_moving_on"),
                votes=voters,
            ),
        )
        self.app.execute(
            Context(self.broker),
            ApplyDecision(pid, action="start_moving_on", decision_id=decision.text("decision_id")),
        )
        out = self.app.execute(
            Context(self.broker),
            TransferPractice(
                pid,
                title="Pinhal Interior Mobile Care LAG",
                need_statement="Older residents of the Pinhal Interior face the same isolation.",
                territory=SECOND_TERRITORY,
            ),
        )
        new_id: str = out.text("new_partnership_id")
        return new_id


def money_lines(
    budget: dict[str, Any] | None, annexes: list[dict[str, str]], evidenced: bool
) -> list[str]:
    """The summary's budget and documents."""
    assert budget is not None
    plan = budget["budget"]
    matched = sum(1 for m in plan["match"] if m["source_id"] is not None)
    said = [
        f"budget version {budget['number']}: {len(plan['lines'])} lines, "
        + ", ".join(f"{s['name']} {s['rate']}%" for s in plan["sources"])
        + f"; {matched} contribution in kind counted as match funding",
    ]
    if annexes:
        said.append(f"annex {annexes[0]['sha256'][:12]}… listed in the terms of version 2")
    if evidenced:
        said.append("delivery evidence attached to the trainers' delivery")
    return said


def grant_line(app: Collab, demo: Demo, cid: str) -> str:
    """The summary's cash grant from a funder to a partner (a 360Giving grant)."""
    c = app.get_commitment(demo.broker, cid)
    paid = confirmed_total(c.deliveries.values())
    to = app.get_organisation(c.recipient).legal_name
    return f"cash grant to {to}: {paid} of {c.quantity['value']} {c.quantity['unit']} paid"


def run_demo(app: Collab) -> str:
    """Seed the scenario and return a short summary."""
    demo = Demo(app)
    demo.register()
    pid = demo.found()
    cash = demo.deliver(pid)
    granted = grant(demo, pid)
    trainers, delivery = adopt_budget(demo, pid, cash)
    evidenced = evidence(demo, pid, trainers, delivery)
    annexes = annex(demo, pid)
    demo.amend_and_withdraw(pid, annexes)
    new_id = demo.move_on(pid)
    learned = share(demo, pid)
    p = app.get_partnership(demo.broker, pid)
    lines = [
        f"partnership {pid}: {p.title} — {p.status}, agreement version {p.in_force} in force",
        "  members: "
        + ", ".join(
            f"{sum(1 for m in p.members.values() if m.status == s)} {s}"
            for s in ("active", "leaving", "withdrawn")  # leaving: notice given (60 days)
        ),
    ]
    for cid in p.commitments:
        c = app.get_commitment(demo.broker, cid)
        org = app.get_organisation(c.organisation_id).legal_name
        quantity = f"{c.quantity['value']} {c.quantity['unit']}"
        lines.append(f"  {org}: {c.contribution_type} {quantity} — {c.status}")
    lines.append(grant_line(app, demo, granted))
    lines.extend(money_lines(p.budget, annexes, evidenced))
    lines.append(f"practice transferred to {new_id} (territory {SECOND_TERRITORY['nuts']})")
    lines.append(
        f"practices published: {learned['care_rounds']} (to anyone), "
        f"{learned['care_assistants']} (to signed-in readers)"
    )
    lines.append(
        f"adapted in {SEVILLA['nuts']} by {learned['abroad']}: practice {learned['adaptation']}"
    )
    lines.append(f"learning exchange {learned['exchange']}: answered")
    lines.append(f"events recorded: {app.recorder.max_notification_id()}")
    return "\n".join(lines)

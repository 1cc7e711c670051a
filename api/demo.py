"""`collab demo`: a CLLD local action group in a rural territory, seeded through the service."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from collab.application import Actor, Collab, Command
from collab.use_cases.actors import OPERATOR

ORGANISATIONS = [
    # key, legal name, IATI type, sector, identifier scheme, weight, roles
    ("municipality", "Câmara Municipal de Mértola", 11, "public", "PT-NIPC", 2, ["lead", "funder"]),
    (
        "health",
        "Unidade Local de Saúde do Baixo Alentejo",
        15,
        "public",
        "PT-NIPC",
        1,
        ["implementer"],
    ),
    (
        "association",
        "Associação de Defesa do Património de Mértola",
        22,
        "civil_society",
        "PT-NIPC",
        2,
        ["implementer"],
    ),
    (
        "cooperative",
        "Cooperativa Agrícola do Guadiana",
        90,
        "civil_society",
        "PT-NIPC",
        1,
        ["implementer"],
    ),
    ("olive_mill", "Lagar do Vale do Guadiana, Lda.", 70, "private", "PT-NIPC", 2, ["funder"]),
    (
        "transport",
        "Transportes Solidários do Sul, Lda.",
        70,
        "private",
        "PT-NIPC",
        1,
        ["implementer"],
    ),
]
TERRITORY = {"country": "PT", "nuts": "PT184", "lau": "0209"}
SECOND_TERRITORY = {"country": "PT", "nuts": "PT16F", "lau": "0601"}


def terms(vision: str, notice: int = 30) -> dict[str, Any]:
    return {
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
        "period": {"start": "2027-01-01", "end": "2029-12-31"},
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
        out = self.app.enrol_actor(Command(OPERATOR), role=role, organisation_id=organisation_id)
        return Actor(out.result["actor_id"], role, organisation_id)  # type: ignore[arg-type]

    def by(self, key: str, **options: Any) -> Command:
        return Command(self.partners[key], **options)

    def register(self) -> None:
        for i, (key, name, kind, sector, scheme, _w, _r) in enumerate(ORGANISATIONS):
            out = self.app.register_organisation(
                Command(self.broker),
                identifiers=[{"scheme": scheme, "id": f"5{i}{uuid.uuid4().int % 10**10:010d}"}],
                legal_name=name,
                org_type=kind,
                sector=sector,
                territory=TERRITORY,
            )
            self.orgs[key] = out.result["organisation_id"]
            self.partners[key] = self.enrol("partner", self.orgs[key])

    def found(self) -> str:
        out = self.app.initiate_partnership(
            Command(self.broker),
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
            ],
        )
        pid: str = out.result["partnership_id"]
        for key, _n, _k, _s, _sc, weight, roles in ORGANISATIONS:
            self.app.invite_member(
                Command(self.broker),
                pid,
                organisation_id=self.orgs[key],
                roles=roles,
                weight=weight,
            )
            self.app.join_partnership(self.by(key), pid)
        draft = self.app.draft_version(
            Command(self.broker), pid, terms_=terms("Nobody in Mértola ages alone.")
        )
        self.app.open_for_signature(Command(self.broker), pid, agreement_version=1)
        for key in self.orgs:
            self.app.sign_agreement(self.by(key), pid, text_hash=draft.result["text_hash"])
        return pid

    def pledge(
        self, pid: str, key: str, kind: str, value: str, unit: str, recipient: str = "pool"
    ) -> str:
        out = self.app.pledge(
            self.by(key),
            pid,
            contribution_type=kind,
            quantity={"value": value, "unit": unit},
            valuation={"method": "not_valued"}
            if kind != "cash"
            else {"amount": value, "currency": unit, "method": "actual_cost"},
            recipient=recipient,
            period={"start": "2027-01-01", "end": "2027-12-31"},
        )
        cid: str = out.result["commitment_id"]
        self.app.confirm_commitment(self.by(key), cid)
        return cid

    def deliver(self, pid: str) -> None:
        cash = self.pledge(pid, "municipality", "cash", "20000.00", "EUR")
        hours = self.pledge(pid, "association", "staff_time", "200", "hour")
        van = self.pledge(
            pid, "transport", "services", "48", "session", recipient=self.orgs["health"]
        )
        self.pledge(pid, "olive_mill", "premises", "120", "m2", recipient=self.orgs["association"])
        d = self.app.report_delivery(
            self.by("association"), hours, quantity="80", delivered_on="2027-03-31"
        )
        self.app.confirm_delivery(
            self.by("municipality"), hours, delivery_id=d.result["delivery_id"]
        )
        d = self.app.report_delivery(
            self.by("transport"), van, quantity="48", delivered_on="2027-06-30"
        )
        self.app.dispute_delivery(
            self.by("health", reason="only 40 rounds took place"),
            van,
            delivery_id=d.result["delivery_id"],
        )
        self.app.correct_delivery(
            self.by("transport"),
            van,
            delivery_id=d.result["delivery_id"],
            quantity="40",
            delivered_on="2027-06-30",
        )
        self.app.confirm_delivery(self.by("health"), van, delivery_id=d.result["delivery_id"])
        d = self.app.report_delivery(
            self.by("municipality"), cash, quantity="20000.00", delivered_on="2027-02-01"
        )
        self.app.confirm_delivery(
            self.by("municipality"), cash, delivery_id=d.result["delivery_id"]
        )

    def amend_and_withdraw(self, pid: str) -> None:
        amendment = self.app.propose_amendment(
            Command(self.broker),
            pid,
            base_version=1,
            terms_=terms("Nobody in Mértola ages alone.", notice=60),
        )
        for key in self.orgs:
            self.app.sign_agreement(self.by(key), pid, text_hash=amendment.result["text_hash"])
        self.pledge(pid, "cooperative", "volunteer_time", "300", "hour")
        self.app.withdraw_membership(
            self.by("cooperative", reason="the cooperative is merging"), pid
        )

    def move_on(self, pid: str) -> str:
        voters = {
            self.orgs[k]: "for"
            for k in ("municipality", "health", "association", "olive_mill", "transport")
        }
        decision = self.app.record_decision(
            Command(self.broker),
            pid,
            body="General assembly",
            subject={"action": "start_moving_on"},
            votes=voters,
        )
        self.app.apply_decision(
            Command(self.broker),
            pid,
            action="start_moving_on",
            decision_id=decision.result["decision_id"],
        )
        out = self.app.transfer_practice(
            Command(self.broker),
            pid,
            title="Pinhal Interior Mobile Care LAG",
            need_statement="Older residents of the Pinhal Interior face the same isolation.",
            territory=SECOND_TERRITORY,
        )
        new_id: str = out.result["new_partnership_id"]
        return new_id


def run_demo(app: Collab) -> str:
    """Seed the scenario and return a short summary."""
    demo = Demo(app)
    demo.register()
    pid = demo.found()
    demo.deliver(pid)
    demo.amend_and_withdraw(pid)
    new_id = demo.move_on(pid)
    p = app.get_partnership(demo.broker, pid)
    lines = [
        f"partnership {pid}: {p.title} — {p.status}, agreement version {p.in_force} in force",
        f"  members: {sum(1 for m in p.members.values() if m['status'] == 'active')} active, "
        f"{sum(1 for m in p.members.values() if m['status'] == 'withdrawn')} withdrawn",
    ]
    for cid in p.commitments:
        c = app.get_commitment(demo.broker, cid)
        org = app.get_organisation(c.organisation_id).legal_name
        quantity = f"{c.quantity['value']} {c.quantity['unit']}"
        lines.append(f"  {org}: {c.contribution_type} {quantity} — {c.status}")
    lines.append(f"practice transferred to {new_id} (territory {SECOND_TERRITORY['nuts']})")
    lines.append(f"events recorded: {app.recorder.max_notification_id()}")
    return "\n".join(lines)

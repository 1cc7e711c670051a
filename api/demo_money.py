"""The demo's money and documents (DESIGN §9, issue 18): a budget with three funding
sources (ESF+ at its co-financing rate, the municipality, the partners' own resources), a
contribution in kind counted as ESF+ match funding and delivered, delivery evidence, and
an annex listed in the amended terms (so signing them binds it).

ESF+ rather than EAFRD LEADER carries the match in kind: the recorded EAFRD rules do not
say they accept contributions in kind (collab/data/fund_rules.json), and the training of
care assistants is what ESF+ pays for. Files go to the application's document store; an
application without one (the benchmarks, most tests) gets the budget without the files.
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from collab.application import Context
from collab.budgets.commands import AdoptBudget
from collab.commitments.commands import ConfirmCommitment, ConfirmDelivery, Pledge, ReportDelivery
from collab.documents.commands import AttachDocument
from collab.domain.terms import Period, Quantity, Valuation
from collab.governance.commands import DecisionSubject, RecordDecision

if TYPE_CHECKING:
    from api.demo import Demo

YEAR = {"start": "2026-01-01", "end": "2026-12-31"}
ANNEX = (
    "Annex I to the partnership agreement of the Baixo Alentejo Mobile Care LAG\n"
    "Budget and co-financing plan, 2026\n\n"
    "Line 'rounds' (running costs): mobile care and grocery rounds, EUR 30 000.00\n"
    "  Câmara Municipal de Mértola, municipal funds: EUR 24 000.00 (80 %)\n"
    "  Partners' own resources: EUR 6 000.00 (20 %)\n"
    "Line 'training' (implementation): training of 12 community care assistants, "
    "EUR 10 000.00\n"
    "  ESF+ (Alentejo 2030, less developed region): EUR 8 500.00 (85 %)\n"
    "  Match in kind: 100 hours of trainers' time of the Associação de Defesa do "
    "Património de Mértola, valued at EUR 1 500.00\n"
).encode()
EVIDENCE = (
    "Attendance sheets, training of community care assistants, Mértola, 2026\n"
    "Sessions held: 25 of 4 hours (100 hours), trainers of the Associação de Defesa do "
    "Património de Mértola; 12 trainees completed.\n"
).encode()


def line(line_id: str, category: str, description: str, amount: str) -> dict[str, Any]:
    return {
        "line_id": line_id,
        "category": category,
        "description": description,
        "period": YEAR,
        "amount": amount,
        "currency": "EUR",
    }


def source(
    source_id: str, kind: str, name: str, rate: str, funds: dict[str, str], **more: Any
) -> dict[str, Any]:
    return {
        "source_id": source_id,
        "kind": kind,
        "name": name,
        "rate": rate,
        "currency": "EUR",
        "funds": [{"line_id": k, "amount": x} for k, x in funds.items()],
        **more,
    }


def plan(demo: Demo, cash: str, trainers: str) -> dict[str, Any]:
    """Two lines, three sources; the municipality's cash on the rounds, the trainers'
    time in kind on the training, counted as ESF+ match funding."""
    return {
        "lines": [
            line("rounds", "running_costs", "Mobile care and grocery rounds", "30000.00"),
            line("training", "implementation", "Training of community care assistants", "10000"),
        ],
        "sources": [
            source(
                "esf",
                "esf_plus",
                "ESF+ Alentejo 2030 (CLLD)",
                "85",
                {"training": "8500.00"},
                region_category="less_developed",
            ),
            source(
                "municipality",
                "municipal",
                "Câmara Municipal de Mértola",
                "80",
                {"rounds": "24000.00"},
                organisation_id=demo.orgs["municipality"],
            ),
            source("own", "own", "Partners' own resources", "20", {"rounds": "6000.00"}),
        ],
        "match": [
            {"commitment_id": cash, "line_id": "rounds", "source_id": None},
            {"commitment_id": trainers, "line_id": "training", "source_id": "esf"},
        ],
    }


def trainers_time(demo: Demo, pid: str) -> tuple[str, str]:
    """The association's trainers' time, in kind and valued, delivered in full and
    confirmed by the lead (the pool's recipient): (commitment id, delivery id)."""
    out = demo.app.execute(
        demo.by("association"),
        Pledge(
            pid,
            contribution_type="staff_time",
            quantity=Quantity(value=Decimal("100"), unit="hour"),
            valuation=Valuation(amount=Decimal("1500.00"), currency="EUR", method="standard_rate"),
            period=Period(start=YEAR["start"], end=YEAR["end"]),
        ),
    )
    cid: str = out.text("commitment_id")
    demo.app.execute(demo.by("association"), ConfirmCommitment(cid))
    d = demo.app.execute(
        demo.by("association"),
        ReportDelivery(cid, quantity=Decimal("100"), delivered_on="2026-05-31"),
    )
    delivery: str = d.text("delivery_id")
    demo.app.execute(demo.by("municipality"), ConfirmDelivery(cid, delivery_id=delivery))
    return cid, delivery


def grant(demo: Demo, pid: str) -> str:
    """The municipality's cash grant to the association for the training of care
    assistants: confirmed, half paid and the payment confirmed by the association."""
    out = demo.app.execute(
        demo.by("municipality"),
        Pledge(
            pid,
            contribution_type="cash",
            quantity=Quantity(value=Decimal("5000.00"), unit="EUR"),
            valuation=Valuation(amount=Decimal("5000.00"), currency="EUR", method="actual_cost"),
            recipient=demo.orgs["association"],
            period=Period(start=YEAR["start"], end=YEAR["end"]),
            conditions="For the training of community care assistants",
        ),
    )
    cid: str = out.text("commitment_id")
    demo.app.execute(demo.by("municipality"), ConfirmCommitment(cid))
    d = demo.app.execute(
        demo.by("municipality"),
        ReportDelivery(cid, quantity=Decimal("2500.00"), delivered_on="2026-04-15"),
    )
    demo.app.execute(
        demo.by("association"), ConfirmDelivery(cid, delivery_id=d.text("delivery_id"))
    )
    return cid


def adopt_budget(demo: Demo, pid: str, cash: str) -> tuple[str, str]:
    """A general assembly's decision to set the budget, then the broker adopts it; the
    trainers' (commitment, delivery) ids."""
    trainers, delivery = trainers_time(demo, pid)
    decision = demo.app.execute(
        Context(demo.broker),
        RecordDecision(
            pid,
            body="General assembly",
            subject=DecisionSubject("set_budget"),
            votes=dict.fromkeys(demo.orgs.values(), "for"),
        ),
    )
    demo.app.execute(
        Context(demo.broker),
        AdoptBudget(pid, decision.text("decision_id"), plan(demo, cash, trainers)),
    )
    return trainers, delivery


def annex(demo: Demo, pid: str) -> list[dict[str, str]]:
    """The annex the amended terms list (signing them binds it), attached first to the
    agreement in force (terms list only their partnership's files); none without a store."""
    in_force = demo.app.get_partnership(demo.broker, pid).in_force
    name = "annex-1-budget.txt"
    sha = attached(demo, pid, ANNEX, name, "agreement_version", agreement_version=in_force)
    return [] if sha is None else [{"sha256": sha, "name": name}]


def evidence(demo: Demo, pid: str, commitment_id: str, delivery_id: str) -> bool:
    """The training's attendance sheets, attached to its delivery by the association."""
    refs = {"commitment_id": commitment_id, "delivery_id": delivery_id}
    name = "attendance-sheets-2026.txt"
    return attached(demo, pid, EVIDENCE, name, "delivery", "association", **refs) is not None


def attached(
    demo: Demo,
    pid: str,
    data: bytes,
    name: str,
    documents: str,
    by: str | None = None,
    **refs: Any,
) -> str | None:
    """A file stored and attached to the partnership (by a member, or the broker), as the
    API does it: a refused command leaves nothing behind. Its hash; None without a store."""
    store = demo.app.documents
    if store is None:
        return None
    received = store.receive(io.BytesIO(data))
    who = demo.by(by) if by else Context(demo.broker)
    try:
        demo.app.execute(
            who,
            AttachDocument(
                pid,
                sha256=received.sha256,
                name=name,
                media_type=received.media_type,
                size=received.size,
                documents=documents,
                **refs,
            ),
        )
    except BaseException:
        store.discard(received)
        raise
    store.commit(received)
    return received.sha256

"""The transactions of an IATI activity: each commitment as a pledge or a commitment, each
confirmed delivery of a valued commitment as incoming funds, a disbursement or an
expenditure, valued as the budget view values them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from collab.domain import budget as b
from collab.domain import commitment_rules as rules
from projections.reports.iati_orgs import org_attrs, org_name
from projections.reports.iati_xml import Element, comment, narrative, sub, value
from projections.reports.state import ReportState

# TransactionType codes.
INCOMING_FUNDS, DISBURSEMENT, EXPENDITURE = "1", "3", "4"
INCOMING_COMMITMENT, INCOMING_PLEDGE = "11", "13"
COMMITTED = ("confirmed", "in_delivery", "fulfilled", "lapsed")


@dataclass(frozen=True)
class Transaction:
    """One transaction, ready to write."""

    on: str
    ref: str
    kind: str
    amount: Decimal
    quantity: str
    commitment: dict[str, Any]


def commitment_transaction(c: dict[str, Any]) -> Transaction | None:
    """A pledge (13) or a commitment (11); None for one withdrawn or released (the views
    count it for nothing), not valued, or not yet dated."""
    kind = INCOMING_PLEDGE if c["status"] == "pledged" else None
    kind = INCOMING_COMMITMENT if c["status"] in COMMITTED else kind
    on = c["dates"].get("Pledged" if kind == INCOMING_PLEDGE else "Confirmed")
    if kind is None or on is None or c["valuation_amount"] is None:
        return None
    amount = Decimal(c["valuation_amount"])
    return Transaction(on, c["commitment_id"], kind, amount, c["quantity"], c)


def delivery_kind(c: dict[str, Any]) -> str:
    """Cash to the pool comes in; cash to an organisation is disbursed; in kind is spent."""
    if c["contribution_type"] != "cash":
        return EXPENDITURE
    return INCOMING_FUNDS if c["recipient"] == "pool" else DISBURSEMENT


def delivery_transactions(state: ReportState) -> list[Transaction]:
    """Each confirmed delivery of a valued commitment that counts (as the views count)."""
    found: list[Transaction] = []
    for c in state.commitments:
        if c["status"] not in b.COUNTED_OUT and c["valuation_amount"] is not None:
            mine = [d for d in state.deliveries if d["commitment_id"] == c["commitment_id"]]
            found += valued_deliveries(c, [d for d in mine if d["status"] == "confirmed"])
    return found


def valued_deliveries(c: dict[str, Any], confirmed: list[dict[str, Any]]) -> list[Transaction]:
    """The deliveries valued at their share of `commitment_rules.delivered_value`, taken
    cumulatively so the shares add up to the view's delivered figure; a delivery wholly
    beyond the committed quantity adds no value and is no transaction."""
    amount, committed = Decimal(c["valuation_amount"]), Decimal(c["quantity"])
    found: list[Transaction] = []
    quantity = before = Decimal(0)
    for d in confirmed:
        quantity += Decimal(d["quantity"])
        after = rules.delivered_value(amount, quantity, committed)
        if after > before:
            share = after - before
            kind = delivery_kind(c)
            found.append(
                Transaction(d["delivered_on"], d["delivery_id"], kind, share, d["quantity"], c)
            )
        before = after
    return found


def transactions_of(state: ReportState) -> tuple[list[Transaction], list[str]]:
    """Every transaction, by date then ref, and the commitments left out as not valued."""
    found = [t for c in state.commitments if (t := commitment_transaction(c))]
    unvalued = [
        c["commitment_id"]
        for c in state.commitments
        if c["valuation_amount"] is None and c["status"] not in b.COUNTED_OUT
    ]
    found += delivery_transactions(state)
    return sorted(found, key=lambda t: (t.on, t.ref)), sorted(unvalued)


def transactions(activity: Element, state: ReportState) -> None:
    found, unvalued = transactions_of(state)
    if unvalued:
        comment(
            activity,
            "commitments in kind not valued, so not IATI transactions (a transaction needs "
            "a value): " + ", ".join(unvalued),
        )
    for t in found:
        write(activity, state, t)


def write(activity: Element, state: ReportState, t: Transaction) -> None:
    c = t.commitment
    found = sub(activity, "transaction", ("ref", t.ref))
    sub(found, "transaction-type", ("code", t.kind))
    sub(found, "transaction-date", ("iso-date", t.on))
    value(found, t.amount, c["valuation_currency"], t.on)
    if c["contribution_type"] != "cash":
        what = (
            f"In kind: {c['contribution_type']}, {t.quantity} {c['unit']}, "
            f"valued at {c['valuation_method']}"
        )
        narrative(sub(found, "description"), what, "en")
    organisation(found, "provider-org", state, c["organisation_id"])
    if c["recipient"] != "pool":
        # The pool is the activity's own: its receiver is the reporting organisation.
        organisation(found, "receiver-org", state, c["recipient"])


def organisation(parent: Element, tag: str, state: ReportState, organisation_id: str) -> None:
    ref, kind = org_attrs(state.organisations.get(organisation_id))
    narrative(sub(parent, tag, ("ref", ref), ("type", kind)), org_name(state, organisation_id))

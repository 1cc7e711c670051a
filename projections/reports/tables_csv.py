"""CSV of a partnership's commitments, deliveries, budget lines and funding sources.

RFC 4180: UTF-8 without a byte-order mark (the issue asks for UTF-8; a BOM would end up in
the first header name for most parsers other than Excel), a header row, CRLF line ends.
Decimals are the views' text unchanged, dates YYYY-MM-DD. A text cell a spreadsheet would
read as a formula (OWASP "CSV injection") is prefixed with `'`; figures are never altered.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from collab.domain.commitment_rules import delivered_value
from projections.reports.state import ReportState
from projections.rows import dec

Row = dict[str, Any]
FORMULA = ("=", "+", "-", "@", "\t", "\r")

# The columns, in order (one list per report; `# fmt: off` keeps them a few lines long).
# fmt: off
COMMITMENTS = (
    "commitment_id", "organisation_id", "organisation_ref", "organisation_name", "recipient",
    "recipient_ref", "recipient_name", "contribution_type", "quantity", "unit",
    "valuation_amount", "valuation_currency", "valuation_method", "period_start", "period_end",
    "conditions", "status", "delivered", "confirmed", "fulfilment", "surplus", "pledged_on",
    "confirmed_on",
)
DELIVERIES = (
    "delivery_id", "commitment_id", "organisation_id", "organisation_name", "quantity", "unit",
    "delivered_on", "status", "correction_status", "correction_quantity",
    "correction_delivered_on", "valued_amount", "valuation_currency",
)
BUDGET = (
    "budget_version", "decision_id", "line_id", "category", "description", "period_start",
    "period_end", "currency", "budget", "committed", "delivered", "funded",
)
FUNDING = (
    "budget_version", "source_id", "kind", "name", "organisation_id", "organisation_name",
    "region_category", "variant", "rate", "max_rate", "rate_reached", "amount", "currency",
    "match_in_kind_committed", "match_in_kind_delivered", "within_max",
)
# fmt: on
# Free text a member typed (or the register holds): the cells the guard applies to.
FREE_TEXT = {"organisation_name", "recipient_name", "conditions", "description", "name"}


def commitments(state: ReportState, language: str) -> bytes:
    """One row per commitment, by commitment id."""
    return table(COMMITMENTS, [commitment_row(state, c) for c in state.commitments])


def deliveries(state: ReportState, language: str) -> bytes:
    """One row per delivery, by (delivered on, delivery id)."""
    by_id = {c["commitment_id"]: c for c in state.commitments}
    rows = [
        delivery_row(state, by_id[d["commitment_id"]], d)
        for d in state.deliveries
        if d["commitment_id"] in by_id
    ]
    return table(DELIVERIES, rows)


def budget(state: ReportState, language: str) -> bytes:
    """One row per budget line of the budget version adopted, by line id."""
    view = state.budget
    rows = [budget_row(view, x) for x in sorted(view["lines"], key=lambda x: x["line_id"])]
    return table(BUDGET, rows)


def funding(state: ReportState, language: str) -> bytes:
    """One row per funding source of the budget, by source id."""
    view = state.budget
    rows = [
        funding_row(state, view, s) for s in sorted(view["sources"], key=lambda s: s["source_id"])
    ]
    return table(FUNDING, rows)


def table(header: Sequence[str], rows: Iterable[Row]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: cell(k, row.get(k)) for k in header})
    return out.getvalue().encode("utf-8")


def cell(column: str, value: Any) -> str:
    """The value's text; free text that starts like a formula gets a leading `'`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if column in FREE_TEXT and text.startswith(FORMULA):
        return "'" + text
    return text


def names(state: ReportState, organisation_id: str | None) -> tuple[str | None, str | None]:
    """An organisation's (org-id, legal name) as the register holds them."""
    org = state.organisations.get(organisation_id or "")
    return (org.ref, org.legal_name) if org else (None, None)


def commitment_row(state: ReportState, c: Row) -> Row:
    ref, name = names(state, c["organisation_id"])
    to_ref, to_name = names(state, c["recipient"])
    return {
        **{k: c.get(k) for k in COMMITMENTS},
        "organisation_ref": ref,
        "organisation_name": name,
        "recipient_ref": to_ref,
        "recipient_name": to_name,
        "pledged_on": c["dates"].get("Pledged"),
        "confirmed_on": c["dates"].get("Confirmed"),
    }


def delivery_row(state: ReportState, c: Row, d: Row) -> Row:
    correction = d.get("correction")
    if isinstance(correction, str):  # live rows hold its JSON text, as-of rows parsed
        correction = json.loads(correction)
    return {
        **{k: d.get(k) for k in DELIVERIES},
        "organisation_id": c["organisation_id"],
        "organisation_name": names(state, c["organisation_id"])[1],
        "unit": c["unit"],
        "correction_status": (correction or {}).get("status"),
        "correction_quantity": (correction or {}).get("quantity"),
        "correction_delivered_on": (correction or {}).get("delivered_on"),
        **valued(c, d),
    }


def valued(c: Row, d: Row) -> Row:
    """A confirmed delivery's share of a valued commitment's valuation (invariant 6)."""
    if c["valuation_amount"] is None or d["status"] != "confirmed":
        return {}
    amount, quantity = Decimal(c["valuation_amount"]), Decimal(c["quantity"])
    share = delivered_value(amount, Decimal(d["quantity"]), quantity)
    return {"valued_amount": dec(share), "valuation_currency": c["valuation_currency"]}


def budget_row(view: Row, x: Row) -> Row:
    return {
        **{k: x.get(k) for k in BUDGET},
        "budget_version": view["number"],
        "decision_id": view["decision_id"],
        "period_start": (x.get("period") or {}).get("start"),
        "period_end": (x.get("period") or {}).get("end"),
    }


def funding_row(state: ReportState, view: Row, s: Row) -> Row:
    match = s.get("match_in_kind") or {}
    return {
        **{k: s.get(k) for k in FUNDING},
        "budget_version": view["number"],
        "organisation_name": names(state, s.get("organisation_id"))[1],
        "max_rate": (s.get("max_rate") or {}).get("value"),
        "match_in_kind_committed": match.get("committed"),
        "match_in_kind_delivered": match.get("delivered"),
    }

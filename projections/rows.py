"""Aggregate state → read-model rows (plain str / int / bool / None), and rows → views.

The same functions serve the live projection (rows written per batch) and the as-of
reader (rows computed in memory from a fold of raw events), so a view as of position N
and the live view captured at N are built by one code path from one kind of input.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from collab.domain import commitment_rules as rules
from collab.domain.commitment import Commitment
from collab.domain.organisation import Organisation
from collab.domain.partnership import Partnership
from collab.domain.partnership_values import record
from projections.balance import balance_of, current_limit
from projections.series import with_series

Rows = dict[str, list[dict[str, Any]]]
PARTNERSHIP_TABLES = (
    "partnerships",
    "brokers",
    "members",
    "versions",
    "signatures",
    "decisions",
    "milestones",
    "indicators",
    "related",
    "budgets",
)
COMMITMENT_TABLES = ("commitments", "deliveries")


def dec(value: Any) -> str | None:
    """Canonical decimal text: never a float."""
    return None if value is None else format(Decimal(value), "f")


def _json_default(value: Any) -> str:
    """Decimals as canonical text (never a float, never an exponent); ids and dates as text."""
    return format(value, "f") if isinstance(value, Decimal) else str(value)


# One encoder, reused: json.dumps builds a new one per call when given options.
_ENCODE = json.JSONEncoder(sort_keys=True, ensure_ascii=False, default=_json_default).encode


def js(value: Any) -> str:
    """Canonical-enough JSON text for a read-model column: keys sorted, decimals as text."""
    return _ENCODE(value)


def partnership_rows(p: Partnership, position: int) -> Rows:
    pid = str(p.id)
    in_force, pending = p.in_force_version(), p.text(p.pending)
    return {
        "partnerships": [
            {
                "partnership_id": pid,
                "title": p.title,
                "need_statement": p.need_statement,
                "country": p.territory["country"],
                "nuts": p.territory.get("nuts"),
                "lau": p.territory.get("lau"),
                "partnership_type": p.partnership_type,
                "status": p.status,
                "version": p.version,
                "in_force_version": p.in_force,
                "in_force_hash": in_force.hash if in_force else None,
                "pending_version": p.pending,
                "pending_hash": pending.hash if pending else None,
                "classifications": js(p.classifications),
                "brokers": js(p.brokers),
                "lead_organisation": p.lead_organisation(),
                "position": position,
            }
        ],
        "brokers": [{"partnership_id": pid, "broker_id": b} for b in p.brokers],
        "members": [
            {
                "partnership_id": pid,
                "organisation_id": org,
                "roles": js(list(m.roles)),
                "sector": m.sector,
                "interest_group": m.interest_group,
                "weight": m.weight,
                "signatory": m.signatory,
                "status": m.status,
                "needs_accession": m.needs_accession,
                "exit_date": m.exit_date,
                "admitted_by": m.admitted_by,
                "exit_version": m.exit_version,
            }
            for org, m in p.members.items()
        ],
        "versions": [
            {
                "partnership_id": pid,
                "number": ver.number,
                "text_hash": ver.hash,
                "status": ver.status,
                "base": ver.base,
                "terms": js(ver.terms),
            }
            for ver in p.versions
        ],
        "signatures": [
            {
                "partnership_id": pid,
                "text_hash": h,
                "organisation_id": org,
                "actor": s.actor,
                "mandate": s.mandate,
                "signed_at": s.signed_at,
            }
            for h, by in p.signatures.items()
            for org, s in by.items()
        ],
        "decisions": [
            {
                "partnership_id": pid,
                "decision_id": d_id,
                "action": d.action,
                "organisation_id": d.organisation,
                "body": d.body,
                "passed": d.passed,
                "used": d.used,
                "conflicts": js(list(d.conflicts)),
                "commitment_id": d.commitment,
                "delivery_id": d.delivery,
            }
            for d_id, d in p.decisions.items()
        ],
        "milestones": [{"partnership_id": pid, **record(m)} for m in p.milestones.values()],
        "indicators": [
            {
                "partnership_id": pid,
                "indicator_id": i.indicator_id,
                "kind": i.kind,
                "name": i.name,
                "unit": i.unit,
                "baseline": dec(i.baseline),
                "target": dec(i.target),
                "actual": dec(i.actual),
                "actual_as_of": i.actual_as_of,
            }
            for i in p.indicators.values()
        ],
        "related": [
            {
                "partnership_id": pid,
                "seq": n,
                "related_id": r.partnership,
                "relation": r.relation,
                "country": r.territory["country"] if r.territory else None,
                "nuts": r.territory.get("nuts") if r.territory else None,
            }
            for n, r in enumerate(p.related)
        ],
        "budgets": [
            {
                "partnership_id": pid,
                "number": p.budget["number"],
                "decision_id": p.budget["decision_id"],
                "budget": js(p.budget["budget"]),
            }
        ]
        if p.budget is not None
        else [],
    }


def commitment_rows(c: Commitment) -> Rows:
    cid = str(c.id)
    delivered = rules.reported_total(c.deliveries.values())
    confirmed, committed = c.confirmed_total(), c.committed()
    period = c.period or {}
    return {
        "commitments": [
            {
                "commitment_id": cid,
                "partnership_id": c.partnership_id,
                "organisation_id": c.organisation_id,
                "recipient": c.recipient,
                "contribution_type": c.contribution_type,
                "quantity": dec(c.quantity["value"]),
                "unit": c.quantity["unit"],
                "valuation_amount": dec(c.valuation["amount"]),
                "valuation_currency": c.valuation["currency"],
                "valuation_method": c.valuation["method"],
                "period_start": period.get("start"),
                "period_end": period.get("end"),
                "conditions": c.conditions,
                "status": c.status,
                "delivered": dec(delivered),
                "confirmed": dec(confirmed),
                "version": c.version,
                "fulfilment": dec(rules.fulfilment(confirmed, committed)),
                "surplus": dec(rules.surplus(confirmed, committed)),
                "revision": js(c.revision) if c.revision else None,
                "lapse_proposed": c.lapse_proposed,
            }
        ],
        "deliveries": [
            {
                "commitment_id": cid,
                "delivery_id": d_id,
                "quantity": dec(d["quantity"]),
                "delivered_on": d["delivered_on"],
                "note": d["note"],
                "status": d["status"],
                "reported_in": d["reported_in"],
                "correction": js(d["correction"]) if d.get("correction") else None,
            }
            for d_id, d in c.deliveries.items()
        ],
    }


def organisation_rows(o: Organisation) -> Rows:
    return {
        "organisations": [
            {
                "organisation_id": str(o.id),
                "legal_name": o.legal_name,
                "org_type": o.org_type,
                "sector": o.sector,
                "country": o.territory["country"],
                "nuts": o.territory.get("nuts"),
                "lau": o.territory.get("lau"),
                "active": o.active,
                "identifiers": js(o.identifiers),
                "version": o.version,
            }
        ],
        "mandates": [
            {
                "organisation_id": str(o.id),
                "mandate_id": mandate_id,
                "broker_id": m["broker"],
                "partnership_id": m["partnership"],
                "until": m["until"],
                "revoked": m["revoked"],
            }
            for mandate_id, m in o.mandates.items()
        ],
    }


def assemble(rows: Rows) -> dict[str, Any]:
    """The compiled partnership view (like an OCDS compiled release) from its rows."""
    head = dict(rows["partnerships"][0])
    head.pop("position")
    for name in ("classifications", "brokers"):
        head[name] = json.loads(head[name])
    by_org: dict[str, list[dict[str, Any]]] = {}
    for c in sorted(rows["commitments"], key=lambda r: r["commitment_id"]):
        deliveries = [d for d in rows["deliveries"] if d["commitment_id"] == c["commitment_id"]]
        by_org.setdefault(c["organisation_id"], []).append(commitment_view(c, deliveries))
    members = []
    for m in sorted(rows["members"], key=lambda r: r["organisation_id"]):
        org = m["organisation_id"]
        members.append(
            {
                **m,
                "roles": json.loads(m["roles"]),
                "commitments": by_org.get(org, []),
                "totals": totals(by_org.get(org, [])),
            }
        )

    def strip(table: str, *sort: str) -> list[dict[str, Any]]:
        out = [{k: v for k, v in r.items() if k != "partnership_id"} for r in rows[table]]
        return sorted(out, key=lambda r: tuple(str(r[s]) for s in sort))

    versions = strip("versions", "number")
    for ver in versions:
        ver["terms"] = json.loads(ver["terms"])
    limit = current_limit(head, versions)
    return {
        **head,
        "balance": balance_of(head["partnership_type"], members, limit),
        "members": members,
        "versions": versions,
        "signatures": strip("signatures", "text_hash", "organisation_id"),
        "decisions": [
            {**d, "conflicts": json.loads(d["conflicts"] or "[]")}
            for d in strip("decisions", "decision_id")
        ],
        "milestones": strip("milestones", "due_date", "milestone_id"),
        "indicators": with_series(
            strip("indicators", "indicator_id"), rows.get("indicator_reports", [])
        ),
        "related": strip("related", "seq"),
    }


def commitment_view(c: dict[str, Any], deliveries: list[dict[str, Any]]) -> dict[str, Any]:
    """A commitment row as views show it: its JSON columns read, its deliveries in order."""
    return {
        **c,
        "revision": loads(c.get("revision")),
        "deliveries": [
            {**d, "correction": loads(d.get("correction"))}
            for d in sorted(deliveries, key=lambda d: d["delivery_id"])
        ],
    }


def loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def totals(commitments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Committed / delivered / confirmed per contribution type and unit (no exchange rates),
    and the surplus confirmed beyond each commitment's quantity (invariant 6)."""
    sums: dict[tuple[str, str], list[Decimal]] = {}
    for c in commitments:
        if c["status"] in ("withdrawn", "released"):
            continue
        row = sums.setdefault((c["contribution_type"], c["unit"]), [Decimal(0)] * 4)
        for i, name in enumerate(("quantity", "delivered", "confirmed", "surplus")):
            row[i] += Decimal(c.get(name) or 0)
    return [
        {
            "contribution_type": kind,
            "unit": unit,
            "committed": dec(s[0]),
            "delivered": dec(s[1]),
            "confirmed": dec(s[2]),
            "surplus": dec(s[3]),
        }
        for (kind, unit), s in sorted(sums.items())
    ]

"""Commitments folded from the raw JSON, and the expected partnership view built from both."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from tests.projections.fold import Json, PartnershipFold, Raw, dec

CLOSED = {"withdrawn", "released"}  # such commitments leave the member's totals


def fold_commitment(events: Iterable[Raw]) -> Json:
    c: Json = {"revision": None, "lapse_proposed": None}
    deliveries: dict[str, Json] = {}
    for e in events:
        d = e.data
        c["version"] = e.version
        if e.name == "Pledged":
            c.update(commitment_id=e.stream, status="pledged", **pledge(d))
        elif e.name in AFTER_CONFIRMATION:
            after_confirmation(c, deliveries, e)
        elif e.name in ("DeliveryReported", "DeliveryCorrected"):
            c["status"] = "in_delivery" if e.name == "DeliveryReported" else c["status"]
            deliveries[d["delivery_id"]] = {
                "commitment_id": e.stream,
                "delivery_id": d["delivery_id"],
                "quantity": dec(d["quantity"]),
                "delivered_on": d["delivered_on"],
                "note": d["note"],
                "status": "reported",
                "reported_in": e.version,
                "correction": None,
            }
        elif e.name in ("DeliveryConfirmed", "DeliveryDisputed"):
            deliveries[d["delivery_id"]]["status"] = e.name.removeprefix("Delivery").lower()
        else:
            c["status"] = {
                "Confirmed": "confirmed",
                "Fulfilled": "fulfilled",
                "Withdrawn": "withdrawn",
                "Lapsed": "lapsed",
                "Released": "released",
            }[e.name]
    c["delivered"] = total(deliveries.values(), lambda s: s in ("reported", "confirmed"))
    c["confirmed"] = total(deliveries.values(), lambda s: s == "confirmed")
    confirmed, committed = Decimal(c["confirmed"]), Decimal(c["quantity"])
    c["surplus"] = format(max(confirmed - committed, Decimal(0)), "f")
    ratio = min(confirmed, committed) / committed
    c["fulfilment"] = format(ratio.quantize(Decimal("0.0001")), "f")
    c["deliveries"] = sorted(deliveries.values(), key=lambda d: d["delivery_id"])
    return c


AFTER_CONFIRMATION = {
    "ConfirmedDeliveryCorrected",
    "DeliveryCorrectionConfirmed",
    "DeliveryCorrectionDisputed",
    "DeliverySettled",
    "FulfilmentReopened",
    "RevisionProposed",
    "RevisionAgreed",
    "RevisionDeclined",
    "LapseProposed",
}


def after_confirmation(c: Json, deliveries: dict[str, Json], e: Raw) -> None:
    """Invariant 6 after confirmation, and the proposed lapse, as the events state them."""
    d = e.data
    one = deliveries.get(d.get("delivery_id", ""), {})
    if e.name == "ConfirmedDeliveryCorrected":
        fields = {"quantity": dec(d["quantity"]), "delivered_on": d["delivered_on"]}
        one["correction"] = {**fields, "note": d["note"], "status": "proposed"}
        one["correction"]["proposed_in"] = e.version
    elif e.name == "DeliveryCorrectionDisputed":
        one["correction"]["status"] = "disputed"
    elif e.name == "DeliveryCorrectionConfirmed" or (
        e.name == "DeliverySettled" and d["disputed"] == "correction" and d["accepted"]
    ):
        fix = one.pop("correction")
        one.update(correction=None, reported_in=fix.pop("proposed_in"))
        one.update({k: fix[k] for k in ("quantity", "delivered_on", "note")})
    elif e.name == "DeliverySettled" and d["disputed"] == "correction":
        one["correction"] = None
    elif e.name == "DeliverySettled":
        one["status"] = "confirmed" if d["accepted"] else "rejected"
    elif e.name == "FulfilmentReopened":
        c["status"] = "in_delivery"
    elif e.name == "RevisionProposed":
        c["revision"] = {
            "revision_id": d["revision_id"],
            "quantity": dec(d["quantity"]),
            "period": d["period"],
            "proposed_in": e.version,
        }
    elif e.name == "RevisionAgreed":
        agreed = c["revision"]
        if agreed["quantity"] is not None:
            c["quantity"] = agreed["quantity"]
            if c["contribution_type"] == "cash":
                c["valuation_amount"] = agreed["quantity"]
        if agreed["period"] is not None:
            c["period_start"], c["period_end"] = agreed["period"]["start"], agreed["period"]["end"]
            c["lapse_proposed"] = None
        c["revision"] = None
    elif e.name == "RevisionDeclined":
        c["revision"] = None
    else:  # LapseProposed
        c["lapse_proposed"] = d["period_end"]


def pledge(d: Json) -> Json:
    period = d["period"] or {}
    return {
        "partnership_id": d["partnership_id"],
        "organisation_id": d["organisation_id"],
        "recipient": d["recipient"],
        "contribution_type": d["contribution_type"],
        "quantity": dec(d["quantity"]["value"]),
        "unit": d["quantity"]["unit"],
        "valuation_amount": dec(d["valuation"].get("amount")),
        "valuation_currency": d["valuation"].get("currency"),
        "valuation_method": d["valuation"]["method"],
        "period_start": period.get("start"),
        "period_end": period.get("end"),
        "conditions": d["conditions"],
    }


def total(deliveries: Iterable[Json], counts: Any) -> str:
    return format(
        sum((Decimal(d["quantity"]) for d in deliveries if counts(d["status"])), Decimal(0)), "f"
    )


def totals(commitments: list[Json]) -> list[Json]:
    sums: dict[tuple[str, str], list[Decimal]] = {}
    for c in commitments:
        if c["status"] not in CLOSED:
            row = sums.setdefault((c["contribution_type"], c["unit"]), [Decimal(0)] * 4)
            for i, name in enumerate(("quantity", "delivered", "confirmed", "surplus")):
                row[i] += Decimal(c[name])
    return [
        {
            "contribution_type": kind,
            "unit": unit,
            **{
                n: format(v, "f")
                for n, v in zip(("committed", "delivered", "confirmed", "surplus"), s, strict=True)
            },
        }
        for (kind, unit), s in sorted(sums.items())
    ]


def balance(p: Json, members: dict[str, Json], versions: dict[int, Json]) -> Json:
    """Invariant 4 as the events state it: weight of members in standing by group, a
    public-sector member counted as a public authority, the limit from the current text."""
    weights: dict[str, int] = {}
    for m in members.values():
        if m["status"] in ("active", "defaulting", "leaving"):
            group = "public_authority" if m["sector"] == "public" else m["interest_group"]
            weights[group] = weights.get(group, 0) + m["weight"]
    # the strictest of the texts in force and open for signature; before any, the latest
    texts = [versions[n]["terms"] for n in (p["in_force"], p["pending"]) if n]
    if not texts and versions:
        texts = [versions[max(versions)]["terms"]]
    limit = min((Decimal(t.get("balance_limit", "49")) for t in texts), default=Decimal(49))
    total = sum(weights.values())
    # shares in tenths of a percent summing to 1000: floors, then the largest remainders
    tenths = {g: w * 1000 // total if total else 0 for g, w in weights.items()}
    behind = sorted(weights, key=lambda g: (-(weights[g] * 1000 % (total or 1)), g))
    for g in behind[: 1000 - sum(tenths.values()) if total else 0]:
        tenths[g] += 1
    groups = [
        {
            "group": g,
            "weight": w,
            "share": format(Decimal(tenths[g]) / 10, ".1f"),
            "over": Decimal(w) * 100 > limit * total,
        }
        for g, w in sorted(weights.items())
    ]
    lag = p["partnership_type"] == "clld_lag"
    return {
        "rule": "clld_interest_groups",
        "applies": lag,
        "limit": format(Decimal(limit), "f"),
        "holds": not any(g["over"] for g in groups) if lag else None,
        "groups": groups,
    }


def expected_view(pid: str, raws: list[Raw]) -> Json:
    """What the events say about one partnership, in the shape of `partnership_view`."""
    f = PartnershipFold()
    for e in raws:
        if e.stream == pid:
            f.apply(e)
    mine = {e.stream for e in raws if e.name == "Pledged" and e.data["partnership_id"] == pid}
    commitments = [fold_commitment(e for e in raws if e.stream == cid) for cid in sorted(mine)]
    p = f.p
    versions = f.versions
    return {
        "partnership_id": pid,
        "title": p["title"],
        "need_statement": p["need_statement"],
        "country": p["territory"]["country"],
        "nuts": p["territory"].get("nuts"),
        "lau": p["territory"].get("lau"),
        "partnership_type": p["partnership_type"],
        "status": p["status"],
        "version": p["version"],
        "in_force_version": p["in_force"],
        "in_force_hash": versions[p["in_force"]]["hash"] if p["in_force"] else None,
        "pending_version": p["pending"],
        "pending_hash": versions[p["pending"]]["hash"] if p["pending"] else None,
        "classifications": p["classifications"],
        "brokers": p["brokers"],
        "lead_organisation": next(
            (o for o, m in f.members.items() if "lead" in m["roles"] and m["status"] == "active"),
            None,
        ),
        "balance": balance(p, f.members, versions),
        "members": [member(pid, o, f.members[o], commitments) for o in sorted(f.members)],
        "versions": [
            {"number": n, "text_hash": v["hash"], "status": v["status"], "base": v["base"]}
            | {"terms": v["terms"]}
            for n, v in sorted(versions.items())
        ],
        "signatures": [
            {"text_hash": h, "organisation_id": o, **s}
            for (h, o), s in sorted(f.signatures.items())
        ],
        "decisions": [{"decision_id": i, **d} for i, d in sorted(f.decisions.items())],
        "milestones": sorted(
            f.milestones.values(), key=lambda m: (m["due_date"], m["milestone_id"])
        ),
        "indicators": [indicator(f.indicators[i]) for i in sorted(f.indicators)],
        "related": [related(n, r) for n, r in enumerate(f.related)],
    }


def member(pid: str, org: str, m: Json, commitments: list[Json]) -> Json:
    own = [c for c in commitments if c["organisation_id"] == org]
    return {
        "partnership_id": pid,
        "organisation_id": org,
        **{k: m[k] for k in ("roles", "sector", "interest_group", "weight", "signatory")},
        **{k: m[k] for k in ("status", "needs_accession", "admitted_by")},
        "exit_date": m.get("exit_date"),
        "exit_version": m.get("exit_version"),
        "commitments": own,
        "totals": totals(own),
    }


def indicator(i: Json) -> Json:
    return {
        **{k: i[k] for k in ("indicator_id", "kind", "name", "unit", "actual_as_of")},
        **{k: dec(i[k]) for k in ("baseline", "target", "actual")},
        "reports": len(i["series"]),
        # The latest 100 reported, by period
        "series": sorted(
            sorted(i["series"], key=lambda r: r["report"])[-100:],
            key=lambda r: (r["period_start"], r["period_end"], r["report"]),
        ),
    }


def related(seq: int, r: Json) -> Json:
    territory = r.get("territory") or {}
    return {
        "seq": seq,
        "related_id": r["partnership"],
        "relation": r["relation"],
        "country": territory.get("country"),
        "nuts": territory.get("nuts"),
    }

"""The budget view of a partnership (DESIGN §9): budget against committed against delivered
against funded, per line and per funding source, with the co-financing rate reached.

One view per partnership, computed from its rows when asked (live, or as of a position:
the same rows `assemble` reads), never stored. Committed: the current valuation of the
commitments the budget places on a line, withdrawn and released ones counting for
nothing; delivered: the valued part delivered and confirmed (`commitment_rules.
delivered_value`); funded: what the sources put on the line. No exchange rates: totals
per currency. The funds' rules come from `reference.fund_rules` through `budget`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from decimal import Decimal, localcontext
from typing import Any

from sqlalchemy import Connection

from collab.domain import budget as b
from collab.domain import commitment_rules as rules
from collab.domain import reference
from collab.domain.errors import NotFoundError
from projections.rows import Rows, dec
from projections.tables import Tables
from projections.views import partnership_rows_from
from projections.visibility import Viewer, window

ZERO = Decimal(0)
CENT = Decimal("0.01")
Figures = dict[str, Decimal]


def budget_for(
    conn: Connection, t: Tables, viewer: Viewer, pid: str, rows_at: Callable[[str, int], Rows]
) -> dict[str, Any]:
    """The budget view as this caller may see it: live, or as at its exit for a former
    member (404 for a caller who does not see the partnership's content)."""
    win = window(conn, t, viewer, pid)
    if not win.content:
        raise NotFoundError(f"no partnership {pid}")
    if win.current:
        return budget_view(partnership_rows_from(conn, t, pid))
    assert win.until is not None
    return budget_view(rows_at(pid, win.until))


def budget_view(rows: Rows) -> dict[str, Any]:
    head = rows["partnerships"][0]
    view: dict[str, Any] = {"partnership_id": head["partnership_id"], "number": None}
    if not rows.get("budgets"):
        return {**view, "decision_id": None, "lines": [], "sources": [], "totals": []}
    found = rows["budgets"][0]
    plan = json.loads(found["budget"])
    worth = {c["commitment_id"]: value_of(c) for c in rows["commitments"]}
    with localcontext() as ctx:
        ctx.prec = 80  # sums of 2000 amounts of 18 + 6 digits are exact
        lines = {x["line_id"]: line_figures(x, plan, worth) for x in plan["lines"]}
        sources = [source_view(s, plan, lines, worth) for s in plan["sources"]]
        totals = currency_totals(plan["lines"], lines)
    return {
        **view,
        "number": found["number"],
        "decision_id": found["decision_id"],
        "lines": [line_view(x, lines[x["line_id"]], plan) for x in plan["lines"]],
        "sources": sources,
        "totals": totals,
    }


def value_of(c: dict[str, Any]) -> tuple[Decimal, Decimal]:
    """A commitment's (committed, delivered) value: nothing withdrawn, released or unvalued."""
    if c["status"] in b.COUNTED_OUT or c["valuation_amount"] is None:
        return ZERO, ZERO
    amount = Decimal(c["valuation_amount"])
    confirmed, quantity = Decimal(c["confirmed"]), Decimal(c["quantity"])
    return amount, rules.delivered_value(amount, confirmed, quantity)


def line_figures(
    line: dict[str, Any], plan: dict[str, Any], worth: dict[str, tuple[Decimal, Decimal]]
) -> Figures:
    lid = line["line_id"]
    placed = [
        worth.get(m["commitment_id"], (ZERO, ZERO)) for m in plan["match"] if m["line_id"] == lid
    ]
    funds = (
        Decimal(f["amount"]) for s in plan["sources"] for f in s["funds"] if f["line_id"] == lid
    )
    return {
        "budget": Decimal(line["amount"]),
        "committed": sum((c for c, _ in placed), ZERO),
        "delivered": sum((d for _, d in placed), ZERO),
        "funded": sum(funds, ZERO),
    }


def text(figures: Figures) -> dict[str, str | None]:
    return {k: dec(x) for k, x in figures.items()}


def line_view(line: dict[str, Any], figures: Figures, plan: dict[str, Any]) -> dict[str, Any]:
    placed = [m["commitment_id"] for m in plan["match"] if m["line_id"] == line["line_id"]]
    return {**line, **text(figures), "commitments": sorted(placed)}


def added(figures: Iterable[Figures], names: tuple[str, ...]) -> Figures:
    out = dict.fromkeys(names, ZERO)
    for f in figures:
        for name in names:
            out[name] += f[name]
    return out


def source_view(
    s: dict[str, Any],
    plan: dict[str, Any],
    lines: dict[str, Figures],
    worth: dict[str, tuple[Decimal, Decimal]],
) -> dict[str, Any]:
    """A source's amount and stated rate; its lines' budget, committed and delivered; the
    match in kind counted for it; the rate reached (its share, in percent, of what
    finances its lines: every source's funds on them and the match in kind delivered on
    them, or only the public sources' funds where its rules record a public-expenditure
    base) against the fund's recorded maximum; the in-kind ceiling's result."""
    own = [f["line_id"] for f in s["funds"]]
    amount = sum((Decimal(f["amount"]) for f in s["funds"]), ZERO)
    spent = added((lines[lid] for lid in own), ("budget", "committed", "delivered"))
    matched = [worth.get(m["commitment_id"], (ZERO, ZERO)) for m in plan["match"]]
    matched = [
        w for m, w in zip(plan["match"], matched, strict=True) if m["source_id"] == s["source_id"]
    ]
    in_kind = {"committed": sum((c for c, _ in matched), ZERO)}
    in_kind["delivered"] = sum((d for _, d in matched), ZERO)
    financed = financing(plan, s, worth)
    reached = (amount * 100 / financed).quantize(CENT) if financed else None
    top = b.ceiling(s["kind"], s["region_category"], s["variant"])
    within = None
    if top is not None and top["value"] is not None and reached is not None:
        within = reached <= Decimal(top["value"])
    return {
        **{k: s[k] for k in ("source_id", "kind", "name", "organisation_id", "region_category")},
        **{k: s[k] for k in ("variant", "currency", "rate")},
        "eu_rules": b.rules_of(s["kind"])["eu_rules"],
        "amount": dec(amount),
        "funds": s["funds"],
        "lines": text(spent),
        "match_in_kind": text(in_kind),
        "rate_reached": dec(reached),
        "max_rate": top,
        "within_max": within,
        "in_kind_ceiling": ceiling_result(s, plan, lines, worth),
    }


def financing(
    plan: dict[str, Any], s: dict[str, Any], worth: dict[str, tuple[Decimal, Decimal]]
) -> Decimal:
    """What finances the source's lines so far (`budget.financing`): every source's funds
    on them, and the match in kind delivered (and confirmed) on them; where its rules
    record a public-expenditure base (the EAFRD), only the public sources' funds. Match
    not yet delivered finances nothing."""
    own = {f["line_id"] for f in s["funds"]}
    delivered = sum(
        (
            worth.get(m["commitment_id"], (ZERO, ZERO))[1]
            for m in plan["match"]
            if m["source_id"] is not None and m["line_id"] in own
        ),
        ZERO,
    )
    return b.financing(plan["sources"], own, delivered, s["kind"])


def ceiling_result(
    s: dict[str, Any],
    plan: dict[str, Any],
    lines: dict[str, Figures],
    worth: dict[str, tuple[Decimal, Decimal]],
) -> dict[str, Any] | None:
    """The in-kind ceiling the source's rules record (CPR art. 67(1)(a)), checked on the
    plan: the public sources' funds on the source's lines against those lines' budget less
    the contributions in kind counted as match on them. None where no such rule applies."""
    rule_id = b.rules_of(s["kind"])["in_kind_ceiling"]
    if rule_id is None:
        return None
    rule = reference.fund_rules()["in_kind_ceilings"][rule_id]
    own = {f["line_id"] for f in s["funds"]}
    public = sum(
        (
            Decimal(f["amount"])
            for x in plan["sources"]
            if b.rules_of(x["kind"])["public"] is True
            for f in x["funds"]
            if f["line_id"] in own
        ),
        ZERO,
    )
    eligible = sum((lines[lid]["budget"] for lid in own), ZERO)
    in_kind = sum(
        (
            worth.get(m["commitment_id"], (ZERO, ZERO))[0]
            for m in plan["match"]
            if m["source_id"] is not None and m["line_id"] in own
        ),
        ZERO,
    )
    return {
        "rule": rule_id,
        "source": rule["source"],
        "verified": rule["verified"],
        "public_support": dec(public),
        "eligible_expenditure": dec(eligible),
        "in_kind": dec(in_kind),
        "holds": public <= eligible - in_kind,
    }


def currency_totals(found: list[dict[str, Any]], lines: dict[str, Figures]) -> list[dict[str, Any]]:
    by: dict[str, list[Figures]] = {}
    for x in found:
        by.setdefault(x["currency"], []).append(lines[x["line_id"]])
    names = ("budget", "committed", "delivered", "funded")
    return [{"currency": k, **text(added(fs, names))} for k, fs in sorted(by.items())]

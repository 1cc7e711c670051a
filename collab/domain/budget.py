"""A partnership's budget version (DESIGN §9): lines by cost category and period, funding
sources with the co-financing rates they commit, and which commitments go on which line
and count as match funding in kind.

Pure checks of values (docs/budget.md explains the vocabularies). `checked` gives the
canonical budget an event stores (decimals as text) or a 422 naming the field;
`check_rules`, `check_match` and `check_financing` apply the funds' rules (409). Every
rate and rule comes from `collab/data/fund_rules.json` (`reference.fund_rules`), never
from this module.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from collab.domain import reference, terms
from collab.domain import values as v
from collab.domain.errors import InvalidInputError, RuleViolationError

Record = dict[str, Any]

# CLLD cost categories of Reg. (EU) 2021/1060 art. 34(1), then plain kinds of cost.
CATEGORIES = (
    "preparatory_support",
    "implementation",
    "cooperation",
    "running_costs",
    "animation",
    "staff",
    "travel",
    "equipment",
    "external_services",
    "works",
    "other",
)
# The kinds of funding source, as fund_rules.json lists them (a test keeps them in step).
SOURCE_KINDS = (
    "eafrd",
    "esf_plus",
    "erdf",
    "emfaf",
    "national",
    "regional",
    "municipal",
    "private",
    "own",
)
REGION_CATEGORIES = ("less_developed", "transition", "more_developed", "outermost")
MAX_LINES, MAX_SOURCES, MAX_MATCH = 200, 50, 2000
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
# A commitment that counts for nothing (as the partnership view's totals leave it out).
COUNTED_OUT = ("withdrawn", "released")
CENT = Decimal("0.01")

LINE_FIELDS = ("line_id", "category", "description", "period", "amount", "currency")
SOURCE_FIELDS: tuple[str, ...] = ("source_id", "kind", "name", "organisation_id")
SOURCE_FIELDS += ("region_category",)
SOURCE_FIELDS += ("variant", "rate", "currency", "funds")
SOURCE_REQUIRED = ("source_id", "kind", "name", "rate", "currency")
MATCH_FIELDS = ("commitment_id", "line_id", "source_id")


def rules_of(kind: str) -> Record:
    """The recorded rules of a kind of source (fund_rules.json)."""
    found: Record = reference.fund_rules()["sources"][kind]
    return found


def money(value: object, field: str) -> str:
    """An amount above zero, as canonical decimal text."""
    return format(v.decimal(value, field, positive=True), "f")


def slug(value: object, field: str) -> str:
    return v.pattern(value, field, SLUG_RE, "a short id: a-z, 0-9, '_' or '-', up to 40")


def items(value: object, field: str, most: int, *, least: int = 0) -> list[Any]:
    if value is None and least == 0:
        return []
    if not isinstance(value, list | tuple) or not least <= len(value) <= most:
        raise InvalidInputError(field, f"must be a list of {least} to {most} items")
    return list(value)


def unique(found: list[Record], key: str, field: str) -> None:
    ids = [x[key] for x in found]
    if len(set(ids)) != len(ids):
        raise InvalidInputError(field, f"names a {key} twice")


def line(value: object, field: str) -> Record:
    data = v.mapping(value, field, LINE_FIELDS, LINE_FIELDS)
    return {
        "line_id": slug(data["line_id"], f"{field}.line_id"),
        "category": v.choice(data["category"], f"{field}.category", CATEGORIES),
        "description": v.text(data["description"], f"{field}.description", max_length=v.LONG),
        "period": terms.plain(terms.period(data["period"], f"{field}.period")),
        "amount": money(data["amount"], f"{field}.amount"),
        "currency": v.currency(data["currency"], f"{field}.currency"),
    }


def source(value: object, field: str, lines: Mapping[str, Record]) -> Record:
    data = v.mapping(value, field, SOURCE_FIELDS, SOURCE_REQUIRED)
    kind = v.choice(data["kind"], f"{field}.kind", SOURCE_KINDS)
    eu = rules_of(kind)["eu_rules"]
    region, variant = data.get("region_category"), data.get("variant")
    if eu or region is not None:
        region = v.choice(region, f"{field}.region_category", REGION_CATEGORIES)
    if variant is not None:
        variant = v.choice(variant, f"{field}.variant", tuple(rules_of(kind)["variants"]))
    organisation = data.get("organisation_id")
    rate = v.percent(data["rate"], f"{field}.rate")
    if rate <= 0:
        raise InvalidInputError(f"{field}.rate", "must be above 0 (percent)")
    currency = v.currency(data["currency"], f"{field}.currency")
    funds = [
        fund(x, f"{field}.funds[{n}]", lines, currency)
        for n, x in enumerate(items(data.get("funds"), f"{field}.funds", MAX_LINES))
    ]
    unique(funds, "line_id", f"{field}.funds")
    return {
        "source_id": slug(data["source_id"], f"{field}.source_id"),
        "kind": kind,
        "name": v.text(data["name"], f"{field}.name"),
        "organisation_id": (
            None if organisation is None else v.identifier(organisation, f"{field}.organisation_id")
        ),
        "region_category": region,
        "variant": variant,
        "rate": format(rate, "f"),
        "currency": currency,
        "funds": funds,
    }


def fund(value: object, field: str, lines: Mapping[str, Record], currency: str) -> Record:
    data = v.mapping(value, field, ("line_id", "amount"), ("line_id", "amount"))
    line_id = known(data["line_id"], f"{field}.line_id", lines, "line")
    if lines[line_id]["currency"] != currency:
        raise InvalidInputError(
            f"{field}.line_id",
            f"the line is in {lines[line_id]['currency']}, the source in {currency}",
        )
    return {"line_id": line_id, "amount": money(data["amount"], f"{field}.amount")}


def known(value: object, field: str, found: Mapping[str, Record], what: str) -> str:
    key = slug(value, field)
    if key not in found:
        raise InvalidInputError(field, f"names no {what} of this budget")
    return key


def match(
    value: object, field: str, lines: Mapping[str, Record], sources: Mapping[str, Record]
) -> Record:
    data = v.mapping(value, field, MATCH_FIELDS, ("commitment_id", "line_id"))
    chosen = data.get("source_id")
    return {
        "commitment_id": v.identifier(data["commitment_id"], f"{field}.commitment_id"),
        "line_id": known(data["line_id"], f"{field}.line_id", lines, "line"),
        "source_id": None
        if chosen is None
        else known(chosen, f"{field}.source_id", sources, "source"),
    }


def checked(value: object, field: str = "budget") -> Record:
    """A budget version in its canonical form (what `BudgetAdopted` stores), or a 422."""
    data = v.mapping(value, field, ("lines", "sources", "match"), ("lines",))
    found = [
        line(x, f"{field}.lines[{n}]")
        for n, x in enumerate(items(data["lines"], f"{field}.lines", MAX_LINES, least=1))
    ]
    unique(found, "line_id", f"{field}.lines")
    lines = {x["line_id"]: x for x in found}
    raw = items(data.get("sources"), f"{field}.sources", MAX_SOURCES)
    funding = [source(x, f"{field}.sources[{n}]", lines) for n, x in enumerate(raw)]
    unique(funding, "source_id", f"{field}.sources")
    sources = {x["source_id"]: x for x in funding}
    raw = items(data.get("match"), f"{field}.match", MAX_MATCH)
    matched = [match(x, f"{field}.match[{n}]", lines, sources) for n, x in enumerate(raw)]
    unique(matched, "commitment_id", f"{field}.match")
    return {"lines": found, "sources": funding, "match": matched}


# -- the funds' rules (409) ----------------------------------------------------------------


def ceiling(kind: str, region: str | None, variant: str | None) -> Record | None:
    """The maximum co-financing rate the rules record for a source (with its article and
    `verified`): its region category's, or a variant's where that is higher (EAFRD LEADER:
    up to 80 % where the regional rate is lower); `value` None where the rules do not know
    it; None for a source no EU rule caps."""
    rules = rules_of(kind)
    if not rules["eu_rules"] or region is None:
        return None
    found: Record = rules["max_rates"][region]
    if variant is not None:
        other: Record = rules["variants"][variant]
        if other["value"] is None or found["value"] is None:
            return {**other, "value": None}  # one of the two is unknown: so is the maximum
        if Decimal(other["value"]) > Decimal(found["value"]):
            found = other
    return found


def check_rules(budget: Record) -> None:
    """Each source's rate within its fund's maximum where the rules know it; no line funded
    beyond its budget."""
    for s in budget["sources"]:
        top = ceiling(s["kind"], s["region_category"], s["variant"])
        if (
            top is not None
            and top["value"] is not None
            and Decimal(s["rate"]) > Decimal(top["value"])
        ):
            raise RuleViolationError(
                f"source {s['source_id']}: a rate of {s['rate']}% is above the maximum of "
                f"{top['value']}% the rules record for it ({top['source']})"
            )
    funded: dict[str, Decimal] = {}
    for s in budget["sources"]:
        for f in s["funds"]:
            funded[f["line_id"]] = funded.get(f["line_id"], Decimal(0)) + Decimal(f["amount"])
    for x in budget["lines"]:
        if funded.get(x["line_id"], Decimal(0)) > Decimal(x["amount"]):
            raise RuleViolationError(f"line {x['line_id']} is funded beyond its budget")


def fact(partnership_id: str, status: str, contribution_type: str, valuation: Record) -> Record:
    """What the budget needs to know of a commitment it names."""
    return {
        "partnership_id": partnership_id,
        "status": status,
        "contribution_type": contribution_type,
        "valuation": dict(valuation),
    }


def check_match(budget: Record, partnership_id: str, facts: Mapping[str, Record]) -> None:
    """Each commitment named is this partnership's and counts (not withdrawn or released),
    valued in its line's currency; one counted as match funding for a source is in kind,
    valued, on a line the source funds, and the source's rules accept contributions in kind."""
    lines = {x["line_id"]: x for x in budget["lines"]}
    sources = {s["source_id"]: s for s in budget["sources"]}
    for m in budget["match"]:
        cid, c = m["commitment_id"], facts.get(m["commitment_id"])
        if c is None or c["partnership_id"] != partnership_id:
            raise RuleViolationError(f"no commitment {cid} in this partnership")
        if c["status"] in COUNTED_OUT:
            raise RuleViolationError(f"commitment {cid} is {c['status']} and counts for nothing")
        currency = c["valuation"].get("currency")
        if currency is not None and currency != lines[m["line_id"]]["currency"]:
            raise RuleViolationError(
                f"commitment {cid} is valued in {currency}, line {m['line_id']} is in "
                f"{lines[m['line_id']]['currency']}"
            )
        if m["source_id"] is not None:
            check_in_kind(cid, c, sources[m["source_id"]], m["line_id"])


def check_in_kind(cid: str, c: Record, s: Record, line_id: str) -> None:
    if c["contribution_type"] == "cash":
        raise RuleViolationError(
            f"commitment {cid} is cash: only a contribution in kind counts as match in kind"
        )
    if c["valuation"].get("amount") is None:
        raise RuleViolationError(
            f"commitment {cid} has no valuation: match in kind counts at its value"
        )
    if all(f["line_id"] != line_id for f in s["funds"]):
        raise RuleViolationError(f"source {s['source_id']} puts nothing on line {line_id}")
    accepted = rules_of(s["kind"])["in_kind"]
    if accepted["value"] is not True:
        why = "do not accept" if accepted["value"] is False else "do not say they accept"
        raise RuleViolationError(
            f"source {s['source_id']}: the rules recorded for {s['kind']} {why} contributions "
            "in kind as match funding"
        )


def public_base(kind: str) -> bool:
    """Whether the rules record a source's rate as a share of public expenditure only
    (`rate_base.public_only`: the EAFRD's eligible public expenditure); a base set per
    priority (null) is not known here and counts all."""
    base = rules_of(kind)["rate_base"]
    return base is not None and base.get("public_only") is True


def financing(sources: list[Record], own: set[str], in_kind: Decimal, kind: str) -> Decimal:
    """What finances the lines `own` in the base of a source of this kind: every source's
    funds on them and `in_kind` (the match in kind on them); where its rules record a
    public-expenditure base, only the funds of sources whose rules say public, and no
    match in kind (whose public nature is unknown)."""
    public = public_base(kind)
    funds = sum(
        (
            Decimal(f["amount"])
            for x in sources
            if not public or rules_of(x["kind"])["public"] is True
            for f in x["funds"]
            if f["line_id"] in own
        ),
        Decimal(0),
    )
    return funds if public else funds + in_kind


def check_financing(budget: Record, facts: Mapping[str, Record]) -> None:
    """After `check_match`: no line funded beyond its budget by the sources' funds and the
    valuations of the contributions in kind counted as match on it; no source whose share
    of the planned financing of its lines (`financing`, with those valuations), in percent
    rounded half up to 0.01, is above the rate it states."""
    with localcontext() as ctx:
        ctx.prec = 80  # sums of 2000 amounts of 18 + 6 digits are exact
        in_kind: dict[str, Decimal] = {}
        for m in budget["match"]:
            if m["source_id"] is not None:
                worth = Decimal(str(facts[m["commitment_id"]]["valuation"]["amount"]))
                in_kind[m["line_id"]] = in_kind.get(m["line_id"], Decimal(0)) + worth
        funded: dict[str, Decimal] = dict.fromkeys(in_kind, Decimal(0))
        for s in budget["sources"]:
            for f in s["funds"]:
                funded[f["line_id"]] = funded.get(f["line_id"], Decimal(0)) + Decimal(f["amount"])
        for x in budget["lines"]:
            lid = x["line_id"]
            if lid in in_kind and funded[lid] + in_kind[lid] > Decimal(x["amount"]):
                raise RuleViolationError(
                    f"line {lid} is funded beyond its budget with the match in kind placed on it"
                )
        for s in budget["sources"]:
            check_share(s, budget["sources"], in_kind)


def check_share(s: Record, sources: list[Record], in_kind: Mapping[str, Decimal]) -> None:
    own = {f["line_id"] for f in s["funds"]}
    amount = sum((Decimal(f["amount"]) for f in s["funds"]), Decimal(0))
    matched = sum((in_kind.get(lid, Decimal(0)) for lid in own), Decimal(0))
    base = financing(sources, own, matched, s["kind"])
    if not amount or not base:
        return
    share = (amount * 100 / base).quantize(CENT, ROUND_HALF_UP)
    if share > Decimal(s["rate"]):
        raise RuleViolationError(
            f"source {s['source_id']}: its funds are {share}% of the planned financing of its "
            f"lines, above the rate of {s['rate']}% it states"
        )


def vocabularies() -> Mapping[str, tuple[str, ...]]:
    """Every closed vocabulary of a budget, by name (served with the fund rules)."""
    return {
        "categories": CATEGORIES,
        "source_kinds": SOURCE_KINDS,
        "region_categories": REGION_CATEGORIES,
    }

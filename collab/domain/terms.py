"""Composite values of DESIGN §2, built from checked parts; plain data so events store them."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, TypedDict

import rfc8785

from collab.domain import codes, reference
from collab.domain import values as v
from collab.domain.documents import listed
from collab.domain.errors import InvalidInputError


class Territory(TypedDict):
    country: str
    nuts: str | None
    lau: str | None


class Quantity(TypedDict):
    value: Decimal
    unit: str


class Valuation(TypedDict):
    amount: Decimal | None
    currency: str | None
    method: str


class Period(TypedDict):
    start: str
    end: str


def plain(value: Territory | Quantity | Valuation | Period) -> dict[str, Any]:
    """The typed value as the plain dict an event stores."""
    return dict(value.items())


def territory(value: object, field: str = "territory") -> Territory:
    data = v.mapping(value, field, ("country", "nuts", "lau"), ("country",))
    nuts = data.get("nuts")
    lau = data.get("lau")
    country = v.country(data["country"], f"{field}.country")
    if nuts is not None:
        v.pattern(nuts, f"{field}.nuts", v.NUTS_RE, "a NUTS 2024 code like 'PT1C2' or 'ES'")
        region = reference.nuts().get(nuts)
        if region is None:
            raise InvalidInputError(f"{field}.nuts", "is not a NUTS 2024 code")
        if region.country != reference.nuts_country(country):
            raise InvalidInputError(f"{field}.nuts", "must lie in the territory's country")
        if region.extra_regio:
            raise InvalidInputError(f"{field}.nuts", "is an Extra-Regio code, not a territory")
    if lau is not None:
        v.pattern(lau, f"{field}.lau", v.LAU_RE, "a LAU code (A-Z, 0-9, '-')")
    return Territory(country=country, nuts=nuts, lau=lau)


def period(value: object, field: str = "period") -> Period:
    data = v.mapping(value, field, ("start", "end"), ("start", "end"))
    start = v.iso_date(data["start"], f"{field}.start")
    end = v.iso_date(data["end"], f"{field}.end")
    if end < start:
        raise InvalidInputError(f"{field}.end", "must not be before the start")
    return Period(start=start, end=end)


def optional_period(value: object, field: str = "period") -> Period | None:
    return None if value is None else period(value, field)


def identifiers(value: object, field: str = "identifiers") -> list[dict[str, str]]:
    if not isinstance(value, list | tuple) or not 1 <= len(value) <= 10:
        raise InvalidInputError(field, "must be a list of 1 to 10 identifiers")
    result = []
    for i, item in enumerate(value):
        data = v.mapping(item, f"{field}[{i}]", ("scheme", "id"), ("scheme", "id"))
        result.append(
            {
                "scheme": scheme(data["scheme"], f"{field}[{i}].scheme"),
                "id": v.canonical_identifier(data["id"], f"{field}[{i}].id"),
            }
        )
    if len({(i["scheme"], i["id"]) for i in result}) != len(result):
        raise InvalidInputError(field, "must not repeat an identifier")
    return result


def scheme(value: object, field: str) -> str:
    """A code of the org-id.guide register, not deprecated there (new input only)."""
    code = v.pattern(value, field, v.SCHEME_RE, "an org-id.guide scheme code like 'GB-COH'")
    found = reference.schemes().get(code)
    if found is None:
        raise InvalidInputError(field, "is not a scheme of the org-id.guide register")
    if found.deprecated:
        raise InvalidInputError(field, "is deprecated in the org-id.guide register")
    return code


def sector(org_type: int, value: object, field: str = "sector") -> str:
    """A sector consistent with the IATI organisation type (codes.SECTORS_BY_ORG_TYPE)."""
    chosen = v.choice(value, field, codes.SECTORS)
    allowed = codes.SECTORS_BY_ORG_TYPE[org_type]
    if chosen not in allowed:
        raise InvalidInputError(
            field, f"must be {' or '.join(allowed)} for organisation type {org_type}"
        )
    return str(chosen)


def classifications(value: object, field: str = "classifications") -> list[dict[str, str]]:
    if not isinstance(value, list | tuple) or len(value) > 50:
        raise InvalidInputError(field, "must be a list of at most 50 classifications")
    result = []
    for i, item in enumerate(value):
        data = v.mapping(item, f"{field}[{i}]", ("vocabulary", "code"), ("vocabulary", "code"))
        vocab = v.choice(
            data["vocabulary"], f"{field}[{i}].vocabulary", codes.CLASSIFICATION_VOCABULARIES
        )
        code = v.text(data["code"], f"{field}[{i}].code", max_length=50)
        if vocab == "sdg_goal" and code not in reference.sdg_codes():
            raise InvalidInputError(
                f"{field}[{i}].code", "is not an SDG goal ('3') or target ('3.4')"
            )
        if vocab == "dac5" and code not in reference.dac5_codes():
            raise InvalidInputError(
                f"{field}[{i}].code", "is not an active DAC 5-digit sector code ('11110')"
            )
        result.append({"vocabulary": vocab, "code": code})
    return result


def quantity(value: object, contribution_type: str, field: str = "quantity") -> Quantity:
    data = v.mapping(value, field, ("value", "unit"), ("value", "unit"))
    amount = v.decimal(data["value"], f"{field}.value", positive=True)
    if contribution_type == "cash":
        unit = v.currency(data["unit"], f"{field}.unit")
    else:
        unit = v.choice(data["unit"], f"{field}.unit", codes.NON_CASH_UNITS)
    return Quantity(value=amount, unit=unit)


def valuation(value: object, field: str = "valuation") -> Valuation:
    data = v.mapping(value, field, ("amount", "currency", "method"), ("method",))
    method = v.choice(data["method"], f"{field}.method", codes.VALUATION_METHODS)
    if method == "not_valued":
        if data.get("amount") is not None or data.get("currency") is not None:
            raise InvalidInputError(field, "a 'not_valued' valuation has no amount or currency")
        return Valuation(amount=None, currency=None, method=method)
    amount = v.decimal(data.get("amount"), f"{field}.amount")
    cur = v.currency(data.get("currency"), f"{field}.currency")
    return Valuation(amount=amount, currency=cur, method=method)


def governance(value: object, field: str = "governance") -> dict[str, str]:
    data = v.mapping(value, field, ("rule", "threshold", "quorum"), ("rule", "quorum"))
    rule = v.choice(data["rule"], f"{field}.rule", codes.GOVERNANCE_RULES)
    quorum = v.percent(data["quorum"], f"{field}.quorum")
    result = {"rule": rule, "quorum": format(quorum, "f"), "threshold": ""}
    if rule == "qualified":
        threshold = v.percent(data.get("threshold"), f"{field}.threshold")
        if threshold <= 50:
            raise InvalidInputError(f"{field}.threshold", "a qualified majority exceeds 50")
        result["threshold"] = format(threshold, "f")
    elif data.get("threshold") is not None:
        raise InvalidInputError(f"{field}.threshold", "only a qualified rule has a threshold")
    return result


TERMS_FIELDS = (
    "vision",
    "shared_objectives",
    "member_objectives",
    "governance",
    "review_schedule",
    "exit_notice_days",
    "moving_on_strategy",
    "period",
)
# Optional: a CLLD local action group's limit on any interest group's share of the votes
# (invariant 4); terms without it mean 49, so texts signed before it existed keep their hash.
OPTIONAL_TERMS = ("balance_limit", "documents")


def balance_limit(value: object, field: str = "terms.balance_limit") -> str:
    """A percentage above 0 and at most 50: above half, one group would control decisions,
    which Reg. (EU) 2021/1060 art. 31(2)(b) forbids."""
    limit = v.percent(value, field)
    if not 0 < limit <= 50:
        raise InvalidInputError(field, "must be above 0 and at most 50 (percent)")
    return format(limit, "f")


def agreement_terms(value: object, partnership_id: str, version: int) -> dict[str, Any]:
    """The terms object whose RFC 8785 hash partners sign (DESIGN §2): strings and integers only."""
    data = v.mapping(value, "terms", TERMS_FIELDS + OPTIONAL_TERMS, TERMS_FIELDS)
    objectives = data["shared_objectives"]
    if not isinstance(objectives, list | tuple) or not 1 <= len(objectives) <= 50:
        raise InvalidInputError("terms.shared_objectives", "must list 1 to 50 objectives")
    member_objectives = data["member_objectives"]
    if not isinstance(member_objectives, Mapping) or len(member_objectives) > 200:
        raise InvalidInputError("terms.member_objectives", "must map organisation ids to lists")
    per_member = {}
    for org, items in member_objectives.items():
        org_id = v.identifier(org, "terms.member_objectives")
        if org_id in per_member:  # two spellings of one id: one list would be dropped
            raise InvalidInputError("terms.member_objectives", "names an organisation twice")
        if not isinstance(items, list | tuple) or len(items) > 50:
            raise InvalidInputError(f"terms.member_objectives.{org_id}", "must be a list")
        per_member[org_id] = [
            v.text(o, f"terms.member_objectives.{org_id}", max_length=v.LONG) for o in items
        ]
    p = period(data["period"], "terms.period")
    limit: dict[str, Any] = {}
    if data.get("balance_limit") is not None:
        limit["balance_limit"] = balance_limit(data["balance_limit"])
    # Listed documents are hashed with the terms: signing binds them (DESIGN §9). Terms
    # without them keep the hash they had.
    if data.get("documents") is not None:
        limit["documents"] = listed(data["documents"])
    return {
        **limit,
        "partnership_id": partnership_id,
        "version": version,
        "vision": v.text(data["vision"], "terms.vision", max_length=v.TEXT),
        "shared_objectives": [
            v.text(o, "terms.shared_objectives", max_length=v.LONG) for o in objectives
        ],
        "member_objectives": per_member,
        "governance": governance(data["governance"], "terms.governance"),
        "review_schedule": v.text(
            data["review_schedule"], "terms.review_schedule", max_length=v.LONG
        ),
        "exit_notice_days": v.integer(
            data["exit_notice_days"], "terms.exit_notice_days", maximum=3650
        ),
        "moving_on_strategy": v.choice(
            data["moving_on_strategy"], "terms.moving_on_strategy", codes.MOVING_ON_STRATEGIES
        ),
        "period": {"start": p["start"], "end": p["end"]},
    }


def terms_hash(terms: Mapping[str, Any]) -> str:
    """Lowercase hex SHA-256 of the RFC 8785 canonical JSON of the terms."""
    return hashlib.sha256(rfc8785.dumps(dict(terms))).hexdigest()


def cash_valuation(quantity: Quantity, valuation: Valuation, field: str = "valuation") -> None:
    """Cash is valued at its own amount and in its own currency: no other figure."""
    if valuation["method"] == "not_valued":
        raise InvalidInputError(f"{field}.method", "cash is valued at its own amount")
    if valuation["currency"] != quantity["unit"]:
        raise InvalidInputError(f"{field}.currency", "must be the cash's own currency")
    if valuation["amount"] != quantity["value"]:
        raise InvalidInputError(f"{field}.amount", "must be the cash's own amount")

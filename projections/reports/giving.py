"""360Giving 1.4 JSON of a partnership's cash grants from a funder to a partner.

A grant is a cash commitment whose recipient is an organisation and that was awarded:
confirmed, in delivery, fulfilled or lapsed. A contribution to the shared pool is not a
grant to a partner; a pledge is not yet awarded; a withdrawn or released commitment counts
for nothing in the ledger's views, so it is no grant here either. Amounts are written as
JSON numbers from the views' decimal text, never through a float.
"""

from __future__ import annotations

import json
from decimal import Decimal
from functools import cache
from importlib.resources import files
from typing import Any

from collab.domain.errors import RuleViolationError
from projections.reports.state import Org, ReportState

AWARDED = ("confirmed", "in_delivery", "fulfilled", "lapsed")
# A funder or recipient with no registered identifier gets one under this prefix, from
# the register's own id: the 360Giving convention for identifiers a publisher made itself.
OWN_PREFIX = "360G-collab"


NO_GRANTS = (
    "a 360Giving file needs a cash grant: a confirmed cash commitment from one "
    "organisation to another partner (not to the pool)"
)


def grants_json(state: ReportState, language: str) -> bytes:
    """The package `{"grants": [...]}`, sorted by grant id; UTF-8, ending in a newline."""
    found = [grant(state, c) for c in state.commitments if is_grant(c)]
    if not found:  # the package schema asks for at least one grant
        raise RuleViolationError(NO_GRANTS)
    package = {"grants": sorted(found, key=lambda g: str(g["id"]))}
    return (dump(package) + "\n").encode("utf-8")


def is_grant(c: dict[str, Any]) -> bool:
    """Cash, to an organisation (not the pool), awarded."""
    return bool(
        c["contribution_type"] == "cash" and c["recipient"] != "pool" and c["status"] in AWARDED
    )


def grant(state: ReportState, c: dict[str, Any]) -> dict[str, Any]:
    funder = state.organisations.get(c["organisation_id"])
    recipient = state.organisations.get(c["recipient"])
    head = state.partnership
    found: dict[str, Any] = {
        "id": f"360G-{org_id(funder, c['organisation_id'])}-{c['commitment_id']}",
        "title": head["title"],
        "description": description(head, c),
        "currency": c["valuation_currency"],
        "amountAwarded": Decimal(c["valuation_amount"]),
        "amountDisbursed": Decimal(c["confirmed"]),
        "awardDate": c["dates"]["Confirmed"],
        "recipientOrganization": [organisation(recipient, c["recipient"])],
        "fundingOrganization": [organisation(funder, c["organisation_id"])],
        "dateModified": state.updated,
    }
    if c["period_start"] and c["period_end"]:
        found["plannedDates"] = [{"startDate": c["period_start"], "endDate": c["period_end"]}]
    if head.get("country"):
        # Country only: geoCodeType lists UK (ONS) geographies, none for a NUTS region
        found["beneficiaryLocation"] = [{"countryCode": head["country"]}]
    return found


def description(head: dict[str, Any], c: dict[str, Any]) -> str:
    """The partnership's need statement, then the commitment's conditions if any."""
    parts = [head.get("need_statement") or head["title"], c.get("conditions") or ""]
    return "\n\n".join(p for p in parts if p)


def org_id(org: Org | None, organisation_id: str) -> str:
    """Its org-id (`{scheme}-{id}`), else one made under our own prefix."""
    ref = org.ref if org else None
    return ref or f"{OWN_PREFIX}-{organisation_id}"


def organisation(org: Org | None, organisation_id: str) -> dict[str, Any]:
    """`{id, name, organisationType?}`: no address, no contact (no natural person)."""
    found: dict[str, Any] = {
        "id": org_id(org, organisation_id),
        "name": org.legal_name if org else organisation_id,
    }
    kind = organisation_types().get(org.org_type) if org and org.org_type else None
    if kind:
        found["organisationType"] = kind
    return found


@cache
def organisation_types() -> dict[int, str]:
    """IATI OrganisationType names (360Giving's organisationType is free text)."""
    text = (files("collab") / "data" / "iati-codelists.json").read_text(encoding="utf-8")
    items = json.loads(text)["OrganisationType"]["items"]
    return {int(i["code"]): i["name"] for i in items if i["status"] == "active"}


def dump(value: Any, depth: int = 0) -> str:
    """JSON as `json.dumps(indent=2, sort_keys=True, ensure_ascii=False)` writes it, but
    a Decimal as its own text (a JSON number, no float rounding)."""
    pad, inner = "  " * depth, "  " * (depth + 1)
    if isinstance(value, Decimal):
        return number(value)
    if isinstance(value, dict) and value:
        items = [f"{inner}{dump(k)}: {dump(value[k], depth + 1)}" for k in sorted(value)]
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    if isinstance(value, list) and value:
        items = [f"{inner}{dump(x, depth + 1)}" for x in value]
        return "[\n" + ",\n".join(items) + f"\n{pad}]"
    return json.dumps(value, ensure_ascii=False)


def number(value: Decimal) -> str:
    """A finite decimal's fixed-point text, which is a JSON number (`20000.10`)."""
    if not value.is_finite():
        raise ValueError(f"not a finite amount: {value}")
    return format(value, "f")

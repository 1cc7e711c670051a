"""The 360Giving report: the demo's cash grant from the municipality to the association,
valid against the 1.4.3 package schema offline, its sums those of the ledger's views, its
amounts exact decimals, its bytes the same for the same state."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from collab.domain.envelope import Actor
from collab.domain.errors import RuleViolationError
from collab.reports.giving_schema import giving_errors
from collab.visibility import Viewer
from projections.reports import ReportState
from projections.reports.giving import grants_json
from projections.reports.state import Org
from tests.reports.conftest import DemoWorld
from tests.reports.offline import offline  # noqa: F401

ADMIN = Viewer(Actor("admin-of-the-test", "admin"), "2030-06-01")


def grants(document: bytes) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads(document, parse_float=Decimal)["grants"]
    return found


def by_name(state: ReportState, prefix: str) -> Org:
    (org,) = [o for o in state.organisations.values() if o.legal_name.startswith(prefix)]
    return org


def edited(state: ReportState, commitment_id: str, **changes: Any) -> ReportState:
    """The state with one commitment's row changed (what another history would give)."""
    rows = [
        {**c, **changes} if c["commitment_id"] == commitment_id else c for c in state.commitments
    ]
    return replace(state, commitments=rows)


@pytest.fixture
def state(demo_world: DemoWorld) -> ReportState:
    return demo_world.state(ADMIN)


@pytest.fixture
def document(state: ReportState) -> bytes:
    return grants_json(state, "en")


def test_the_demo_file_validates_against_the_package_schema_offline(
    document: bytes,
    offline: None,  # noqa: F811
) -> None:
    # Given the demo's 360Giving file, when it is validated with networking unavailable
    errors = giving_errors(document)
    # Then the schema has no complaint, and the file is a package of one grant or more
    assert errors == []
    assert grants(document)


def test_an_invalid_file_is_refused_offline(document: bytes, offline: None) -> None:  # noqa: F811
    # Given the demo's file without its grants' award dates, then the schema refuses it
    package = json.loads(document)
    for g in package["grants"]:
        del g["awardDate"]
    assert any("awardDate" in e for e in giving_errors(json.dumps(package).encode()))


def test_the_file_holds_the_municipalitys_grant_to_the_association(
    state: ReportState, document: bytes
) -> None:
    # Given the demo, in which the municipality grants 5000.00 EUR to the association and
    # pays 2500.00, and gives 20000.00 EUR cash to the shared pool
    municipality, association = by_name(state, "Câmara"), by_name(state, "Associação")
    (c,) = [c for c in state.commitments if c["recipient"] == association.organisation_id
            and c["contribution_type"] == "cash"]  # fmt: skip
    # When its 360Giving file is read, then it holds that grant and only it
    (g,) = grants(document)
    assert g["id"] == f"360G-{municipality.ref}-{c['commitment_id']}"
    assert (g["amountAwarded"], g["amountDisbursed"]) == (Decimal("5000.00"), Decimal("2500.00"))
    assert (g["currency"], g["awardDate"]) == ("EUR", c["dates"]["Confirmed"])
    funder = {"id": municipality.ref, "name": municipality.legal_name}
    assert g["fundingOrganization"] == [{**funder, "organisationType": "Local Government"}]
    recipient = {"id": association.ref, "name": association.legal_name}
    assert g["recipientOrganization"] == [{**recipient, "organisationType": "National NGO"}]
    assert g["plannedDates"] == [{"startDate": "2026-01-01", "endDate": "2026-12-31"}]
    assert g["beneficiaryLocation"] == [{"countryCode": "PT"}]
    assert g["title"] == state.partnership["title"]
    assert g["description"].endswith("For the training of community care assistants")
    assert g["dateModified"] == state.updated and "recipientIndividual" not in g
    # And the municipality's 20000.00 EUR to the shared pool is no grant to a partner
    assert b"20000" not in document


def test_the_grants_sum_to_the_ledgers_cash_to_organisations(
    state: ReportState, document: bytes
) -> None:
    # Given the ledger's cash valuation, which counts the pool's cash and the grants
    (cash,) = [t for t in state.totals["totals_by_type"] if t["contribution_type"] == "cash"]
    (valued,) = cash["valuation_by_currency"]
    to_pool = sum(
        Decimal(c["valuation_amount"])
        for c in state.commitments
        if c["contribution_type"] == "cash" and c["recipient"] == "pool"
    )
    # When the grants are summed, then they are the rest: the cash to organisations
    found = grants(document)
    assert sum(g["amountAwarded"] for g in found) == Decimal(valued["amount"]) - to_pool
    assert sum(g["amountDisbursed"] for g in found) == Decimal(cash["confirmed"]) - to_pool


def test_amounts_are_the_decimals_text_never_a_float(state: ReportState) -> None:
    # Given a grant of 20000.10 EUR (a float would print 20000.1)
    (g,) = [c for c in state.commitments if c["contribution_type"] == "cash"
            and c["recipient"] != "pool"]  # fmt: skip
    odd = edited(state, g["commitment_id"], valuation_amount="20000.10", confirmed="0.30")
    # When its file is written, then the JSON numbers are those exact texts
    document = grants_json(odd, "en")
    assert b'"amountAwarded": 20000.10,' in document
    assert b'"amountDisbursed": 0.30,' in document
    assert giving_errors(document) == []


@pytest.mark.parametrize("status", ["pledged", "withdrawn", "released"])
def test_a_grant_not_awarded_or_undone_is_left_out(state: ReportState, status: str) -> None:
    # Given the grant pledged only, or withdrawn, or released when its funder left
    (g,) = [c for c in state.commitments if c["contribution_type"] == "cash"
            and c["recipient"] != "pool"]  # fmt: skip
    # Then there is no grant to report: the file is refused (the package schema wants one)
    with pytest.raises(RuleViolationError, match="needs a cash grant"):
        grants_json(edited(state, g["commitment_id"], status=status), "en")


def test_a_funder_without_an_identifier_gets_one_under_our_prefix(state: ReportState) -> None:
    # Given a municipality the register knows with no identifier
    municipality = by_name(state, "Câmara")
    bare = replace(municipality, identifiers=())
    orgs = {**state.organisations, municipality.organisation_id: bare}
    # When the file is written, then its grant and the funder carry made-up ids, still valid
    document = grants_json(replace(state, organisations=orgs), "en")
    (g,) = grants(document)
    made = f"360G-collab-{municipality.organisation_id}"
    assert g["id"].startswith(f"360G-{made}-") and g["fundingOrganization"][0]["id"] == made
    assert giving_errors(document) == []


def test_the_same_state_gives_the_same_bytes(demo_world: DemoWorld, document: bytes) -> None:
    # Given the live state's file, when it is written again and as of the same position
    live = demo_world.state(ADMIN)
    again = grants_json(live, "en")
    as_of = grants_json(demo_world.state(ADMIN, live.position), "en")
    # Then the bytes are the same: sorted keys, two-space indent, UTF-8, a final newline
    assert document == again == as_of
    assert document.endswith(b"}\n") and "Mértola".encode() in document
    json.loads(document, object_pairs_hook=keys_sorted)
    assert document.startswith(b'{\n  "grants": [\n    {\n      "amountAwarded": 5000.00,\n')


def keys_sorted(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    assert keys == sorted(keys)
    return dict(pairs)

"""The IATI 2.03 activity XML of the demo's partnership: valid against the XSD and the
IATI standard ruleset offline, its figures equal to the views', deterministic, and naming
organisations only."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from collab.reports.iati_rules import check
from collab.reports.iati_schema import xsd_errors
from projections.reports.iati import activity_xml
from tests.application.conftest import TEST_NOW
from tests.reports.conftest import DemoWorld
from tests.reports.iati_helpers import ADMIN, parsed, rendered, sums, transaction_sums
from tests.reports.offline import offline  # noqa: F401  (the fixture)

COMMITTED = ("confirmed", "in_delivery", "fulfilled", "lapsed")


def test_the_demo_file_passes_the_schema_and_every_ruleset_check(
    demo_world: DemoWorld, request: pytest.FixtureRequest
) -> None:
    # Given the demo's partnership's IATI file (read before the network goes: PostgreSQL)
    document = activity_xml(demo_world.state(ADMIN), "en")
    # When networking is unavailable
    request.getfixturevalue("offline")
    # Then the 2.03 XSD and the standard ruleset find nothing, warnings included
    assert xsd_errors(document) == []
    assert [(f.rule_id, f.message) for f in check(document, TEST_NOW)] == []


def test_commitment_transactions_equal_the_ledgers_valuations(demo_world: DemoWorld) -> None:
    # Given the demo's state and its IATI file
    state = demo_world.state(ADMIN)
    root = rendered(state)
    # Then the incoming commitments (11) add up, per currency, to the valuation of the
    # confirmed commitments the ledger counts, and the pledges (13) to the pledged ones
    expected: dict[str, Decimal] = {}
    for c in state.commitments:
        if c["status"] in COMMITTED and c["valuation_amount"] is not None:
            currency = c["valuation_currency"]
            expected[currency] = expected.get(currency, Decimal(0)) + Decimal(c["valuation_amount"])
    assert transaction_sums(root, "11") == expected
    pledged = {x["currency"]: Decimal(x["amount"]) for x in state.totals["valuation_by_currency"]}
    for currency, amount in transaction_sums(root, "13").items():
        pledged[currency] -= amount
    assert {k: v for k, v in pledged.items() if v} == expected


def test_budgets_equal_the_budget_views_totals(demo_world: DemoWorld) -> None:
    state = demo_world.state(ADMIN)
    root = rendered(state)
    # Then the budgets, summed per currency, are the budget view's totals, each dated by
    # its period's start, original (version 1) and committed
    view = {t["currency"]: Decimal(t["budget"]) for t in state.budget["totals"]}
    assert sums(root, "//budget/value") == view
    assert {(b.get("type"), b.get("status")) for b in root.iter("budget")} == {("1", "2")}


def test_delivery_transactions_equal_the_budget_views_delivered_figures(
    demo_world: DemoWorld,
) -> None:
    state = demo_world.state(ADMIN)
    root = rendered(state)
    value_of = {t.get("ref"): Decimal(t.findtext("value") or "0") for t in root.iter("transaction")}
    # Then, per budget line, the deliveries of the commitments placed on it add up to the
    # line's delivered figure in the budget view
    for line in state.budget["lines"]:
        placed = set(line["commitments"])
        refs = [d["delivery_id"] for d in state.deliveries if d["commitment_id"] in placed]
        assert sum((value_of.get(r, Decimal(0)) for r in refs), Decimal(0)) == Decimal(
            line["delivered"]
        )
    # And the pool's cash comes in (1), the grant is disbursed (3), in kind is spent (4)
    codes = {t.xpath("string(transaction-type/@code)") for t in root.iter("transaction")}
    assert {"1", "3", "4", "11"} <= codes


def test_in_kind_is_marked_and_unvalued_commitments_are_left_out(demo_world: DemoWorld) -> None:
    state = demo_world.state(ADMIN)
    document = activity_xml(state, "en")
    root = parsed(document)
    refs = {t.get("ref") for t in root.iter("transaction")}
    for c in state.commitments:
        if c["valuation_amount"] is None:
            # an unvalued commitment has no transaction, and a comment names it
            assert c["commitment_id"] not in refs
            assert c["commitment_id"].encode() in document
        elif c["contribution_type"] != "cash":
            text = root.xpath(f"//transaction[@ref='{c['commitment_id']}']/description/narrative")
            assert text[0].text.startswith(f"In kind: {c['contribution_type']}, ")


def test_results_carry_the_indicator_reports(demo_world: DemoWorld) -> None:
    state = demo_world.state(ADMIN)
    root = rendered(state)
    # Then each report is a period of its indicator's result, with the reported actual
    found = sorted(
        (
            ind.findtext("title/narrative"),
            p.find("period-start").get("iso-date"),
            p.find("actual").get("value"),
            p.find("target").get("value"),
        )
        for ind in root.iter("indicator")
        for p in ind.iter("period")
    )
    names = {i["indicator_id"]: i for i in state.indicators}
    expected = sorted(
        (
            names[r["indicator_id"]]["name"],
            r["period_start"],
            r["actual"],
            names[r["indicator_id"]]["target"],
        )
        for r in state.indicator_reports
    )
    assert found == expected and found
    kinds = {r.get("type") for r in root.iter("result")}
    assert kinds == {"1", "2"}  # the demo's output and outcome indicators


def test_the_same_state_gives_the_same_bytes(demo_world: DemoWorld) -> None:
    # Given the live state and the same state read back as of its position
    live = demo_world.state(ADMIN)
    as_of = demo_world.state(ADMIN, position=live.position)
    # Then both render to the same bytes, twice over
    first = activity_xml(live, "en")
    assert first == activity_xml(live, "en") == activity_xml(as_of, "en")
    assert first.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n')


def test_no_actor_and_no_reason_appears(demo_world: DemoWorld) -> None:
    # Given every actor id and reason the demo's events recorded
    svc = demo_world.service
    h = svc.read.tables.history
    with svc.read.reader() as conn:
        rows = conn.execute(select(h.c.actor, h.c.on_behalf_of, h.c.reason)).all()
    recorded = {x for r in rows for x in (r.actor, r.reason) if x}
    # Then none of them is in the IATI file
    document = activity_xml(demo_world.state(ADMIN), "en").decode()
    assert recorded and not [x for x in recorded if x in document]

"""The CSV reports of commitments, deliveries, budget lines and funding sources: a header,
CRLF lines, decimals as the views' text, totals those of the ledger and budget views, the
same bytes for the same state, no formula a spreadsheet would run, and no actor's id."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from dataclasses import replace
from decimal import Decimal

import pytest

from collab.domain.envelope import Actor
from collab.visibility import Viewer
from projections.reports import REPORTS, ReportState
from projections.reports import tables_csv as t
from tests.reports.conftest import DemoWorld

ADMIN = Viewer(Actor("admin-of-the-test", "admin"), "2030-06-01")
TABLES = {"commitments": t.COMMITMENTS, "deliveries": t.DELIVERIES, "budget": t.BUDGET,
          "funding": t.FUNDING}  # fmt: skip


def rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


def sums(found: list[dict[str, str]], key: str, figure: str) -> dict[str, Decimal]:
    out: dict[str, Decimal] = defaultdict(Decimal)
    for r in found:
        if r[figure]:
            out[r[key]] += Decimal(r[figure])
    return dict(out)


@pytest.fixture
def state(demo_world: DemoWorld) -> ReportState:
    return demo_world.state(ADMIN)


@pytest.mark.parametrize("name", sorted(TABLES))
def test_each_file_has_its_header_and_crlf_lines_in_utf8(state: ReportState, name: str) -> None:
    # When a CSV report of the demo is written
    data = REPORTS[name].render(state, "en")
    # Then it starts with its header (no byte-order mark) and every line ends in CRLF
    header = ",".join(TABLES[name]).encode() + b"\r\n"
    assert data.startswith(header) and data.endswith(b"\r\n")
    assert data.count(b"\r\n") == data.count(b"\n") > 1
    assert list(rows(data)[0]) == list(TABLES[name])


def test_commitments_total_the_ledgers_figures(state: ReportState) -> None:
    # Given the demo's commitments file (nothing withdrawn or released in the demo)
    found = rows(t.commitments(state, "en"))
    assert len(found) == len(state.commitments) == 7
    assert {r["status"] for r in found}.isdisjoint({"withdrawn", "released"})
    # Then its quantities per unit and valuations per currency are the ledger's totals
    for figure in ("quantity", "delivered", "confirmed"):
        ledger = {
            x["unit"]: Decimal(x["committed" if figure == "quantity" else figure])
            for x in state.totals["totals_by_unit"]
        }
        assert sums(found, "unit", figure) == ledger
    valued = {x["currency"]: Decimal(x["amount"]) for x in state.totals["valuation_by_currency"]}
    assert sums(found, "valuation_currency", "valuation_amount") == valued
    # And decimals are the views' text: 20000.00 stays 20000.00
    cash = [r for r in found if r["contribution_type"] == "cash"]
    assert sorted(r["valuation_amount"] for r in cash) == ["20000.00", "5000.00"]
    assert {r["recipient"] for r in cash} >= {"pool"}
    assert all(r["organisation_ref"].startswith("PT-NIPPC-") for r in found)


def test_deliveries_total_the_confirmed_figures(state: ReportState) -> None:
    # Given the demo's deliveries file, one row per delivery, oldest first
    found = rows(t.deliveries(state, "en"))
    assert [r["delivery_id"] for r in found] == [d["delivery_id"] for d in state.deliveries]
    assert [r["delivered_on"] for r in found] == sorted(r["delivered_on"] for r in found)
    # Then confirmed quantities per unit are the ledger's confirmed totals
    confirmed = [r for r in found if r["status"] == "confirmed"]
    ledger = {x["unit"]: Decimal(x["confirmed"]) for x in state.totals["totals_by_unit"]}
    assert sums(confirmed, "unit", "quantity") == {k: v for k, v in ledger.items() if v}
    # And the valued shares are the budget view's delivered value (the pool's cash and the
    # trainers' time, which its lines count) plus the grant's 2500.00, which no line counts
    delivered = sum(Decimal(x["delivered"]) for x in state.budget["totals"])
    valued = sums(found, "valuation_currency", "valued_amount")
    assert valued == {"EUR": delivered + Decimal("2500.00")} == {"EUR": Decimal(24000)}
    corrected = [r for r in found if r["unit"] == "session"]
    assert [r["quantity"] for r in corrected] == ["40"]  # the transport's corrected figure


def test_budget_and_funding_are_the_budget_views_figures(state: ReportState) -> None:
    # Given the demo's budget and funding files
    lines, sources = rows(t.budget(state, "en")), rows(t.funding(state, "en"))
    view = state.budget
    # Then the lines total the view's totals per currency, figure by figure
    for total in view["totals"]:
        for figure in ("budget", "committed", "delivered", "funded"):
            assert sums(lines, "currency", figure)[total["currency"]] == Decimal(total[figure])
    assert {r["budget_version"] for r in lines} == {str(view["number"])}
    assert {r["decision_id"] for r in lines} == {view["decision_id"]}
    assert [r["budget"] for r in lines] == ["30000.00", "10000"]  # as the view holds them
    # And each source row is the view's source
    shown = {r["source_id"]: r for r in sources}
    for s in view["sources"]:
        r = shown[s["source_id"]]
        assert (r["amount"], r["rate"], r["rate_reached"]) == (
            s["amount"],
            s["rate"],
            s["rate_reached"],
        )
    assert shown["esf"]["max_rate"] == "85" and shown["esf"]["within_max"] == "true"
    assert shown["esf"]["match_in_kind_committed"] == "1500.00"
    assert shown["municipality"]["organisation_name"] == "Câmara Municipal de Mértola"


def test_the_same_state_gives_the_same_bytes(demo_world: DemoWorld) -> None:
    # Given the live state and the state as of its position
    live = demo_world.state(ADMIN)
    as_of = demo_world.state(ADMIN, live.position)
    # Then every report, CSV and JSON, writes the same bytes from each, and again
    for report in REPORTS.values():
        if report.name == "iati":
            continue  # its own tests pin it (tests/reports/test_iati_report.py)
        first = report.render(live, "en")
        assert first == report.render(live, "en") == report.render(as_of, "en"), report.name


def test_no_report_names_an_actor(demo_world: DemoWorld, state: ReportState) -> None:
    # Given every actor who recorded an event of the demo
    app = demo_world.service.app
    found = app.recorder.select_notifications(1, 10_000)
    actors = {json.loads(n.state)["meta"]["actor"] for n in found}
    assert len(actors) > 5
    # Then no CSV or 360Giving report of the partnership holds any of their ids
    for name in (*TABLES, "360giving"):
        data = REPORTS[name].render(state, "en").decode()
        assert not [a for a in actors if a in data], name


def test_text_that_starts_like_a_formula_is_not_run(state: ReportState) -> None:
    # Given names and conditions a spreadsheet would read as formulas
    orgs = {
        k: replace(o, legal_name='=HYPERLINK("http://x")') for k, o in state.organisations.items()
    }
    commitments = [{**c, "conditions": "+1+cmd|' /C calc'!A0"} for c in state.commitments]
    budget = {**state.budget, "lines": [{**x, "description": "@SUM(1)"} for x in
              state.budget["lines"]]}  # fmt: skip
    risky = replace(state, organisations=orgs, commitments=commitments, budget=budget)
    # When the files are written, then each such cell starts with a quote
    found = rows(t.commitments(risky, "en"))
    assert {r["organisation_name"] for r in found} == {'\'=HYPERLINK("http://x")'}
    assert {r["conditions"] for r in found} == {"'+1+cmd|' /C calc'!A0"}
    assert {r["description"] for r in rows(t.budget(risky, "en"))} == {"'@SUM(1)"}
    # And figures are never altered: a negative decimal stays a number
    assert t.cell("quantity", "-5") == "-5" and t.cell("name", "-5") == "'-5"
    assert t.cell("name", "\tx") == "'\tx" and t.cell("name", "Mértola") == "Mértola"

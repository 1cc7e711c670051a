"""The demo's money and documents (issue 18, part 4), on every store: a budget with three
funding sources and a co-financing rate, a contribution in kind counted as match funding
and delivered, an annex listed in the terms signed as version 2, and delivery evidence."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from api.demo import run_demo
from collab.application import Collab
from collab.documents.reads import visible_documents
from collab.documents.store import DocumentStore
from collab.domain.envelope import Actor
from collab.stores import StoreConfig
from tests.application.conftest import Clock

ADMIN = Actor("admin-of-the-test", "admin")


@pytest.fixture
def filed(store_config: StoreConfig, tmp_path: Path) -> Iterator[Collab]:
    """The service with a document store, as `collab demo` runs it."""
    service = Collab(store_config, clock=Clock(), documents=DocumentStore(tmp_path / "docs"))
    yield service
    service.close()


def demo_partnership(app: Collab, summary: str) -> str:
    first = summary.splitlines()[0]
    return first.split()[1].rstrip(":")


def test_the_demo_adopts_a_budget_with_three_sources_and_match_in_kind(filed: Collab) -> None:
    # When the demo runs
    summary = run_demo(filed)
    # Then its partnership has a budget: three sources, one match in kind for ESF+
    p = filed.get_partnership(ADMIN, demo_partnership(filed, summary))
    assert p.budget is not None and p.budget["number"] == 1
    plan = p.budget["budget"]
    assert [s["kind"] for s in plan["sources"]] == ["esf_plus", "municipal", "own"]
    assert plan["sources"][0]["rate"] == "85" and plan["sources"][0]["variant"] is None
    assert [m["source_id"] for m in plan["match"]] == [None, "esf"]
    # And the contribution in kind matched is delivered in full
    trainers = filed.get_commitment(ADMIN, plan["match"][1]["commitment_id"])
    assert trainers.contribution_type == "staff_time" and trainers.status == "fulfilled"
    assert "1 contribution in kind counted as match funding" in summary


def test_the_demo_signs_an_annex_with_the_terms_and_files_delivery_evidence(
    filed: Collab,
) -> None:
    summary = run_demo(filed)
    pid = demo_partnership(filed, summary)
    p = filed.get_partnership(ADMIN, pid)
    # The annex is listed in the terms of version 2, in force: every member signed them
    listed = p.versions[1].terms["documents"]
    assert p.in_force == 2 and [d["name"] for d in listed] == ["annex-1-budget.txt"]
    assert filed.documents is not None and filed.documents.has(listed[0]["sha256"])
    # And the trainers' delivery has its evidence, attached and stored
    found = visible_documents(filed, ADMIN, pid)
    evidence = [d for d in found.attached if d["about"]["documents"] == "delivery"]
    assert [d["name"] for d in evidence] == ["attendance-sheets-2026.txt"]
    assert filed.documents.has(evidence[0]["sha256"])


def test_the_demo_runs_again_on_the_same_store(filed: Collab) -> None:
    # The benchmarks seed the log by running it repeatedly: each run makes its own
    first, second = run_demo(filed), run_demo(filed)
    assert demo_partnership(filed, first) != demo_partnership(filed, second)
    assert "annex" in second and "delivery evidence attached" in second


def test_without_a_document_store_the_demo_keeps_its_budget(app: Collab) -> None:
    summary = run_demo(app)
    assert "budget version 1" in summary and "annex" not in summary


def test_the_demo_grants_cash_from_a_funder_to_a_partner(app: Collab) -> None:
    # When the demo runs
    summary = run_demo(app)
    # Then the municipality granted cash to the association (not the pool), half paid
    p = app.get_partnership(ADMIN, demo_partnership(app, summary))
    commitments = [app.get_commitment(ADMIN, cid) for cid in p.commitments]
    (grant,) = [c for c in commitments if c.contribution_type == "cash" and c.recipient != "pool"]
    assert grant.status == "in_delivery" and str(grant.quantity["value"]) == "5000.00"
    paid = [(str(d["quantity"]), d["status"]) for d in grant.deliveries.values()]
    assert paid == [("2500.00", "confirmed")]
    assert app.get_organisation(grant.recipient).legal_name.startswith("Associação")
    assert "2500.00 of 5000.00 EUR paid" in summary
    # And every delivery happened by November 2026: `collab demo` runs from December 2026
    days = [d["delivered_on"] for c in commitments for d in c.deliveries.values()]
    assert len(days) == 5 and max(days) <= "2026-11-30"

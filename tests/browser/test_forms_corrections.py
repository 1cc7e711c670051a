"""Corrections after confirmation in a real browser (invariant 6): a confirmed delivery
reversed by its member and the reversal confirmed by the lead (without JavaScript); a
revision proposed and agreed; a disputed delivery settled by a decision the broker
applies; the surplus shown beside fulfilment capped at 100%. Each form is refused once
first (its problem beside it, nothing recorded)."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import Person, Site
from tests.browser.forms import follow, refused, signed_in
from tests.browser.tab import Tab
from tests.browser.world import Someone
from tests.integration.test_http_scenario import ok


def follow_to(tab: Tab, href: str, text: str) -> int:
    """Follow the page's link to `href` (one of several commitments' alike), named so."""
    link = tab.page.locator(f'a[href="{href}"]')
    assert link.inner_text().startswith(text)
    with tab.page.expect_navigation() as navigation:
        link.click()
    return tab.seen(navigation.value)


def commitment(who: Someone, cid: str) -> dict[str, Any]:
    return ok(who.api.get(f"/v1/commitments/{cid}"))


def delivered(giver: Someone, lead: Someone, cid: str, quantity: str, answer: str) -> str:
    """A delivery the giver reports and the lead answers (`confirm` or `dispute`)."""
    body = {"quantity": quantity, "delivered_on": "2025-03-04"}
    did: str = ok(giver.api.post(f"/v1/commitments/{cid}/deliveries", body), 201)["delivery_id"]
    reason = {"reason": "Not what we saw"} if answer == "dispute" else {}
    ok(lead.api.post(f"/v1/commitments/{cid}/deliveries/{did}/{answer}", reason))
    return did


def test_a_confirmed_delivery_reversed_a_revision_agreed_and_a_dispute_settled(
    site: Site, person: Person
) -> None:
    # Given: a partnership in force; the giver's 10 hours to the pool, 10 delivered and
    # confirmed by the lead (the pool's confirmer)
    world = site.world
    broker = world.enrol("broker", "Broker of corrections")
    lead = world.partner(broker, "public", "Câmara Municipal de Moura", "Lia Lead")
    giver = world.partner(broker, "civil_society", "Associação Terras de Moura", "Gui Giver")
    pid = world.active(broker, "Moura care rounds", [lead, giver])
    pledge = {
        "contribution_type": "staff_time",
        "quantity": {"value": "10", "unit": "hour"},
        "valuation": {"method": "not_valued"},
    }
    cid = ok(giver.api.post(f"/v1/partnerships/{pid}/commitments", pledge), 201)["commitment_id"]
    ok(giver.api.post(f"/v1/commitments/{cid}/confirm"))
    delivered(giver, lead, cid, "10", "confirm")
    world.settle()
    assert commitment(giver, cid)["status"] == "fulfilled"

    # When: the giver reverses the confirmed delivery from its page, a negative figure first
    g = signed_in(person, world, giver, "giver")
    g.open(f"/partnerships/{pid}")
    assert follow(g, "Correct or reverse the delivery") == 200
    g.fill(**{"f-quantity": "-10"})
    refused(g, world, "Correct this delivery", 422, "quantity")
    g.fill(**{"f-quantity": "0"})
    assert g.press("Correct this delivery") == 200
    assert commitment(giver, cid)["delivered"] == "10"  # until the lead confirms
    world.settle()

    # Then: the lead, without JavaScript, confirms the reversal; it counts for nothing
    r = signed_in(person, world, lead, "lead", js=False)
    r.open(f"/partnerships/{pid}")
    assert follow(r, "Confirm or dispute the correction") == 200
    assert r.press("Confirm this correction") == 200
    shown = commitment(giver, cid)
    assert (shown["delivered"], shown["status"]) == ("0", "in_delivery")

    # When: the giver proposes 8 hours instead, without a reason first
    g.open(f"/partnerships/{pid}")
    assert follow_to(g, f"/commitments/{cid}/revise", "Propose a revision") == 200
    g.fill(**{"f-quantity": "8"})
    refused(g, world, "Propose this revision", 422, "a revision states its reason")
    g.page.fill("#f-reason", "Two sessions were cancelled")
    assert g.press("Propose this revision") == 200
    world.settle()

    # Then: the lead agrees; the commitment is of 8 hours
    r.open(f"/partnerships/{pid}")
    revision = commitment(giver, cid)["revision"]["revision_id"]
    agree = f"/commitments/{cid}/revisions/{revision}/agree"
    assert follow_to(r, agree, "Agree to or decline the proposed revision") == 200
    assert r.press("Agree to this revision") == 200
    assert commitment(giver, cid)["quantity"]["value"] == "8"

    # When: a delivery of 12 is disputed, and the assembly decides to accept it
    did = delivered(giver, lead, cid, "12", "dispute")
    votes = {lead.organisation_id: "for", giver.organisation_id: "for"}
    subject = {"action": "accept_delivery", "commitment_id": cid, "delivery_id": did}
    decision = {"body": "General assembly", "subject": subject, "votes": votes}
    made = ok(broker.api.post(f"/v1/partnerships/{pid}/decisions", decision), 201)
    decision_id = made["decision_id"]
    world.settle()

    # Then: the broker applies it from the page, first as what it did not decide
    b = signed_in(person, world, broker, "broker")
    b.open(f"/partnerships/{pid}")
    assert follow(b, "Settle by decision") == 200
    b.page.select_option("#f-decision_id", decision_id)
    b.page.select_option("#f-action", "reject_delivery")
    refused(b, world, "Apply the decision", 409, "decision")
    b.page.select_option("#f-action", "accept_delivery")
    assert b.press("Apply the decision") == 200
    shown = commitment(giver, cid)
    assert (shown["status"], shown["delivered"], shown["surplus"]) == ("fulfilled", "12", "4")
    assert shown["fulfilment"] == "1.0000"

    # And: the partnership page shows it fulfilled at 100%, the 4 hours beyond as surplus
    world.settle()
    b.open(f"/partnerships/{pid}")
    row = b.page.locator(f"#commitment-{cid}").inner_text()
    assert "100% fulfilled" in row and "surplus 4" in row and "150%" not in row

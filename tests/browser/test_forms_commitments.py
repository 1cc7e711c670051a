"""Commitment forms in a real browser: a pledge confirmed, a delivery reported, disputed
by the recipient, corrected by the committer and confirmed, the commitment withdrawn;
each form first refused once (its problem shown beside it, the input kept, the log's
head unchanged). The recipient's browser runs without JavaScript."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import Person, Site
from tests.browser.forms import follow, refused, signed_in
from tests.browser.world import Someone
from tests.integration.test_http_scenario import ok


def commitment(who: Someone, cid: str) -> dict[str, Any]:
    return ok(who.api.get(f"/v1/commitments/{cid}"))


def test_a_pledge_and_its_delivery_go_through_every_form_each_refused_once(
    site: Site, person: Person
) -> None:
    # Given: a partnership in force of a lead (the pool's confirmer) and a giver
    world = site.world
    broker = world.enrol("broker", "Broker of deliveries")
    lead = world.partner(broker, "public", "Câmara Municipal de Serpa", "Lena Lead")
    giver = world.partner(broker, "civil_society", "Associação Vale do Guadiana", "Gil Giver")
    pid = world.active(broker, "Serpa care rounds", [lead, giver])
    world.settle()
    g = signed_in(person, world, giver, "giver")

    # When: the giver pledges from the partnership page, a quantity that is no number first
    g.open(f"/partnerships/{pid}")
    assert follow(g, "Pledge a contribution") == 200
    g.page.select_option("#f-contribution_type", "staff_time")
    g.page.select_option("#f-valuation-method", "not_valued")
    g.fill(**{"f-quantity-value": "twenty", "f-quantity-unit": "hour"})
    g.page.fill("#f-conditions", "Tuesdays only")
    refused(g, world, "Pledge", 422, "quantity.value")
    assert g.page.input_value("#f-conditions") == "Tuesdays only"
    g.fill(**{"f-quantity-value": "20"})
    assert g.press("Pledge") == 200 and g.path == f"/partnerships/{pid}"
    cid = g.page.url.rsplit("#commitment-", 1)[1]

    # And: confirms it, then once more (refused: already confirmed)
    for status in (200, 409):
        g.open(f"/commitments/{cid}/confirm")
        if status == 200:
            assert g.press("Confirm this pledge") == 200
        else:
            refused(g, world, "Confirm this pledge", 409, "while the commitment is confirmed")

    # And: reports a delivery, without its date first
    g.open(f"/commitments/{cid}/deliveries/new")
    g.fill(**{"f-quantity": "20"})
    refused(g, world, "Report this delivery", 422, "delivered_on")
    g.fill(**{"f-delivered_on": "2025-03-04"})
    assert g.press("Report this delivery") == 200
    [delivery] = commitment(giver, cid)["deliveries"]
    answer = f"/commitments/{cid}/deliveries/{delivery['delivery_id']}"
    world.settle()

    # Then: the lead, without JavaScript, disputes it from its page, a reason required
    r = signed_in(person, world, lead, "recipient", js=False)
    r.open(f"/partnerships/{pid}")
    assert follow(r, "Confirm or dispute the delivery") == 200
    refused(r, world, "Dispute this delivery", 422, "a dispute states its reason")
    r.page.fill("#f-reason", "Only 15 hours were given")
    assert r.press("Dispute this delivery") == 200
    world.settle()

    # And: the giver corrects it, a quantity left out first
    g.open(f"/partnerships/{pid}")
    assert follow(g, "Correct the disputed delivery") == 200
    g.fill(**{"f-quantity": ""})
    refused(g, world, "Correct this delivery", 422, "quantity")
    g.fill(**{"f-quantity": "15"})
    assert g.press("Correct this delivery") == 200

    # And: the lead confirms it, then once more (refused: no longer awaiting confirmation)
    for status in (200, 409):
        r.open(f"{answer}/confirm")
        if status == 200:
            assert r.press("Confirm this delivery") == 200
        else:
            refused(r, world, "Confirm this delivery", 409, "can be answered")
    shown = commitment(giver, cid)
    assert shown["delivered"] == "15" and shown["deliveries"][0]["status"] == "confirmed"

    # And: the giver withdraws the commitment, a reason required once confirmed
    g.open(f"/commitments/{cid}/withdraw")
    refused(g, world, "Withdraw this commitment", 422, "states a reason")
    g.page.fill("#f-reason", "The volunteers moved away")
    assert g.press("Withdraw this commitment") == 200
    assert commitment(giver, cid)["status"] == "withdrawn"

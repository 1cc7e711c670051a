"""Stewardship in a real browser (issue 15, part 4): a decision to change a member's terms
recorded on the decision form, applied from the link the partnership page then offers;
a second broker unassigned by the lead."""

from __future__ import annotations

from tests.browser.conftest import Person, Site
from tests.browser.forms import follow, signed_in
from tests.integration.test_http_scenario import ok


def test_a_decided_weight_change_is_applied_and_a_broker_unassigned(
    site: Site, person: Person
) -> None:
    # Given: a partnership in force of two members and a second broker
    world = site.world
    broker = world.enrol("broker", "Broker of terms")
    second = world.enrol("broker", "Second broker")
    lead = world.partner(broker, "public", "Junta de Freguesia de Mina", "Lia Lead")
    ally = world.partner(broker, "civil_society", "Associação Mineira", "Alo Ally")
    pid = world.active(broker, "Mina care rounds", [lead, ally])
    ok(broker.api.post(f"/v1/partnerships/{pid}/brokers", {"broker_id": second.actor_id}), 201)
    world.settle()
    b = signed_in(person, world, broker, "broker")

    # When: the broker records the assembly's decision to change the ally's terms
    b.open(f"/partnerships/{pid}")
    assert follow(b, "Record a decision") == 200
    b.fill(**{"f-body": "Assembleia geral", "f-subject-summary": "Peso 2 para a associação"})
    b.page.select_option("#f-subject-action", "change_membership")
    b.page.select_option("#f-subject-organisation_id", ally.organisation_id)
    for member in (lead, ally):
        b.page.select_option(f"#f-votes-{member.organisation_id}", "for")
    assert b.press("Record the decision") == 200

    # And: follows the page's link to apply it, giving weight 2
    assert follow(b, "Change the terms of Associação Mineira as decided") == 200
    assert b.page.input_value("#f-weight") == "1"
    b.fill(**{"f-weight": "2"})
    assert b.press("Record the new terms") == 200 and b.path == f"/partnerships/{pid}"

    # Then: the ally holds 2 of 3 votes, shown on the page
    members = b.page.locator("table", has_text="Associação Mineira").first.inner_text()
    assert "66.7%" in members
    history = ok(broker.api.get(f"/v1/partnerships/{pid}/history?limit=500"))["items"]
    (changed,) = [e["data"] for e in history if e["event_type"] == "MembershipChanged"]
    assert changed["changes"] == {"weight": 2}

    # When: the lead unassigns the second broker
    a = signed_in(person, world, lead, "lead")
    a.open(f"/partnerships/{pid}")
    assert follow(a, "Unassign Second broker") == 200
    assert a.press("Unassign the broker") == 200
    # Then: the partnership keeps one broker, and the second no longer sees it
    view = ok(lead.api.get(f"/v1/partnerships/{pid}/view"))
    assert view["brokers"] == [broker.actor_id]
    assert second.api.get(f"/v1/partnerships/{pid}/view").status == 404
